import { LRUCache } from 'lru-cache';
import type { StandingVersion } from '../store/index.js';

/** How long a remembered read is kept at most, whatever the store says: a backstop, not the mechanism. */
export const STANDING_CACHE_MS = 30_000;

interface Entry<T> {
  value: T;
  /** The store's standing version when the value was read. */
  version: number;
}

/**
 * What decides whether a grant is served (its row, its app, its user's country; an external
 * token's access record), remembered per key and served only while the store's
 * {@link StandingVersion} still has the value it had before the read: any change to those rows,
 * from any process, makes every entry stale at once on the instance that wrote it and within a
 * second on the others. While the version vouches for nothing, every request reads the store.
 * Expiry is not cached: callers compare the remembered expiry with the clock on each request.
 */
export class StandingCache<T extends object> {
  readonly #entries: LRUCache<string, Entry<T>>;

  /** Without a `version` (the CLI), nothing is remembered. */
  constructor(
    private readonly version: StandingVersion | undefined,
    options: { max: number; ttlMs: number },
  ) {
    this.#entries = new LRUCache({ max: options.max, ttl: options.ttlMs, ttlAutopurge: false });
  }

  /** `key`'s value: remembered while still vouched for, otherwise `read` (and remembered if nothing changed during the read). */
  async get(key: string, read: () => Promise<T | undefined>): Promise<T | undefined> {
    const version = this.version?.current();
    if (version !== undefined) {
      const entry = this.#entries.get(key);
      if (entry?.version === version) return entry.value;
    }
    const value = await read();
    if (value !== undefined && version !== undefined && this.version!.current() === version) this.#entries.set(key, { value, version });
    return value;
  }

  /**
   * Applies this process's own write of fields that decide nothing (when an access was last used)
   * to the remembered value, under the version it was read at: a newer read is never replaced.
   */
  amend(key: string, change: (value: T) => T): void {
    const entry = this.#entries.get(key);
    if (entry) this.#entries.set(key, { value: change(entry.value), version: entry.version }, { noUpdateTTL: true });
  }
}
