import type { Kysely } from 'kysely';
import type { Viewer } from '../graph/index.js';
import type { Database } from '../store/index.js';
import { isEligibleCountry } from './region.js';

/** How often open streams' grants are checked: revocation ends a stream well within 5 s. */
const CHECK_MS = 2000;

/**
 * Ends long-lived streams whose grant stopped holding: revoked (from any instance, the account
 * page or the CLI), expired, its app suspended, or its user moved out of the region. One query
 * per instance covers every open stream, so the cost does not grow with the number of streams.
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
    const ids = [...this.#streams.keys()];
    const live = new Set<string>();
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await this.db
        .selectFrom('grants')
        .innerJoin('apps', 'apps.id', 'grants.appId')
        .innerJoin('users', 'users.id', 'grants.userId')
        .select(['grants.id', 'users.country'])
        .where('grants.id', 'in', ids.slice(i, i + 1000))
        .where('grants.revokedAt', 'is', null)
        .where('grants.expiresAt', '>', now)
        .where('apps.status', '!=', 'SUSPENDED')
        .execute();
      for (const row of rows) if (isEligibleCountry(row.country, this.extraCountries)) live.add(row.id);
    }
    for (const [grantId, streams] of this.#streams) {
      const external = grantId.startsWith('jwt:');
      for (const { viewer, end } of streams.values()) {
        if (external ? viewer.grant.expiresAt <= now : !live.has(grantId)) end();
      }
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
