import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimitSettings } from '../config/index.js';
import { secondsUntilReset, settle, type Buckets } from './buckets.js';
import { clientAddress } from './client-address.js';
import { rateLimited } from './refusals.js';

/**
 * Requests that carry no access token, and WebSocket connection attempts (whose token comes only
 * in `connection_init`), counted per client address: no app's or user's bucket bounds them.
 * Without buckets (`RATE_LIMITS=off`) nothing is counted.
 */
export class AnonymousLimit {
  readonly #bucket: RateLimiterAbstract | undefined;

  constructor(
    buckets: Buckets | undefined,
    settings: Pick<LimitSettings, 'anonymousRequests' | 'windowSeconds'>,
    readonly trustProxy: boolean,
  ) {
    this.#bucket = buckets?.bucket('anonymous', settings.anonymousRequests, settings.windowSeconds);
  }

  /** Counts one request from its address; returns `RATE_LIMITED` (429, `Retry-After`) when the address has none left. */
  async refusal(req: IncomingMessage): Promise<GraphQLError | undefined> {
    const bucket = this.#bucket;
    if (!bucket) return undefined;
    const { allowed, res } = await settle(bucket.consume(clientAddress(req, this.trustProxy)));
    if (allowed) return undefined;
    const status = { maximumAvailable: bucket.points, currentlyAvailable: 0, restoreRate: bucket.points / bucket.duration };
    return rateLimited({ allowed, status, resetSeconds: secondsUntilReset(res) }, 'This address has sent too many requests without an access token');
  }
}
