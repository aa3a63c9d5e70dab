import type { Kysely } from 'kysely';
import type { Database, ExternalAccessRow, GrantMode } from '../store/index.js';
import type { Category } from './scopes.js';

/**
 * How stale a recorded `lastUsedAt` may grow before a served token writes it again. The access
 * log keeps every request; this only keeps a busy app's requests from each writing a row.
 */
export const LAST_USED_PRECISION_MS = 60_000;

/** What an external token's request needs to know, read at once. */
export interface ExternalRequestState {
  country: string;
  /** Null when no app is registered under the token's client id. */
  appName: string | null;
  appStatus: string | null;
  /** The user's recorded access for the app; undefined before its first served token. */
  access: Pick<ExternalAccessRow, 'categories' | 'mode' | 'lastUsedAt' | 'revokedAt'> | undefined;
}

/**
 * The user, the app and the user's access for it, in one query on primary keys: the one read an
 * external token's request makes. Undefined when the user is unknown.
 */
export async function readExternalRequest(db: Kysely<Database>, userId: string, appId: string): Promise<ExternalRequestState | undefined> {
  const row = await db
    .selectFrom('users')
    .leftJoin('apps', (join) => join.on('apps.id', '=', appId))
    .leftJoin('externalAccess', (join) => join.onRef('externalAccess.userId', '=', 'users.id').on('externalAccess.appId', '=', appId))
    .select(['users.country', 'apps.name', 'apps.status'])
    .select(['externalAccess.categories', 'externalAccess.mode', 'externalAccess.lastUsedAt', 'externalAccess.revokedAt'])
    .where('users.id', '=', userId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { country, name, status, categories, mode, lastUsedAt, revokedAt } = row;
  return {
    country,
    appName: name,
    appStatus: status,
    // The columns are not null in the table: null here means no row joined.
    access: categories === null || mode === null || lastUsedAt === null ? undefined : { categories, mode, lastUsedAt, revokedAt },
  };
}

/**
 * Records that a token was served: the row on first use, later only when the token's categories
 * or mode changed or `lastUsedAt` is older than {@link LAST_USED_PRECISION_MS}. Never clears a
 * revocation. Returns what it updated in an existing row; undefined when it updated none.
 */
export async function recordExternalUse(
  db: Kysely<Database>,
  key: { userId: string; appId: string },
  request: { categories: readonly Category[]; mode: GrantMode },
  recorded: ExternalRequestState['access'],
  now = Date.now(),
): Promise<Pick<ExternalAccessRow, 'categories' | 'mode' | 'lastUsedAt'> | undefined> {
  const categories = request.categories.join(' ');
  if (!recorded) {
    await db
      .insertInto('externalAccess')
      .values({ ...key, categories, mode: request.mode, firstUsedAt: now, lastUsedAt: now, revokedAt: null })
      // Another instance served the first token at the same moment.
      .onConflict((oc) => oc.columns(['userId', 'appId']).doNothing())
      .execute();
    return undefined;
  }
  if (recorded.categories === categories && recorded.mode === request.mode && now - recorded.lastUsedAt < LAST_USED_PRECISION_MS) return undefined;
  const update = { categories, mode: request.mode, lastUsedAt: now };
  await db.updateTable('externalAccess').set(update).where('userId', '=', key.userId).where('appId', '=', key.appId).execute();
  return update;
}

/** A user's external access, most recently used first, with the app's name. */
export function listExternalAccess(db: Kysely<Database>, userId: string): Promise<(ExternalAccessRow & { appName: string })[]> {
  return db
    .selectFrom('externalAccess')
    .innerJoin('apps', 'apps.id', 'externalAccess.appId')
    .selectAll('externalAccess')
    .select('apps.name as appName')
    .where('externalAccess.userId', '=', userId)
    .orderBy('externalAccess.lastUsedAt', 'desc')
    .orderBy('externalAccess.appId')
    .execute();
}

/**
 * The user's Revoke: the app's external tokens for this user are refused from now on, on every
 * instance (each request checks the row), until the user grants the app access again here.
 * False when there is no such access, or it is already revoked.
 */
export async function revokeExternalAccess(db: Kysely<Database>, userId: string, appId: string): Promise<boolean> {
  const { numUpdatedRows } = await db
    .updateTable('externalAccess')
    .set({ revokedAt: Date.now() })
    .where('userId', '=', userId)
    .where('appId', '=', appId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return numUpdatedRows > 0n;
}

/** A new grant of the user to the app (a consent here) lifts the user's revocation of its external tokens. */
export async function restoreExternalAccess(db: Kysely<Database>, userId: string, appId: string): Promise<void> {
  await db
    .updateTable('externalAccess')
    .set({ revokedAt: null })
    .where('userId', '=', userId)
    .where('appId', '=', appId)
    .where('revokedAt', 'is not', null)
    .execute();
}
