import { LRUCache } from 'lru-cache';
import { hashToken } from './tokens.js';

/** What an opaque access token stands for, as read from the store. */
export interface TokenClaims {
  userId: string;
  appId: string;
  grantId: string;
  /** The token's scopes, with `portability.all.*` spelled out per category. */
  scopes: ReadonlySet<string>;
  /** When the token expires, in epoch milliseconds. */
  expiresAt: number;
}

/**
 * Recently looked-up access tokens, so a busy app's requests skip the token row's read and parse.
 * Keyed by the token's SHA-256, like the store, so memory holds no usable credential. Only live
 * tokens are kept, each at most `ttlMs` and never past its expiry; a token destroyed or a grant
 * revoked on this instance is forgotten at once, and one revoked on another instance is seen
 * after `ttlMs`. Grants, apps and users are remembered apart, under the store's word (StandingCache).
 */
export class TokenCache {
  readonly #entries: LRUCache<string, TokenClaims>;

  constructor(options: { ttlMs: number; max: number }) {
    this.#entries = new LRUCache({ max: options.max, ttl: options.ttlMs, ttlAutopurge: false });
  }

  get(token: string, now = Date.now()): TokenClaims | undefined {
    const key = hashToken(token);
    const claims = this.#entries.get(key);
    if (claims && claims.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return claims;
  }

  set(token: string, claims: TokenClaims): void {
    this.#entries.set(hashToken(token), claims);
  }

  forgetToken(token: string): void {
    this.#entries.delete(hashToken(token));
  }

  /** Forgets every token of a grant (revocation is rare; a scan of the bounded cache is fine). */
  forgetGrant(grantId: string): void {
    for (const [key, claims] of this.#entries.entries()) if (claims.grantId === grantId) this.#entries.delete(key);
  }
}
