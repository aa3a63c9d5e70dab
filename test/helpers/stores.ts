import { randomBytes } from 'node:crypto';
import { DEMO_PASSWORD, hashPassword } from '../../src/auth/index.js';
import { dropSchema, openStore, seedDemo, type DialectName, type Store } from '../../src/store/index.js';

/**
 * The dialects the store suites run on: SQLite always, PostgreSQL whenever `TEST_DATABASE_URL`
 * is set. `TEST_DIALECTS=sqlite` (or `postgres`) narrows a run.
 */
export function dialects(): DialectName[] {
  const all: DialectName[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
  const only = process.env.TEST_DIALECTS?.split(',');
  return only ? all.filter((d) => only.includes(d)) : all;
}

export interface TestStore {
  store: Store;
  /** The PostgreSQL schema the store works in; another store opened on it shares the data. */
  pgSchema: string | undefined;
  /** SQL statements run since the last {@link TestStore.resetStatements}. */
  statements: string[];
  resetStatements(): void;
  close(): Promise<void>;
}

let demoPasswordHash: Promise<string> | undefined;

/** The demo password's hash, computed once per test file: every test store seeds its users with it. */
export function demoPassword(): Promise<string> {
  return (demoPasswordHash ??= hashPassword(DEMO_PASSWORD));
}

/**
 * A fresh, migrated store of the given dialect, seeded with the demo data (users with the demo
 * password) unless told otherwise; `migratedThrough` stops at that migration, as an older release left it.
 */
export async function openTestStore(dialect: DialectName, options: { seed?: boolean; migratedThrough?: string } = {}): Promise<TestStore> {
  const statements: string[] = [];
  const pgSchema = dialect === 'postgres' ? `test_${randomBytes(6).toString('hex')}` : undefined;
  const databaseUrl = dialect === 'postgres' ? process.env.TEST_DATABASE_URL : undefined;
  const store = await openStore({
    databaseUrl,
    dataDir: '/nonexistent',
    sqliteFile: ':memory:',
    pgSchema,
    onQuery: (sql) => statements.push(sql),
  });
  await store.migrate(options.migratedThrough);
  if (options.seed ?? true) await seedDemo(store.db, { passwordHash: demoPassword });
  statements.length = 0;
  return {
    store,
    pgSchema,
    statements,
    resetStatements: () => {
      statements.length = 0;
    },
    async close() {
      await store.close();
      if (databaseUrl && pgSchema) await dropSchema(databaseUrl, pgSchema);
    },
  };
}
