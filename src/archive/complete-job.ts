import type { Kysely } from 'kysely';
import type { ArchiveRow, Database } from '../store/index.js';
import { enqueueWebhook } from '../webhooks/index.js';

export interface Completion {
  sizeBytes: number;
  sha256: string;
  lifetimeMs: number;
  /** Records written per file. */
  files: Record<string, number>;
  /** What `archive.ready` tells the app about the archive. */
  describe: (row: ArchiveRow) => object;
}

/**
 * Marks a job READY and queues its `archive.ready` webhook in one transaction; false (nothing
 * written) when the job stopped being this worker's meanwhile (cancelled, or taken over).
 */
export async function completeJob(db: Kysely<Database>, job: ArchiveRow, owner: string, completion: Completion): Promise<boolean> {
  const now = Date.now();
  // The link stops when the grant does, so the archive says so and its file goes then, not a
  // lifetime later. An external grant has no row and no end here: its archive keeps the lifetime.
  const grant = await db.selectFrom('grants').select('expiresAt').where('id', '=', job.grantId).executeTakeFirst();
  const ready: ArchiveRow = {
    ...job,
    status: 'READY',
    progress: JSON.stringify(completion.files),
    readyAt: now,
    expiresAt: Math.min(now + completion.lifetimeMs, grant?.expiresAt ?? Infinity),
    sizeBytes: completion.sizeBytes,
    sha256: completion.sha256,
    leaseOwner: null,
    leaseUntil: null,
    updatedAt: now,
    error: null,
  };
  return db.transaction().execute(async (trx) => {
    const { id: _id, ...columns } = ready;
    const result = await trx
      .updateTable('archives')
      .set(columns)
      .where('id', '=', job.id)
      .where('leaseOwner', '=', owner)
      .where('status', '=', 'RUNNING')
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return false;
    await enqueueWebhook(trx, job.appId, 'archive.ready', completion.describe(ready));
    return true;
  });
}
