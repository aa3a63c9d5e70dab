import Database from 'better-sqlite3';

/**
 * Opens a reference subgraph's own database: a file, or `:memory:` for a store that lives as
 * long as the process. `onStatement` is told of every statement run (tests count them).
 */
export function openDatabase(file: string, onStatement?: () => void): Database.Database {
  const db = new Database(file, onStatement ? { verbose: onStatement } : {});
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  return db;
}

/** `?, ?, ?`: one placeholder per value of an `IN (…)` list. */
export const placeholders = (values: readonly unknown[]): string => values.map(() => '?').join(', ');

/** A row to write: its nullable fields may be left out, and are then stored as NULL. */
export type NewRow<Row> = { [K in keyof Row as null extends Row[K] ? never : K]: Row[K] } & { [K in keyof Row as null extends Row[K] ? K : never]?: Row[K] };

/**
 * Writes rows to `table`, each replacing any with the same key, in one transaction: `columns` are
 * the fields of a row that have a column; a row's other fields are not stored.
 *
 * @returns how many rows were written.
 */
export function saveRows<Row extends object>(db: Database.Database, table: string, columns: readonly (keyof Row & string)[], rows: Iterable<NewRow<Row>>): number {
  const insert = db.prepare(`INSERT OR REPLACE INTO ${table} (${columns.join(', ')}) VALUES (${placeholders(columns)})`);
  return db.transaction(() => {
    let count = 0;
    for (const row of rows) count += insert.run(columns.map((column) => (row as Record<string, unknown>)[column] ?? null)).changes;
    return count;
  })();
}

/** The rows of `table` whose `id` is one of `ids`, in one statement, in no particular order. */
export function rowsWithIds<Row>(db: Database.Database, table: string, ids: readonly string[]): Row[] {
  return db.prepare(`SELECT * FROM ${table} WHERE id IN (${placeholders(ids)})`).all(...ids) as Row[];
}

/**
 * A table of rows keyed by `id`: a category's store of one entity (posts, users, activity events)
 * is its DDL and one of these.
 */
export class KeyedTable<Row extends { id: string }> {
  constructor(
    readonly db: Database.Database,
    private readonly table: string,
    private readonly columns: readonly (keyof Row & string)[],
  ) {}

  /** Writes rows, replacing any with the same id, in one transaction. */
  save(rows: Iterable<NewRow<Row>>): number {
    return saveRows<Row>(this.db, this.table, this.columns, rows);
  }

  byIds(ids: readonly string[]): Row[] {
    return rowsWithIds<Row>(this.db, this.table, ids);
  }
}
