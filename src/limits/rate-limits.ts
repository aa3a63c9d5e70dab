import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimitSettings } from '../config/index.js';
import type { Viewer } from '../graph/index.js';

/** Shopify's `throttleStatus`: the bucket nearest to running dry. */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  /** Points restored per second, on average: the bucket refills completely at the end of each window. */
  restoreRate: number;
}

/** Where a caller stands after a charge or a refund. */
export interface Standing {
  allowed: boolean;
  status: ThrottleStatus;
  /** Seconds until the bucket refills. */
  resetSeconds: number;
}

/**
 * Two cost-point buckets per request, built on rate-limiter-flexible: one per app and user, one
 * per app over all its users. In memory by default; in Redis when `REDIS_URL` is set, so every
 * instance draws from the same buckets. Should Redis fail, an in-memory bucket stands in for it.
 */
export class RateLimits {
  readonly #user: RateLimiterAbstract;
  readonly #app: RateLimiterAbstract;
  readonly #redis: Redis | undefined;

  constructor(settings: LimitSettings, redisUrl: string | undefined, keyPrefix: string) {
    const duration = settings.windowSeconds;
    const bucket = (name: string, points: number): RateLimiterAbstract => {
      const memory = new RateLimiterMemory({ keyPrefix: `${keyPrefix}${name}`, points, duration });
      if (!this.#redis) return memory;
      return new RateLimiterRedis({ storeClient: this.#redis, keyPrefix: `${keyPrefix}${name}`, points, duration, insuranceLimiter: memory });
    };
    // rate-limiter-flexible wants commands to fail at once while Redis is away, so its insurance takes over.
    this.#redis = redisUrl ? new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) : undefined;
    this.#redis?.on('error', () => {
      // Reconnection is automatic and the in-memory insurance serves meanwhile; one log line per outage would need state for no gain.
    });
    this.#user = bucket('user', settings.userPoints);
    this.#app = bucket('app', settings.appPoints);
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

  /** Takes `points` from both of the viewer's buckets, or from neither when either is short. */
  async charge(viewer: Viewer, points: number): Promise<Standing> {
    const userKey = `${viewer.appId}:${viewer.userId}`;
    const user = await settle(this.#user.consume(userKey, points));
    if (!user.allowed) return this.#standing(false, user.res, undefined);
    const app = await settle(this.#app.consume(viewer.appId, points));
    if (!app.allowed) {
      // Refused by the app's bucket: the user's points go back.
      const refunded = await this.#user.reward(userKey, points);
      return this.#standing(false, refunded, app.res);
    }
    return this.#standing(true, user.res, app.res);
  }

  /** Gives back points charged for work that did not happen. */
  async refund(viewer: Viewer, points: number): Promise<Standing> {
    const [user, app] = await Promise.all([this.#user.reward(`${viewer.appId}:${viewer.userId}`, points), this.#app.reward(viewer.appId, points)]);
    return this.#standing(true, user, app);
  }

  async close(): Promise<void> {
    await this.#redis?.quit().catch(() => this.#redis?.disconnect());
  }

  #standing(allowed: boolean, user: RateLimiterRes, app: RateLimiterRes | undefined): Standing {
    const useApp = app !== undefined && app.remainingPoints / this.#app.points < user.remainingPoints / this.#user.points;
    const [limiter, res] = useApp ? [this.#app, app] : [this.#user, user];
    return {
      allowed,
      status: {
        maximumAvailable: limiter.points,
        currentlyAvailable: Math.max(0, res.remainingPoints),
        restoreRate: limiter.points / limiter.duration,
      },
      resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    };
  }
}

/** rate-limiter-flexible refuses with the bucket's state, and fails with an Error; only the refusal is an answer. */
async function settle(charge: Promise<RateLimiterRes>): Promise<{ allowed: boolean; res: RateLimiterRes }> {
  try {
    return { allowed: true, res: await charge };
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) return { allowed: false, res: refusal };
    throw refusal;
  }
}
