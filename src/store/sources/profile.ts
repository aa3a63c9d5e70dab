import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../database.js';

/** The profile category: users' own records. */
export interface ProfileSource {
  usersByIds(ids: readonly string[]): Promise<UserRow[]>;
}

export function profileSource(db: Kysely<Database>): ProfileSource {
  return {
    usersByIds: (ids) => db.selectFrom('users').selectAll().where('id', 'in', ids).execute(),
  };
}
