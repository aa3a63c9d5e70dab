import { GraphQLError } from 'graphql';
import { HeaderMap } from '@apollo/server';
import { ErrorCode, gatewayError, httpStatusOf } from '../errors/index.js';
import type { Standing } from './rate-limits.js';

/** `QUERY_TOO_COSTLY`, stating the operation's cost and the maximum; HTTP 400. */
export function queryTooCostly(cost: number, maximumCost: number): GraphQLError {
  return gatewayError(ErrorCode.QueryTooCostly, `This operation would cost ${cost} points; the maximum is ${maximumCost}. Ask for smaller pages or fewer fields.`, {
    cost,
    maximumCost,
    http: { status: httpStatusOf(ErrorCode.QueryTooCostly) },
  });
}

/** The draft IETF `RateLimit-*` fields for a caller's standing. */
export function rateLimitHeaders(standing: Standing): [string, string][] {
  const { maximumAvailable, currentlyAvailable } = standing.status;
  return [
    ['ratelimit-limit', String(maximumAvailable)],
    ['ratelimit-remaining', String(Math.floor(currentlyAvailable))],
    ['ratelimit-reset', String(standing.resetSeconds)],
  ];
}

/** `RATE_LIMITED`: HTTP 429 with `Retry-After` and the `RateLimit-*` fields. */
export function rateLimited(standing: Standing, what = 'This app has used up its query budget for this user'): GraphQLError {
  const headers = new HeaderMap([...rateLimitHeaders(standing), ['retry-after', String(standing.resetSeconds)]]);
  return gatewayError(ErrorCode.RateLimited, `${what}; try again in ${standing.resetSeconds} s.`, {
    retryAfterSeconds: standing.resetSeconds,
    http: { status: httpStatusOf(ErrorCode.RateLimited), headers },
  });
}

/** `RATE_LIMITED` for a subscription beyond the grant's cap. */
export function tooManySubscriptions(maximum: number): GraphQLError {
  return gatewayError(ErrorCode.RateLimited, `This grant already holds ${maximum} live subscriptions, the most it may; end one first.`, {
    maximumSubscriptions: maximum,
  });
}

/** `EXECUTION_TIMEOUT`: a field that would have started after the time allowed for the operation. */
export function executionTimeout(timeoutMs: number): GraphQLError {
  return gatewayError(ErrorCode.ExecutionTimeout, `The operation ran out of time (${timeoutMs} ms); ask for less at once.`);
}
