import path from 'node:path';
import fs from 'node:fs';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { CamelCasePlugin, Kysely, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type LogEvent, type SqliteDatabase } from 'kysely';
import type { Database } from './database.js';

/**
 * Everything that differs between the embedded store and PostgreSQL lives in this file; the
 * migrations and queries above it are the same SQL on both.
 */
export type DialectName = 'sqlite' | 'postgres';

export interface ConnectOptions {
  /** `postgres://…`; unset means the embedded SQLite store. */
  databaseUrl?: string | undefined;
  /** The SQLite file, or `:memory:`. */
  sqliteFile: string;
  /** A PostgreSQL schema to work in (created if missing); tests use one each. */
  pgSchema?: string | undefined;
  /** Called with every SQL statement the store runs. */
  onQuery?: ((sql: string) => void) | undefined;
  /** Told when the server drops an idle PostgreSQL connection (a restart, an administrator). */
  onConnectionError?: ((error: Error) => void) | undefined;
}

/** PostgreSQL's int8 (our millisecond times, counts) read back as JS numbers, not strings. */
const INT8_OID = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export async function connect(options: ConnectOptions): Promise<{ db: Kysely<Database>; dialect: DialectName }> {
  const log = options.onQuery
    ? (event: LogEvent) => {
        if (event.level === 'query') options.onQuery!(event.query.sql);
      }
    : undefined;
  const plugins = [new CamelCasePlugin()];

  if (options.databaseUrl) {
    if (options.pgSchema) await createSchema(options.databaseUrl, options.pgSchema);
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      types: pgTypes,
      ...(options.pgSchema ? { options: `-c search_path=${options.pgSchema}` } : {}),
    });
    // pg discards the broken client itself and the next query connects anew; without a listener
    // the pool's 'error' event would end the process.
    pool.on('error', options.onConnectionError ?? (() => {}));
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins, log }), dialect: 'postgres' };
  }

  if (options.sqliteFile !== ':memory:') fs.mkdirSync(path.dirname(options.sqliteFile), { recursive: true });
  const database = new SQLite(options.sqliteFile);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }), plugins, log }), dialect: 'sqlite' };
}

/** Prepared statements kept per SQL text; the query set is small and fixed. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * better-sqlite3 with its prepared statements reused. Kysely prepares each query anew, and
 * preparing costs more than running most of this gateway's queries.
 */
function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(sqlText: string) {
      let statement = statements.get(sqlText);
      if (!statement) {
        statement = database.prepare(sqlText);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
        statements.set(sqlText, statement);
      }
      return statement;
    },
  };
}

async function createSchema(databaseUrl: string, schema: string): Promise<void> {
  await adminQuery(databaseUrl, `CREATE SCHEMA IF NOT EXISTS ${schemaName(schema)}`);
}

/** Drops a schema made by {@link connect}'s `pgSchema` (tests clean up with it). */
export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  await adminQuery(databaseUrl, `DROP SCHEMA IF EXISTS ${schemaName(schema)} CASCADE`);
}

function schemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid PostgreSQL schema name ${schema}`);
  return schema;
}

async function adminQuery(databaseUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Whether a Kysely instance talks to PostgreSQL (migrations and the change log need to know). */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Makes the change log's positions follow commit order. A writer takes this transaction-scoped
 * lock just before it appends changes, and holds it until it commits: on PostgreSQL two writers
 * could otherwise commit positions 11 and then 10, and a reader that had passed 11 would never
 * see 10 (the problem Hasura documents for streaming subscriptions). SQLite has one writer at a
 * time already.
 */
export async function lockChangeLog(trx: Kysely<Database>): Promise<void> {
  if (isPostgres(trx)) await sql`SELECT pg_advisory_xact_lock(${CHANGE_LOG_LOCK})`.execute(trx);
}

/**
 * Serializes transactions that name the same key (an archive request per grant): a
 * transaction-scoped advisory lock on PostgreSQL; SQLite has one writer at a time already.
 */
export async function lockKey(trx: Kysely<Database>, key: string): Promise<void> {
  if (isPostgres(trx)) await sql`SELECT pg_advisory_xact_lock(${KEYED_LOCKS}, hashtext(${key}))`.execute(trx);
}

/** The namespace of {@link lockKey}'s two-part advisory locks. */
const KEYED_LOCKS = 0x61726368;

/** An arbitrary, fixed advisory-lock key for the change log. */
const CHANGE_LOG_LOCK = 0x706f7274;

