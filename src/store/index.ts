import path from 'node:path';
import { Migrator, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { StandingVersion } from './standing-version.js';
import { connect, type DialectName } from './dialect.js';
import { migrationProvider } from './migrations/index.js';
import { localSources, type Sources } from './sources/index.js';

export type * from './database.js';
export { keysetCursor, type Cursor, type Page, type PageCursor, type PageRequest, type SourceCursor } from './page.js';
export type * from './sources/index.js';
export { dropSchema, isPostgres, lockChangeLog, lockKey, type DialectName } from './dialect.js';
export { seedBulk, type BulkSeedOptions } from './seed-bulk.js';
export { demoRows, seedDemo, type DemoRows } from './seed-demo.js';
export { sharedSecret } from './shared-secret.js';
export { SerialDrain } from './serial-drain.js';
export type { StandingVersion } from './standing-version.js';

/** The store: one Kysely instance on SQLite or PostgreSQL, and the per-category sources over it. */
export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  sources: Sources;
  /** Applies every pending migration, or those up to and including `through` (a migration's name). */
  migrate(through?: string): Promise<void>;
  /** True once every known migration has been applied. */
  isMigrated(): Promise<boolean>;
  /** The names of known migrations not yet applied (none once migrated); reading them proves the store answers. */
  pendingMigrations(): Promise<string[]>;
  /**
   * Starts telling when a grant, an app's status, a user's country or external access may have
   * changed, from any process (a migrated store only); `onError` hears of a lost listener.
   */
  standingVersion(onError: (error: unknown) => void): Promise<StandingVersion>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** `postgres://…`; unset means the embedded SQLite store under `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Overrides the SQLite file (`:memory:` in tests). */
  sqliteFile?: string | undefined;
  /** A PostgreSQL schema to work in, created if missing. */
  pgSchema?: string | undefined;
  /** Called with every SQL statement the store runs. */
  onQuery?: ((sql: string) => void) | undefined;
  /** Told when the server drops an idle PostgreSQL connection; the store reconnects on its own. */
  onConnectionError?: ((error: Error) => void) | undefined;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const { db, dialect, queries, standingVersion } = await connect({
    databaseUrl: options.databaseUrl,
    sqliteFile: options.sqliteFile ?? path.join(options.dataDir, 'gateway.sqlite'),
    pgSchema: options.pgSchema,
    onQuery: options.onQuery,
    onConnectionError: options.onConnectionError,
  });
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(options.pgSchema ? { migrationTableSchema: options.pgSchema } : {}),
  });
  const pendingMigrations = async () => {
    const migrations = await migrator.getMigrations();
    return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
  };
  return {
    db,
    dialect,
    sources: localSources(db, queries),
    async migrate(through) {
      const { error, results } = await (through === undefined ? migrator.migrateToLatest() : migrator.migrateTo(through));
      const failed = results?.find((r) => r.status === 'Error');
      if (error) throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
    },
    isMigrated: async () => (await pendingMigrations()).length === 0,
    pendingMigrations,
    standingVersion,
    close: () => db.destroy(),
  };
}
