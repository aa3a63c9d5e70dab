import type { UserRow } from '../database.js';
import type { QueryDialect } from '../dialect.js';
import { rowsByKeys } from '../rows-by-keys.js';

/** The profile category: users' own records. */
export interface ProfileSource {
  usersByIds(ids: readonly string[]): Promise<UserRow[]>;
}

export function profileSource(queries: QueryDialect): ProfileSource {
  return {
    usersByIds: rowsByKeys(queries, 'users', 'id'),
  };
}
