import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { LimitSettings } from '../config/index.js';
import type { Viewer } from '../graph/index.js';
import { secondsUntilReset, settle, type Buckets } from './buckets.js';

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
 * per app over all its users, in the gateway's {@link Buckets} (memory, or Redis shared by every
 * instance).
 */
export class RateLimits {
  readonly #user: RateLimiterAbstract;
  readonly #app: RateLimiterAbstract;

  constructor(settings: LimitSettings, buckets: Buckets) {
    this.#user = buckets.bucket('user', settings.userPoints, settings.windowSeconds);
    this.#app = buckets.bucket('app', settings.appPoints, settings.windowSeconds);
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
      resetSeconds: secondsUntilReset(res),
    };
  }
}
