import type { Kysely } from 'kysely';
import type { Category, ChangeRow, Database } from '../database.js';

/** The change log, read per user in position order. */
export interface ChangesSource {
  /** Up to `limit` of a user's changes after `position`, in the given categories. */
  changesAfter(userId: string, position: number, categories: readonly Category[], limit: number): Promise<ChangeRow[]>;
  /** Up to `limit` changes of anyone after `position`: what an instance's log tailer reads. */
  allChangesAfter(position: number, limit: number): Promise<ChangeRow[]>;
  /** The newest position in the whole log (0 when empty): where a stream "at the present" starts. */
  headPosition(): Promise<number>;
  /** The newest position retention has removed (0 when none): cursors at or before it have expired. */
  prunedThrough(): Promise<number>;
}

export function changesSource(db: Kysely<Database>): ChangesSource {
  return {
    changesAfter: (userId, position, categories, limit) =>
      db
        .selectFrom('changes')
        .selectAll()
        .where('userId', '=', userId)
        .where('position', '>', position)
        .where('category', 'in', categories)
        .orderBy('position')
        .limit(limit)
        .execute(),
    allChangesAfter: (position, limit) => db.selectFrom('changes').selectAll().where('position', '>', position).orderBy('position').limit(limit).execute(),
    async headPosition() {
      const row = await db.selectFrom('changes').select((eb) => eb.fn.max('position').as('head')).executeTakeFirst();
      return Number(row?.head ?? 0);
    },
    async prunedThrough() {
      const row = await db.selectFrom('changeLogState').select('position').where('name', '=', 'pruned_through').executeTakeFirst();
      return row?.position ?? 0;
    },
  };
}
