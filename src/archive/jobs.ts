import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { badInput, ErrorCode, gatewayError } from '../errors/index.js';
import { lockKey, type ArchiveRow, type ArchiveStatus, type Category, type Database, type GrantMode } from '../store/index.js';

/** Who asks for an archive: the user, through which app and grant. */
export interface ArchiveRequester {
  userId: string;
  appId: string;
  grantId: string;
  mode: GrantMode;
}

/** Archives that count against a grant's allowance: all but those that failed or were cancelled. */
const COUNTED: ArchiveStatus[] = ['PENDING', 'RUNNING', 'READY', 'EXPIRED'];
/** Archives still at work, which a cancel can stop. */
const ACTIVE: ArchiveStatus[] = ['PENDING', 'RUNNING'];

/**
 * Inserts a PENDING archive job, once the grant's allowance permits it: a one-time grant gets
 * exactly one archive (`GRANT_EXHAUSTED` after), a recurring one at most one per `intervalMs`
 * (`RATE_LIMITED` with the time to retry). Requests of one grant are serialized, so two at once
 * cannot both pass.
 */
export async function insertArchiveJob(
  db: Kysely<Database>,
  requester: ArchiveRequester,
  categories: readonly Category[],
  intervalMs: number,
): Promise<ArchiveRow> {
  return db.transaction().execute(async (trx) => {
    await lockKey(trx, `archive:${requester.grantId}`);
    const last = await trx
      .selectFrom('archives')
      .select('createdAt')
      .where('grantId', '=', requester.grantId)
      .where('status', 'in', COUNTED)
      .orderBy('createdAt', 'desc')
      .limit(1)
      .executeTakeFirst();
    const now = Date.now();
    if (last && requester.mode === 'single') {
      throw gatewayError(ErrorCode.GrantExhausted, 'A one-time grant allows exactly one archive, and this grant has had it.');
    }
    if (last && last.createdAt + intervalMs > now) {
      const retryAt = last.createdAt + intervalMs;
      const retryAfter = Math.ceil((retryAt - now) / 1000);
      throw gatewayError(ErrorCode.RateLimited, `A recurring grant allows one archive per ${intervalMs / 3_600_000} h; try again after ${new Date(retryAt).toISOString()}.`, {
        retryAfter,
        retryAt: new Date(retryAt).toISOString(),
        http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) },
      });
    }
    const row: ArchiveRow = {
      id: `arc_${randomBytes(12).toString('base64url')}`,
      userId: requester.userId,
      appId: requester.appId,
      grantId: requester.grantId,
      grantMode: requester.mode,
      categories: categories.join(' '),
      status: 'PENDING',
      progress: '{}',
      totalRecords: null,
      createdAt: now,
      updatedAt: now,
      readyAt: null,
      expiresAt: null,
      sizeBytes: null,
      sha256: null,
      leaseOwner: null,
      leaseUntil: null,
      attempts: 0,
      error: null,
    };
    await trx.insertInto('archives').values(row).execute();
    return row;
  });
}

/** One archive of a grant; undefined for an unknown id or one of another grant, alike. */
export function getArchive(db: Kysely<Database>, grantId: string, id: string): Promise<ArchiveRow | undefined> {
  return db.selectFrom('archives').selectAll().where('id', '=', id).where('grantId', '=', grantId).executeTakeFirst();
}

/** One archive of a grant; `BAD_USER_INPUT` for an unknown id or one of another grant, alike. */
export async function findArchive(db: Kysely<Database>, grantId: string, id: string): Promise<ArchiveRow> {
  const row = await getArchive(db, grantId, id);
  if (!row) throw badInput('No archive with this id under this grant.', 'id');
  return row;
}

/** A grant's archives, newest first. */
export function listArchives(db: Kysely<Database>, grantId: string): Promise<ArchiveRow[]> {
  return db.selectFrom('archives').selectAll().where('grantId', '=', grantId).orderBy('createdAt', 'desc').orderBy('id').execute();
}

/** Cancels a PENDING or RUNNING archive; a finished one gets `BAD_USER_INPUT` naming its status. */
export async function cancelArchiveJob(db: Kysely<Database>, grantId: string, id: string): Promise<ArchiveRow> {
  const now = Date.now();
  const result = await db
    .updateTable('archives')
    .set({ status: 'CANCELLED', updatedAt: now, leaseOwner: null, leaseUntil: null })
    .where('id', '=', id)
    .where('grantId', '=', grantId)
    .where('status', 'in', ACTIVE)
    .executeTakeFirst();
  const row = await findArchive(db, grantId, id);
  if (result.numUpdatedRows === 0n) {
    throw gatewayError(ErrorCode.BadUserInput, `This archive is already ${row.status}; only a PENDING or RUNNING archive can be cancelled.`, {
      argumentName: 'id',
      status: row.status,
    });
  }
  return row;
}
