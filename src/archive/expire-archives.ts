import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

/** Marks READY archives past their lifetime EXPIRED; returns their ids, whose files may go. */
export async function expireArchives(db: Kysely<Database>, now = Date.now()): Promise<string[]> {
  const due = await db.selectFrom('archives').select('id').where('status', '=', 'READY').where('expiresAt', '<=', now).execute();
  const expired: string[] = [];
  for (const { id } of due) {
    const result = await db
      .updateTable('archives')
      .set({ status: 'EXPIRED', updatedAt: now })
      .where('id', '=', id)
      .where('status', '=', 'READY')
      .executeTakeFirst();
    if (result.numUpdatedRows > 0n) expired.push(id);
  }
  return expired;
}
