import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * Where every rate-limit bucket of one gateway lives: in memory, or in Redis when `REDIS_URL` is
 * set, so that every instance draws from the same buckets, over one connection. Should Redis fail,
 * an in-memory bucket stands in for each until it is back.
 */
export class Buckets {
  readonly #redis: Redis | undefined;
  readonly #keyPrefix: string;

  constructor(redisUrl: string | undefined, keyPrefix: string) {
    this.#keyPrefix = keyPrefix;
    // rate-limiter-flexible wants commands to fail at once while Redis is away, so its insurance takes over.
    this.#redis = redisUrl ? new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) : undefined;
    this.#redis?.on('error', () => {
      // Reconnection is automatic and the in-memory insurance serves meanwhile; one log line per outage would need state for no gain.
    });
  }

  /** A bucket of `points` per key that refills completely every `duration` seconds; its keys start with the prefix and `name`. */
  bucket(name: string, points: number, duration: number): RateLimiterAbstract {
    const options = { keyPrefix: `${this.#keyPrefix}${name}`, points, duration };
    const memory = new RateLimiterMemory(options);
    return this.#redis ? new RateLimiterRedis({ ...options, storeClient: this.#redis, insuranceLimiter: memory }) : memory;
  }

  /** Waits (up to `timeoutMs`) for Redis, so the first requests count where every instance sees them. */
  async ready(timeoutMs = 5000): Promise<boolean> {
    const redis = this.#redis;
    if (!redis || redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), timeoutMs).unref();
      const onReady = () => done(true);
      const done = (ready: boolean) => {
        clearTimeout(timer);
        redis.off('ready', onReady);
        resolve(ready);
      };
      redis.once('ready', onReady);
    });
  }

  async close(): Promise<void> {
    await this.#redis?.quit().catch(() => this.#redis?.disconnect());
  }
}

/** rate-limiter-flexible refuses with the bucket's state, and fails with an Error; only the refusal is an answer. */
export async function settle(charge: Promise<RateLimiterRes>): Promise<{ allowed: boolean; res: RateLimiterRes }> {
  try {
    return { allowed: true, res: await charge };
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) return { allowed: false, res: refusal };
    throw refusal;
  }
}

/** Whole seconds until a bucket refills, at least one (what `Retry-After` says). */
export function secondsUntilReset(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}
