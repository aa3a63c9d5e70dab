import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimitSettings } from '../config/index.js';
import { secondsUntilReset, settle, type Buckets } from './buckets.js';
import { clientAddress } from './client-address.js';

/** How long the failed sign-ins of one username from one address are remembered. */
export const SIGN_IN_USER_WINDOW_SECONDS = 15 * 60;
/** How long the failed sign-ins from one address, whatever the usernames, are remembered. */
export const SIGN_IN_ADDRESS_WINDOW_SECONDS = 60 * 60;

/** A sign-in attempt: the user it signed in (undefined for wrong credentials), or how long to wait before trying again. */
export type SignInOutcome = { userId: string | undefined; retryAfterSeconds?: undefined } | { userId?: undefined; retryAfterSeconds: number };

/**
 * Throttles password sign-in, on the account page and in the consent flow alike. One username from
 * one address may fail `signInFailures` times in {@link SIGN_IN_USER_WINDOW_SECONDS}, and one
 * address `signInFailuresPerAddress` times in {@link SIGN_IN_ADDRESS_WINDOW_SECONDS}, whatever the
 * usernames; then its attempts are refused, unchecked, until that window ends. A success clears the
 * username's count. Keying on the address as well keeps a stranger from locking a user out.
 * Without buckets (`RATE_LIMITS=off`) nothing is counted.
 */
export class SignInThrottle {
  readonly #user: RateLimiterAbstract | undefined;
  readonly #address: RateLimiterAbstract | undefined;

  constructor(
    buckets: Buckets | undefined,
    settings: Pick<LimitSettings, 'signInFailures' | 'signInFailuresPerAddress'>,
    readonly trustProxy: boolean,
  ) {
    this.#user = buckets?.bucket('sign-in', settings.signInFailures, SIGN_IN_USER_WINDOW_SECONDS);
    this.#address = buckets?.bucket('sign-in-address', settings.signInFailuresPerAddress, SIGN_IN_ADDRESS_WINDOW_SECONDS);
  }

  /** Runs `check` (the credentials' user id, or undefined) for `username`, unless its address may not try again yet. */
  async attempt(req: IncomingMessage, username: string, check: () => Promise<string | undefined>): Promise<SignInOutcome> {
    const [user, byAddress] = [this.#user, this.#address];
    if (!user || !byAddress) return { userId: await check() };
    const address = clientAddress(req, this.trustProxy);
    // A digest: what people type as a username (a password, sometimes) stays out of Redis.
    const userKey = `${address}:${createHash('sha256').update(username).digest('base64url')}`;
    // Each attempt is counted before its password is checked, so parallel guesses cannot pass the limit together.
    const userCharge = await settle(user.consume(userKey));
    if (!userCharge.allowed) return { retryAfterSeconds: secondsUntilReset(userCharge.res) };
    const addressCharge = await settle(byAddress.consume(address));
    if (!addressCharge.allowed) {
      await user.reward(userKey);
      return { retryAfterSeconds: secondsUntilReset(addressCharge.res) };
    }
    let userId: string | undefined;
    try {
      userId = await check();
    } catch (error) {
      // No answer on the credentials: the attempt does not count.
      await Promise.all([user.reward(userKey), byAddress.reward(address)]);
      throw error;
    }
    if (userId !== undefined) await Promise.all([user.delete(userKey), byAddress.reward(address)]);
    return { userId };
  }
}
