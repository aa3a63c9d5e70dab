import type SQLite from 'better-sqlite3';

/** The channel migration 0007's PostgreSQL triggers notify; the payload is the changed table's schema. */
export const STANDING_CHANNEL = 'portability_standing';

/**
 * Whether what decides a grant's standing may have changed: a grant's row, its app's status or
 * name, its user's country (or the user's deletion), a user's external access. Writes from any
 * process count, an operator's SQL included, since the store's own triggers report them
 * (migration 0007). A cache of those rows is fresh while {@link StandingVersion.current} gives the
 * value it had when the rows were read.
 */
export interface StandingVersion {
  /**
   * A number that changes whenever such a row may have changed; undefined while this process
   * cannot vouch for that (then nothing remembered may be served).
   */
  current(): number | undefined;
  close(): Promise<void>;
}

/**
 * SQLite: the one-row table migration 0007's triggers count up, read before each use. The read
 * sees commits of every connection, the CLI's in another process too. Inside an open transaction
 * of this connection it would see uncommitted counts, which a rollback takes back: then it
 * vouches for nothing.
 */
export function sqliteStandingVersion(database: SQLite.Database): StandingVersion {
  const read = database.prepare<[], number>('SELECT version FROM standing_version').pluck();
  return {
    current: () => (database.inTransaction ? undefined : read.get()),
    close: async () => {},
  };
}
