import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../graph/index.js';
import { actualCost } from './cost.js';
import type { Guard } from './guard.js';
import type { Standing } from './rate-limits.js';
import { rateLimitHeaders, rateLimited } from './refusals.js';

/**
 * The limits on `/graphql`: before execution the operation is priced (`QUERY_TOO_COSTLY` over the
 * maximum) and charged to the app's and the app-and-user buckets (`RATE_LIMITED`, 429, when they
 * are short); fields that would start after the execution timeout fail with `EXECUTION_TIMEOUT`;
 * afterwards whatever was charged but not returned goes back, and the response carries
 * `extensions.cost` in Shopify's shape and the `RateLimit-*` headers.
 */
export function limitsPlugin(guard: Guard): ApolloServerPlugin<Context> {
  const { maxQueryCost, executionTimeoutMs } = guard.settings;
  return {
    async requestDidStart() {
      let requested: number | undefined;
      let charged = 0;
      let standing: Standing | undefined;
      return {
        // Apollo answers errors thrown here properly (not from the earlier hooks), so the length check waits for the parse.
        async didResolveOperation({ source, schema, document, operation, request, contextValue }) {
          const tooLong = guard.tooLong(source);
          if (tooLong) throw tooLong;
          if (!operation) return;
          requested = guard.price(schema, document, operation, request.variables ?? {});
          const viewer = contextValue.viewer;
          if (!viewer || !guard.rateLimits) return;
          standing = await guard.rateLimits.charge(viewer, Math.max(1, requested));
          if (!standing.allowed) throw rateLimited(standing);
          charged = Math.max(1, requested);
        },
        // No `willResolveField` hook: with one, Apollo wraps every field's resolver. The fields that
        // resolve something check the deadline themselves (applyExecutionDeadline).
        async executionDidStart({ contextValue }) {
          contextValue.deadline = { at: Date.now() + executionTimeoutMs, timeoutMs: executionTimeoutMs };
        },
        async willSendResponse({ schema, document, operation, response, contextValue }) {
          if (requested === undefined || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const actual = document && operation && result.data ? actualCost(schema, document, operation, result.data) : 0;
          const viewer = contextValue.viewer;
          if (viewer && guard.rateLimits && charged > Math.max(1, actual)) {
            standing = await guard.rateLimits.refund(viewer, charged - Math.max(1, actual));
          }
          result.extensions = {
            ...result.extensions,
            cost: { requestedQueryCost: requested, actualQueryCost: actual, maximumQueryCost: maxQueryCost, throttleStatus: standing?.status ?? null },
          };
          if (standing) for (const [name, value] of rateLimitHeaders(standing)) response.http.headers.set(name, value);
        },
      };
    },
  };
}
