import type { Kysely } from 'kysely';
import type { ArchiveRow, Database } from '../store/index.js';

/**
 * The job rows' lease protocol. A worker owns a RUNNING job while its lease lasts and renews it
 * with every progress write; a lease that lapses (its instance crashed) lets any worker take the
 * job over. Every write is conditional on the lease, so a worker that lost its job (cancelled,
 * or taken over) learns it at its next write and stops.
 */

/** Claims the oldest PENDING job, or a RUNNING one whose lease lapsed; undefined when none is free. */
export async function claimJob(db: Kysely<Database>, owner: string, leaseMs: number): Promise<ArchiveRow | undefined> {
  const now = Date.now();
  const candidates = await db
    .selectFrom('archives')
    .selectAll()
    .where((eb) => eb.or([eb('status', '=', 'PENDING'), eb.and([eb('status', '=', 'RUNNING'), eb('leaseUntil', '<', now)])]))
    .orderBy('createdAt')
    .limit(5)
    .execute();
  for (const job of candidates) {
    const claimed = await db
      .updateTable('archives')
      .set({ status: 'RUNNING', leaseOwner: owner, leaseUntil: now + leaseMs, attempts: job.attempts + 1, updatedAt: now })
      .where('id', '=', job.id)
      .where('status', '=', job.status)
      .where('attempts', '=', job.attempts)
      .executeTakeFirst();
    if (claimed.numUpdatedRows > 0n) return { ...job, status: 'RUNNING', leaseOwner: owner, leaseUntil: now + leaseMs, attempts: job.attempts + 1 };
  }
  return undefined;
}

/** Writes progress and renews the lease; false when the job is no longer this worker's to run. */
export async function renewLease(
  db: Kysely<Database>,
  id: string,
  owner: string,
  leaseMs: number,
  update: { progress?: string; totalRecords?: number },
): Promise<boolean> {
  const now = Date.now();
  const result = await db
    .updateTable('archives')
    .set({ ...update, leaseUntil: now + leaseMs, updatedAt: now })
    .where('id', '=', id)
    .where('leaseOwner', '=', owner)
    .where('status', '=', 'RUNNING')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Hands a job back (a shutdown, or a failure worth another try): PENDING, for any worker. */
export async function releaseJob(db: Kysely<Database>, id: string, owner: string, error: string | null = null): Promise<void> {
  await db
    .updateTable('archives')
    .set({ status: 'PENDING', leaseOwner: null, leaseUntil: null, updatedAt: Date.now(), error })
    .where('id', '=', id)
    .where('leaseOwner', '=', owner)
    .where('status', '=', 'RUNNING')
    .execute();
}

/** Gives a job up for good. */
export async function failJob(db: Kysely<Database>, id: string, owner: string, error: string): Promise<void> {
  await db
    .updateTable('archives')
    .set({ status: 'FAILED', leaseOwner: null, leaseUntil: null, updatedAt: Date.now(), error })
    .where('id', '=', id)
    .where('leaseOwner', '=', owner)
    .where('status', '=', 'RUNNING')
    .execute();
}
