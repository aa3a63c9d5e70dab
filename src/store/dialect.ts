import path from 'node:path';
import fs from 'node:fs';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { CamelCasePlugin, CompiledQuery, Kysely, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type LogEvent, type SqliteDatabase } from 'kysely';
import type { Database } from './database.js';
import { ref, selectList, sqlTable, type QueryTable } from './row-columns.js';
import { postgresStandingVersion } from './standing-listener.js';
import { sqliteStandingVersion, type StandingVersion } from './standing-version.js';
import { watchStandingWrites } from './write-watch.js';

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

/** An open store: Kysely for most of the code, and the query path's prepared statements beside it. */
export interface Connection {
  db: Kysely<Database>;
  dialect: DialectName;
  queries: QueryDialect;
  /** Starts telling when a grant's standing rows may have changed; `onError` hears of a lost listener. */
  standingVersion(onError: (error: unknown) => void): Promise<StandingVersion>;
}

export async function connect(options: ConnectOptions): Promise<Connection> {
  const log = options.onQuery
    ? (event: LogEvent) => {
        if (event.level === 'query') options.onQuery!(event.query.sql);
      }
    : undefined;
  const plugins = [new CamelCasePlugin()];

  const { databaseUrl } = options;
  if (databaseUrl) {
    if (options.pgSchema) await createSchema(databaseUrl, options.pgSchema);
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 10,
      types: pgTypes,
      ...(options.pgSchema ? { options: `-c search_path=${options.pgSchema}` } : {}),
    });
    // pg discards the broken client itself and the next query connects anew; without a listener
    // the pool's 'error' event would end the process.
    pool.on('error', options.onConnectionError ?? (() => {}));
    const localWrites = new Set<() => void>();
    const dialect = watchStandingWrites(new PostgresDialect({ pool }), () => localWrites.forEach((listener) => listener()));
    return {
      db: new Kysely<Database>({ dialect, plugins, log }),
      dialect: 'postgres',
      queries: postgresQueries(pool, options.onQuery),
      standingVersion: (onError) =>
        postgresStandingVersion({
          databaseUrl,
          pgSchema: options.pgSchema,
          onError,
          onLocalWrite: (listener) => (localWrites.add(listener), () => void localWrites.delete(listener)),
        }),
    };
  }

  if (options.sqliteFile !== ':memory:') fs.mkdirSync(path.dirname(options.sqliteFile), { recursive: true });
  const database = new SQLite(options.sqliteFile);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }), plugins, log });
  return { db, dialect: 'sqlite', queries: sqliteQueries(db), standingVersion: async () => sqliteStandingVersion(database) };
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

/** A statement of fixed text: prepared once per connection, then run with new values each time. */
export interface Prepared {
  /** The name PostgreSQL prepares it under; one name per text. */
  readonly name: string;
  readonly text: string;
  /** The value (an index into `run`'s values) each placeholder of the text takes, in order. */
  readonly order: readonly number[];
}

/** The statement a multi-parent page runs: each parent's first rows, in the connection's order. */
export interface ParentPagesStatement {
  table: QueryTable;
  columns: readonly string[];
  /** Row names (camelCase) of the parent, time and id columns: an index on (parent, time, id) serves them. */
  parent: string;
  time: string;
  id: string;
  descending: boolean;
  /** Bounds on the row under alias `t` besides its parent: the keyset. */
  conditions: readonly string[];
  /** Placeholders: the parent ids (a list value), and how many rows each parent may give. */
  parents: string;
  limit: string;
}

/**
 * The query path's SQL beside Kysely's builder: statement texts built once and kept prepared,
 * whose select lists already name columns as rows do, so no plugin maps the rows.
 */
export interface QueryDialect {
  /** Builds a statement's text once; `param(i)` stands for the i-th value given to {@link QueryDialect.run}. */
  prepare(build: (param: (index: number) => string) => string): Prepared;
  /** Runs a prepared statement (reported to `onQuery` like Kysely's own). An array value is a list. */
  run<Row>(statement: Prepared, values: readonly unknown[]): Promise<Row[]>;
  /** `column` equals one of the strings of a list value. */
  inList(column: string, list: string): string;
  /** `(a, b)` equals one of the pairs of a list value of `[a, b]` pairs. */
  pairIn(a: string, b: string, list: string): string;
  /** Each parent's page, read with a LIMIT per parent: what a page costs is its size, not the parent's history. */
  parentPages(page: ParentPagesStatement): string;
}

/** Marks a placeholder while a text is built; {@link prepareWith} puts the dialect's own in its place. */
const placeholderMark = (index: number) => `\u0001${index}\u0002`;
const PLACEHOLDER_MARKS = /\u0001(\d+)\u0002/g;

/** Statement names by text, shared by every pool of the process so one name never means two texts. */
const statementNames = new Map<string, string>();

function prepareWith(placeholders: 'positional' | 'numbered'): QueryDialect['prepare'] {
  return (build) => {
    const order: number[] = [];
    const text = build(placeholderMark).replace(PLACEHOLDER_MARKS, (_mark, digits: string) => {
      const index = Number(digits);
      // SQLite's `?` each take the next value, so a value used twice is bound twice; `$n` names one.
      if (placeholders === 'positional' || !order.includes(index)) order.push(index);
      return placeholders === 'positional' ? '?' : `$${order.indexOf(index) + 1}`;
    });
    let name = statementNames.get(text);
    if (!name) statementNames.set(text, (name = `store_${statementNames.size + 1}`));
    return { name, text, order };
  };
}

/**
 * SQLite: `?` placeholders, lists as JSON read by `json_each`. Statements run through Kysely's
 * executor without its plugins, so they wait for the one connection like every other query (never
 * inside another caller's open transaction) and reuse the statement cache.
 */
function sqliteQueries(db: Kysely<Database>): QueryDialect {
  const executor = db.withoutPlugins().getExecutor();
  const compiled = new Map<string, CompiledQuery>();
  return {
    prepare: prepareWith('positional'),
    async run<Row>(statement: Prepared, values: readonly unknown[]) {
      let base = compiled.get(statement.text);
      if (!base) compiled.set(statement.text, (base = CompiledQuery.raw(statement.text)));
      const parameters = statement.order.map((index) => {
        const value = values[index];
        return Array.isArray(value) ? JSON.stringify(value) : value;
      });
      return (await executor.executeQuery<Row>({ ...base, parameters })).rows;
    },
    inList: (column, list) => `${column} IN (SELECT value FROM json_each(${list}))`,
    pairIn: (a, b, list) => `(${a}, ${b}) IN (SELECT value ->> 0, value ->> 1 FROM json_each(${list}))`,
    // No LATERAL: a correlated subquery with its own LIMIT picks each parent's rows by the index,
    // and the outer query reads them by rowid.
    parentPages: (page) => {
      const order = (alias: string) => orderBy(alias, page);
      return (
        `SELECT ${selectList('r', page.columns)} FROM json_each(${page.parents}) AS p ` +
        `JOIN ${sqlTable(page.table)} AS r ON r.rowid IN (SELECT t.rowid FROM ${sqlTable(page.table)} AS t ` +
        `WHERE ${[`${ref('t', page.parent)} = p.value`, ...page.conditions].join(' AND ')} ORDER BY ${order('t')} LIMIT ${page.limit}) ` +
        `ORDER BY p.key, ${order('r')}`
      );
    },
  };
}

/** PostgreSQL: numbered placeholders, lists as arrays, named prepared statements on each pooled connection. */
function postgresQueries(pool: pg.Pool, onQuery: ((sql: string) => void) | undefined): QueryDialect {
  return {
    prepare: prepareWith('numbered'),
    async run<Row>(statement: Prepared, values: readonly unknown[]) {
      const result = await pool.query({ name: statement.name, text: statement.text, values: statement.order.map((index) => values[index]) });
      onQuery?.(statement.text);
      return result.rows as Row[];
    },
    inList: (column, list) => `${column} = ANY(${list}::text[])`,
    pairIn: (a, b, list) => `(${a}, ${b}) IN (SELECT (${list}::text[])[i][1], (${list}::text[])[i][2] FROM generate_subscripts(${list}::text[], 1) AS i)`,
    parentPages: (page) =>
      `SELECT page.* FROM unnest(${page.parents}::text[]) WITH ORDINALITY AS p(id, position) ` +
      `CROSS JOIN LATERAL (SELECT ${selectList('t', page.columns)} FROM ${sqlTable(page.table)} AS t ` +
      `WHERE ${[`${ref('t', page.parent)} = p.id`, ...page.conditions].join(' AND ')} ORDER BY ${orderBy('t', page)} LIMIT ${page.limit}) AS page ` +
      `ORDER BY p.position, page."${page.time}" ${direction(page)}, page."${page.id}" ${direction(page)}`,
  };
}

function direction(page: ParentPagesStatement): string {
  return page.descending ? 'DESC' : 'ASC';
}

function orderBy(alias: string, page: ParentPagesStatement): string {
  return `${ref(alias, page.time)} ${direction(page)}, ${ref(alias, page.id)} ${direction(page)}`;
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

