import type { Selectable } from 'kysely';
import type { Database } from './database.js';
import type { QueryDialect } from './dialect.js';
import { ref, ROW_COLUMNS, selectList, sqlTable, type ColumnOf, type QueryTable } from './row-columns.js';

/**
 * A read of every row whose `key` is one of a list, as one prepared statement whatever the list's
 * length (the list is a single value), optionally in an order.
 */
export function rowsByKeys<T extends QueryTable>(
  queries: QueryDialect,
  table: T,
  key: ColumnOf<T>,
  orderBy: readonly ColumnOf<T>[] = [],
): (keys: readonly string[]) => Promise<Selectable<Database[T]>[]> {
  const statement = queries.prepare(
    (param) =>
      `SELECT ${selectList('t', ROW_COLUMNS[table])} FROM ${sqlTable(table)} AS t WHERE ${queries.inList(ref('t', key), param(0))}` +
      (orderBy.length > 0 ? ` ORDER BY ${orderBy.map((column) => ref('t', column)).join(', ')}` : ''),
  );
  return (keys) => queries.run(statement, [keys]);
}
