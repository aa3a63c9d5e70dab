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
