import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { dropSchema, openStore, type Store } from '../../src/store/index.js';

const databaseUrl = process.env.TEST_DATABASE_URL;

/**
 * PostgreSQL may end an idle pooled connection at any time (a restart, an administrator, DROP
 * DATABASE … WITH (FORCE)). The store reports it and carries on: it must not end the process.
 */
(databaseUrl ? describe : describe.skip)('a PostgreSQL store whose idle connections the server ends', () => {
  const pgSchema = `test_${randomBytes(6).toString('hex')}`;
  const dropped: Error[] = [];
  let store: Store;

  beforeAll(async () => {
    store = await openStore({ databaseUrl, dataDir: '/nonexistent', pgSchema, onConnectionError: (error) => dropped.push(error) });
  });
  afterAll(async () => {
    await store.close();
    await dropSchema(databaseUrl!, pgSchema);
  });

  it('reports the loss and answers the next query on a new connection', async () => {
    const marker = `conn_loss_${pgSchema}`;
    await sql`SELECT ${sql.lit(marker)} AS marker`.execute(store.db);

    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = $1 AND query LIKE $2',
        ['idle', `%${marker}%`],
      );
      expect(rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    for (let i = 0; i < 100 && dropped.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));

    expect(dropped.map((error) => (error as Error & { code?: string }).code)).toEqual(['57P01']);
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(store.db);
    expect(rows).toEqual([{ one: 1 }]);
  });
});
