import type { Kysely } from 'kysely';
import type { Viewer } from '../graph/index.js';
import type { Database } from '../store/index.js';
import { grantLapses, type HeldGrant } from './grant-standing.js';

/** How often open streams' grants are checked: revocation ends a stream well within 5 s. */
const CHECK_MS = 2000;

/**
 * Why a stream must end: its `grant` stopped holding (revoked, expired, the app suspended, the user
 * out of the region: the app must stop), or only its access `token` did (expired or revoked: the
 * app refreshes it, reconnects and resumes from its cursor).
 */
export type StreamEnd = 'grant' | 'token';

interface Watched {
  viewer: Viewer;
  end: (why: StreamEnd) => void;
}

/**
 * Ends long-lived streams whose grant or access token stopped holding: revoked (from any instance,
 * the account page, the CLI or the revocation endpoint), expired, its app suspended, or its user
 * moved out of the region. One round of queries per instance covers every open stream, so the
 * cost does not grow with the number of streams.
 */
export class GrantWatch {
  readonly #streams = new Map<string, Map<object, Watched>>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly extraCountries: ReadonlySet<string>,
    private readonly onError: (error: unknown) => void,
  ) {
    this.#timer = setInterval(() => void this.check().catch(onError), CHECK_MS).unref();
  }

  /** Watches a stream; `end` closes it, saying why. Returns the function that stops watching. */
  watch(viewer: Viewer, end: (why: StreamEnd) => void): () => void {
    const key = {};
    const streams = this.#streams.get(viewer.grant.id) ?? new Map<object, Watched>();
    streams.set(key, { viewer, end });
    this.#streams.set(viewer.grant.id, streams);
    return () => {
      streams.delete(key);
      if (streams.size === 0) this.#streams.delete(viewer.grant.id);
    };
  }

  /** Checks every watched grant and token now, ending the streams of those that no longer hold. */
  async check(now = Date.now()): Promise<void> {
    if (this.#streams.size === 0) return;
    const watched = [...this.#streams.values()].flatMap((streams) => [...streams.values()]);
    const grants = new Map<string, HeldGrant>();
    for (const { viewer } of watched) grants.set(viewer.grant.id, { grantId: viewer.grant.id, appId: viewer.appId, userId: viewer.userId });
    const [lapsed, liveTokens] = await Promise.all([
      grantLapses(this.db, [...grants.values()], this.extraCountries, now),
      this.#liveTokens(watched.flatMap(({ viewer }) => viewer.credential.tokenHash ?? []), now),
    ]);
    for (const { viewer, end } of watched) {
      const { tokenHash, expiresAt } = viewer.credential;
      if (lapsed.has(viewer.grant.id)) end('grant');
      // An external grant's expiry is its token's: the app gets a fresh one from its issuer.
      else if (expiresAt <= now || (tokenHash !== undefined && !liveTokens.has(tokenHash))) end('token');
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }

  /** The hashes among `hashes` whose access token is still stored and unexpired (RFC 7009 revocation deletes it). */
  async #liveTokens(hashes: string[], now: number): Promise<Set<string>> {
    const live = new Set<string>();
    const unique = [...new Set(hashes)];
    for (let i = 0; i < unique.length; i += 1000) {
      const rows = await this.db
        .selectFrom('oidcPayloads')
        .select('idHash')
        .where('model', '=', 'AccessToken')
        .where('idHash', 'in', unique.slice(i, i + 1000))
        .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', now)]))
        .execute();
      for (const row of rows) live.add(row.idHash);
    }
    return live;
  }
}
