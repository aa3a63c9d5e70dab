import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import { isEligibleCountry } from './region.js';

/** Why a grant stopped holding, as the code an app is told. */
export type GrantLapse = 'GRANT_REVOKED' | 'GRANT_EXPIRED' | 'APP_SUSPENDED' | 'REGION_NOT_ELIGIBLE';

/** A grant and whom it was given to: the app and the user. */
export interface HeldGrant {
  grantId: string;
  appId: string;
  userId: string;
}

/** An external issuer's grant is named after its token (`jwt:…`) and has no row of its own. */
const isExternalGrant = (grantId: string) => grantId.startsWith('jwt:');

/** Grants looked up per round of queries, well below every dialect's limit on bound parameters. */
const CHUNK = 1000;

/**
 * Which of `grants` stopped holding, and why: revoked (or unknown), expired, its app suspended,
 * or its user no longer in the region. Those that hold are absent from the map. An external
 * issuer's grant (`jwt:…`) has no row: its token's expiry bounds it, and it holds while its app is
 * approved and the user has not revoked that app's external access on `/account`. Four queries
 * per thousand grants, however many streams or downloads share them.
 */
export async function grantLapses(
  db: Kysely<Database>,
  grants: readonly HeldGrant[],
  extraCountries: ReadonlySet<string>,
  now = Date.now(),
): Promise<Map<string, GrantLapse>> {
  const lapses = new Map<string, GrantLapse>();
  for (let i = 0; i < grants.length; i += CHUNK) {
    const chunk = grants.slice(i, i + CHUNK);
    const ownIds = chunk.map((grant) => grant.grantId).filter((id) => !isExternalGrant(id));
    const rows = ownIds.length === 0 ? [] : await db.selectFrom('grants').select(['id', 'appId', 'userId', 'revokedAt', 'expiresAt']).where('id', 'in', ownIds).execute();
    const apps = await db.selectFrom('apps').select(['id', 'status']).where('id', 'in', [...new Set(chunk.map((grant) => grant.appId))]).execute();
    const users = await db.selectFrom('users').select(['id', 'country']).where('id', 'in', [...new Set(chunk.map((grant) => grant.userId))]).execute();
    const external = chunk.filter((grant) => isExternalGrant(grant.grantId));
    const accesses = external.length === 0 ? [] : await db
      .selectFrom('externalAccess')
      .select(['userId', 'appId', 'revokedAt'])
      .where('userId', 'in', [...new Set(external.map((grant) => grant.userId))])
      .where('appId', 'in', [...new Set(external.map((grant) => grant.appId))])
      .execute();
    const rowOf = new Map(rows.map((row) => [row.id, row]));
    const appStatus = new Map(apps.map((app) => [app.id, app.status]));
    const country = new Map(users.map((user) => [user.id, user.country]));
    const accessOf = new Map(accesses.map((access) => [`${access.userId} ${access.appId}`, access]));
    for (const grant of chunk) {
      if (isExternalGrant(grant.grantId)) {
        const access = accessOf.get(`${grant.userId} ${grant.appId}`);
        const status = appStatus.get(grant.appId);
        // Only an approved app's JWTs are served, and only while the user has not revoked them.
        const lapse = access === undefined || access.revokedAt !== null || (status !== 'APPROVED' && status !== 'SUSPENDED')
          ? 'GRANT_REVOKED'
          : lapseOf(null, status, country.get(grant.userId), extraCountries, now);
        if (lapse) lapses.set(grant.grantId, lapse);
        continue;
      }
      const row = rowOf.get(grant.grantId);
      // A row given to another app or user than the one named is no grant of theirs: as if unknown.
      const theirs = row !== undefined && row.appId === grant.appId && row.userId === grant.userId;
      const lapse = lapseOf(theirs ? row : undefined, appStatus.get(grant.appId), country.get(grant.userId), extraCountries, now);
      if (lapse) lapses.set(grant.grantId, lapse);
    }
  }
  return lapses;
}

/** Whether one grant still holds (undefined), or why not: {@link grantLapses} for a single grant. */
export async function grantLapse(db: Kysely<Database>, grant: HeldGrant, extraCountries: ReadonlySet<string>, now = Date.now()): Promise<GrantLapse | undefined> {
  return (await grantLapses(db, [grant], extraCountries, now)).get(grant.grantId);
}

/** `row` is null for an external grant, which has none; undefined for an unknown one. */
function lapseOf(
  row: { revokedAt: number | null; expiresAt: number } | null | undefined,
  appStatus: string | undefined,
  country: string | undefined,
  extraCountries: ReadonlySet<string>,
  now: number,
): GrantLapse | undefined {
  // A user no longer on the platform ends every grant of theirs, as a revocation would.
  if (row === undefined || country === undefined) return 'GRANT_REVOKED';
  if (row !== null && row.revokedAt !== null) return 'GRANT_REVOKED';
  if (row !== null && row.expiresAt <= now) return 'GRANT_EXPIRED';
  if (appStatus === 'SUSPENDED') return 'APP_SUSPENDED';
  if (!isEligibleCountry(country, extraCountries)) return 'REGION_NOT_ELIGIBLE';
  return undefined;
}
