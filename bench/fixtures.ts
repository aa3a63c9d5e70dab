import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createAuthority, DEMO_APP, seedDemoAccess } from '../src/auth/index.js';
import { openStore, type DialectName, type Store } from '../src/store/index.js';

/**
 * The issuer every benchmark gateway is started with, so one token is good on all of them
 * (candidate and naive) whatever port each listens on.
 */
export const BENCH_ISSUER = 'http://bench.invalid';

/** A seeded store of one dialect that benchmark gateways are pointed at. */
export interface BenchStore {
  dialect: DialectName;
  /** The environment that points a gateway at it. */
  env: Record<string, string>;
  /** alice's access token, granting every category once. */
  token: string;
  /** Opens the store in this process (statement counting), with `onQuery` called for every statement. */
  open(onQuery?: (sql: string) => void): Promise<Store>;
  close(): Promise<void>;
}

/**
 * A fresh store holding the demo data and an access token for alice. SQLite lives in a temporary
 * DATA_DIR; PostgreSQL gets a database of its own on the server of `postgresUrl`, dropped and
 * created anew (`bench`, or a random name for short runs that may overlap a test run).
 */
export async function prepareStore(dialect: DialectName, options: { postgresUrl?: string | undefined; databaseName: string }): Promise<BenchStore> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-queries-'));
  let databaseUrl: string | undefined;
  if (dialect === 'postgres') {
    const admin = new URL(options.postgresUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    admin.pathname = '/postgres';
    await adminQuery(admin.href, [`DROP DATABASE IF EXISTS ${options.databaseName} WITH (FORCE)`, `CREATE DATABASE ${options.databaseName}`]);
    const url = new URL(admin.href);
    url.pathname = `/${options.databaseName}`;
    databaseUrl = url.href;
  }
  const open = (onQuery?: (sql: string) => void) => openStore({ databaseUrl, dataDir, onQuery });
  const store = await open();
  await store.migrate();
  await seedDemoAccess(store.db);
  const authority = await createAuthority(store.db, { issuer: BENCH_ISSUER, oneTimeSeconds: 86400, recurringSeconds: 86400, extraCountries: new Set() });
  const token = await authority.issueToken('alice', DEMO_APP.clientId, 'portability.all.single');
  await store.close();
  return {
    dialect,
    env: { DATA_DIR: dataDir, DEMO_DATA: 'false', PUBLIC_URL: BENCH_ISSUER, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
    token,
    open,
    async close() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (dialect === 'postgres' && options.databaseName !== 'bench') {
        const admin = new URL(databaseUrl!);
        admin.pathname = '/postgres';
        await adminQuery(admin.href, [`DROP DATABASE IF EXISTS ${options.databaseName} WITH (FORCE)`]);
      }
    },
  };
}

/** Whether a PostgreSQL server answers at `url`. */
export async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    // Unreachable is the answer asked for; the report says PostgreSQL was skipped.
    return false;
  }
}

async function adminQuery(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}
