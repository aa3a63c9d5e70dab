import { sql, type Kysely, type Migration } from 'kysely';
import { isPostgres } from '../dialect.js';
import { STANDING_CHANNEL } from '../standing-version.js';

/**
 * Every change that can alter whether a grant is served: a grant's row (revoked, expiry, terms,
 * deleted), an app's status or name, a user's country or deletion, and external access recorded,
 * revoked, restored or deleted. `columns`: only an UPDATE that changes one of them counts.
 */
const SIGNALS: readonly { table: string; event: 'INSERT' | 'UPDATE' | 'DELETE'; columns?: readonly string[] }[] = [
  { table: 'grants', event: 'UPDATE' },
  { table: 'grants', event: 'DELETE' },
  { table: 'apps', event: 'UPDATE', columns: ['status', 'name'] },
  { table: 'apps', event: 'DELETE' },
  { table: 'users', event: 'UPDATE', columns: ['country'] },
  { table: 'users', event: 'DELETE' },
  { table: 'external_access', event: 'INSERT' },
  { table: 'external_access', event: 'UPDATE', columns: ['revoked_at'] },
  { table: 'external_access', event: 'DELETE' },
];

const TABLES = [...new Set(SIGNALS.map((signal) => signal.table))];

/**
 * Lets each instance keep grants, apps and users in memory and still refuse a revoked grant, a
 * suspended app or a user out of the region at once: the store itself says when such a row
 * changed, whichever process or operator wrote it. PostgreSQL triggers NOTIFY
 * {@link STANDING_CHANNEL}; SQLite's count up the one row of `standing_version`.
 */
export const standingSignals: Migration = {
  async up(db: Kysely<any>) {
    if (isPostgres(db)) await postgresSignals(db);
    else await sqliteSignals(db);
  },
};

async function postgresSignals(db: Kysely<any>): Promise<void> {
  await sql`CREATE FUNCTION notify_standing_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(${sql.lit(STANDING_CHANNEL)}, TG_TABLE_SCHEMA);
  RETURN NULL;
END $$`.execute(db);
  for (const { table, event, columns } of SIGNALS) {
    const when = columns ? `WHEN (${columns.map((c) => `OLD.${c} IS DISTINCT FROM NEW.${c}`).join(' OR ')}) ` : '';
    await sql.raw(`CREATE TRIGGER ${table}_standing_${event.toLowerCase()} AFTER ${event} ON ${table} FOR EACH ROW ${when}EXECUTE FUNCTION notify_standing_change()`).execute(db);
  }
  for (const table of TABLES) {
    await sql.raw(`CREATE TRIGGER ${table}_standing_truncate AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION notify_standing_change()`).execute(db);
  }
}

async function sqliteSignals(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE standing_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)`.execute(db);
  await sql`INSERT INTO standing_version (id, version) VALUES (1, 0)`.execute(db);
  for (const { table, event, columns } of SIGNALS) {
    // `IS NOT` is SQLite's null-safe inequality, understood by every version that may open the file.
    const when = columns ? `WHEN ${columns.map((c) => `OLD.${c} IS NOT NEW.${c}`).join(' OR ')} ` : '';
    await sql.raw(`CREATE TRIGGER ${table}_standing_${event.toLowerCase()} AFTER ${event} ON ${table} FOR EACH ROW ${when}BEGIN UPDATE standing_version SET version = version + 1; END`).execute(db);
  }
}
