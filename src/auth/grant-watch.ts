import type { Kysely } from 'kysely';
import type { Viewer } from '../graph/index.js';
import type { Database } from '../store/index.js';
import { grantLapses, type HeldGrant } from './grant-standing.js';

/** How often open streams' grants are checked: revocation ends a stream well within 5 s. */
const CHECK_MS = 2000;

/**
 * Ends long-lived streams whose grant stopped holding: revoked (from any instance, the account
 * page or the CLI), expired, its app suspended, or its user moved out of the region. One round of
 * queries per instance covers every open stream, so the cost does not grow with the number of streams.
 */
export class GrantWatch {
  readonly #streams = new Map<string, Map<object, { viewer: Viewer; end: () => void }>>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly extraCountries: ReadonlySet<string>,
    private readonly onError: (error: unknown) => void,
  ) {
    this.#timer = setInterval(() => void this.check().catch(onError), CHECK_MS).unref();
  }

  /** Watches a stream; `end` closes it. Returns the function that stops watching. */
  watch(viewer: Viewer, end: () => void): () => void {
    const key = {};
    const streams = this.#streams.get(viewer.grant.id) ?? new Map();
    streams.set(key, { viewer, end });
    this.#streams.set(viewer.grant.id, streams);
    return () => {
      streams.delete(key);
      if (streams.size === 0) this.#streams.delete(viewer.grant.id);
    };
  }

  /** Checks every watched grant now, ending the streams of those that no longer hold. */
  async check(now = Date.now()): Promise<void> {
    if (this.#streams.size === 0) return;
    const grants = new Map<string, HeldGrant>();
    for (const streams of this.#streams.values()) {
      for (const { viewer } of streams.values()) grants.set(viewer.grant.id, { grantId: viewer.grant.id, appId: viewer.clientId, userId: viewer.userId });
    }
    const lapsed = await grantLapses(this.db, [...grants.values()], this.extraCountries, now);
    for (const [grantId, streams] of this.#streams) {
      // An external grant's expiry is its token's, which only the viewer knows.
      for (const { viewer, end } of streams.values()) if (lapsed.has(grantId) || viewer.grant.expiresAt <= now) end();
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
