import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

/**
 * Removes changes committed more than `retentionMs` ago and remembers how far it went, so a
 * cursor from before then gets `CURSOR_EXPIRED` rather than a silent gap. Event ids older than
 * that are forgotten too: a platform does not redeliver an event months later.
 */
export async function pruneChanges(db: Kysely<Database>, retentionMs: number, now = Date.now()): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('ingestedEvents').where('receivedAt', '<', now - retentionMs).execute();
    const cutoff = await trx
      .selectFrom('changes')
      .select((eb) => eb.fn.max('position').as('position'))
      .where('committedAt', '<', now - retentionMs)
      .executeTakeFirst();
    const through = Number(cutoff?.position ?? 0);
    if (through === 0) return 0;
    const { numDeletedRows } = await trx.deleteFrom('changes').where('position', '<=', through).executeTakeFirst();
    await trx
      .insertInto('changeLogState')
      .values({ name: 'pruned_through', position: through })
      .onConflict((oc) => oc.column('name').doUpdateSet({ position: through }))
      .execute();
    return Number(numDeletedRows);
  });
}
