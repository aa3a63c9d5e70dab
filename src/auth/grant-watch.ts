import type { Kysely } from 'kysely';
import type { Viewer } from '../graph/index.js';
import type { Database } from '../store/index.js';
import { isEligibleCountry } from './region.js';

/** How often open streams' grants are checked: revocation ends a stream well within 5 s. */
const CHECK_MS = 2000;
/** Grants (or external viewers) per query, well under either dialect's bound-parameter limit. */
const BATCH = 1000;

const externalKey = (userId: string, appId: string) => `${userId} ${appId}`;

/**
 * Ends long-lived streams whose grant stopped holding: revoked (from any instance, the account
 * page or the CLI), expired, its app suspended, or its user moved out of the region. A stream
 * opened with an external issuer's JWT (`jwt:` grants) ends likewise: its token expired, its app
 * no longer approved, its user's external access for the app revoked, or its user out of the
 * region. One query per kind and instance covers every open stream, so the cost does not grow
 * with the number of streams.
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
    const own: string[] = [];
    const external: Viewer[] = [];
    for (const [grantId, streams] of this.#streams) {
      if (!grantId.startsWith('jwt:')) own.push(grantId);
      else for (const { viewer } of streams.values()) external.push(viewer);
    }
    const [liveGrants, liveExternal] = await Promise.all([this.#liveGrants(own, now), this.#liveExternal(external)]);
    for (const [grantId, streams] of this.#streams) {
      for (const { viewer, end } of streams.values()) {
        const holds = grantId.startsWith('jwt:')
          ? viewer.grant.expiresAt > now && liveExternal.has(externalKey(viewer.userId, viewer.clientId))
          : liveGrants.has(grantId);
        if (!holds) end();
      }
    }
  }

  /** Of these grants, those not revoked or expired, whose app is not suspended and whose user is in the region. */
  async #liveGrants(ids: string[], now: number): Promise<Set<string>> {
    const live = new Set<string>();
    for (let i = 0; i < ids.length; i += BATCH) {
      const rows = await this.db
        .selectFrom('grants')
        .innerJoin('apps', 'apps.id', 'grants.appId')
        .innerJoin('users', 'users.id', 'grants.userId')
        .select(['grants.id', 'users.country'])
        .where('grants.id', 'in', ids.slice(i, i + BATCH))
        .where('grants.revokedAt', 'is', null)
        .where('grants.expiresAt', '>', now)
        .where('apps.status', '!=', 'SUSPENDED')
        .execute();
      for (const row of rows) if (isEligibleCountry(row.country, this.extraCountries)) live.add(row.id);
    }
    return live;
  }

  /**
   * Of these external-token viewers, the (user, app) pairs still served as a request would be:
   * the app approved, the user's external access not revoked, the user in the region.
   */
  async #liveExternal(viewers: Viewer[]): Promise<Set<string>> {
    const live = new Set<string>();
    for (let i = 0; i < viewers.length; i += BATCH) {
      const batch = viewers.slice(i, i + BATCH);
      const rows = await this.db
        .selectFrom('externalAccess')
        .innerJoin('apps', 'apps.id', 'externalAccess.appId')
        .innerJoin('users', 'users.id', 'externalAccess.userId')
        .select(['externalAccess.userId', 'externalAccess.appId', 'users.country'])
        .where('externalAccess.userId', 'in', [...new Set(batch.map((v) => v.userId))])
        .where('externalAccess.appId', 'in', [...new Set(batch.map((v) => v.clientId))])
        .where('externalAccess.revokedAt', 'is', null)
        .where('apps.status', '=', 'APPROVED')
        .execute();
      for (const row of rows) if (isEligibleCountry(row.country, this.extraCountries)) live.add(externalKey(row.userId, row.appId));
    }
    return live;
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
