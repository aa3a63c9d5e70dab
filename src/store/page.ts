import { sql, type Kysely, type Selectable } from 'kysely';
import { staleCursor } from '../errors/index.js';
import type { Database } from './database.js';
import type { Prepared, QueryDialect } from './dialect.js';
import { ref, ROW_COLUMNS, selectList, sqlTable, type ColumnOf, type QueryTable } from './row-columns.js';

/** A position in a connection's order in the embedded store: the row's time, then its id. */
export interface Cursor {
  time: number;
  id: string;
}

/**
 * A position a platform's subgraph gave for a row of a federated category: its own opaque cursor,
 * sealed by the gateway so that only one it issued for that list comes back.
 */
export interface SourceCursor {
  token: string;
}

/** Where a page starts or ends: a position in the store's order, or a subgraph's own. */
export type PageCursor = Cursor | SourceCursor;

/** One page of a connection, already checked: exactly one of `first` or `last` is set, within 1..100. */
export interface PageRequest {
  first?: number | undefined;
  after?: PageCursor | undefined;
  last?: number | undefined;
  before?: PageCursor | undefined;
}

/** The rows of a page in the connection's order, and whether more lie beyond it. */
export interface Page<Row> {
  rows: Row[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** Each row's cursor as the source gave it, when the source keeps its own (a subgraph); else cursors are the rows' positions. */
  cursors?: readonly SourceCursor[] | undefined;
}

/**
 * `cursor` as a position in the store's order, or `BAD_USER_INPUT` for a subgraph's cursor: one
 * issued while the category was federated means nothing to the embedded store.
 */
export function keysetCursor(cursor: PageCursor | undefined, argumentName: string): Cursor | undefined {
  if (cursor === undefined || 'time' in cursor) return cursor;
  throw staleCursor(argumentName);
}

/** Which columns of a table make up a connection: the parent it hangs off, and its order. */
export interface Ordering<T extends QueryTable> {
  table: T;
  parent: ColumnOf<T>;
  time: ColumnOf<T>;
  id: ColumnOf<T>;
}

/** How many rows hang off one parent: an index-only count, for archive progress. */
export async function countByParent<T extends QueryTable>(db: Kysely<Database>, ordering: Ordering<T>, parentId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(ordering.table)} WHERE ${sql.ref(ordering.parent)} = ${parentId}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** The values of a page statement, by the index its placeholders name. */
const PARENTS = 0;
const AFTER_TIME = 1;
const AFTER_ID = 2;
const BEFORE_TIME = 3;
const BEFORE_ID = 4;
const LIMIT = 5;

/** Bits of a page statement's shape: everything its text depends on. */
const SINGLE = 1;
const BACKWARD = 2;
const HAS_AFTER = 4;
const HAS_BEFORE = 8;

/** Reads pages of one connection for any number of parents at once. */
export type PageReader<Row> = (parentIds: readonly string[], request: PageRequest) => Promise<Map<string, Page<Row>>>;

/**
 * Reads one page for each parent in a single statement, in the order (time, then id), each
 * parent's rows read through the (parent, time, id) index with a LIMIT of its own: a page of N
 * conversations costs N pages of messages, whatever their histories hold. Fetching one row past
 * the page tells whether another page follows.
 *
 * The statement's text depends only on the request's shape (one parent or several, direction,
 * which bounds are set), so at most sixteen are ever built per connection and each is prepared once.
 */
export function pageReader<T extends QueryTable>(queries: QueryDialect, ordering: Ordering<T>): PageReader<Selectable<Database[T]>> {
  const statements = new Map<number, Prepared>();
  const statementFor = (shape: number) => {
    let statement = statements.get(shape);
    if (!statement) statements.set(shape, (statement = pageStatement(queries, ordering, shape)));
    return statement;
  };

  return async (requested, request) => {
    // A parent named twice would get its rows twice.
    const parentIds = requested.length === 1 ? requested : [...new Set(requested)];
    const backward = request.last !== undefined;
    const size = (backward ? request.last : request.first) ?? 0;
    const after = keysetCursor(request.after, 'after');
    const before = keysetCursor(request.before, 'before');
    const shape = (parentIds.length === 1 ? SINGLE : 0) | (backward ? BACKWARD : 0) | (after ? HAS_AFTER : 0) | (before ? HAS_BEFORE : 0);
    const rows = await queries.run<Selectable<Database[T]>>(statementFor(shape), [
      parentIds.length === 1 ? parentIds[0] : parentIds,
      after?.time, after?.id, before?.time, before?.id,
      size + 1,
    ]);

    const byParent = new Map<string, Selectable<Database[T]>[]>(parentIds.map((p) => [p, []]));
    for (const row of rows) byParent.get((row as Record<string, unknown>)[ordering.parent] as string)?.push(row);
    const pages = new Map<string, Page<Selectable<Database[T]>>>();
    for (const [parentId, parentRows] of byParent) {
      const more = parentRows.length > size;
      if (more) parentRows.length = size;
      if (backward) parentRows.reverse();
      pages.set(parentId, {
        rows: parentRows,
        hasNextPage: backward ? before !== undefined : more,
        hasPreviousPage: backward ? more : after !== undefined,
      });
    }
    return pages;
  };
}

function pageStatement<T extends QueryTable>(queries: QueryDialect, ordering: Ordering<T>, shape: number): Prepared {
  const descending = (shape & BACKWARD) !== 0;
  return queries.prepare((param) => {
    const position = `(${ref('t', ordering.time)}, ${ref('t', ordering.id)})`;
    const conditions = [
      ...((shape & HAS_AFTER) !== 0 ? [`${position} > (${param(AFTER_TIME)}, ${param(AFTER_ID)})`] : []),
      ...((shape & HAS_BEFORE) !== 0 ? [`${position} < (${param(BEFORE_TIME)}, ${param(BEFORE_ID)})`] : []),
    ];
    const columns = ROW_COLUMNS[ordering.table] as readonly string[];
    if ((shape & SINGLE) === 0) {
      return queries.parentPages({ ...ordering, columns, descending, conditions, parents: param(PARENTS), limit: param(LIMIT) });
    }
    const direction = descending ? 'DESC' : 'ASC';
    return (
      `SELECT ${selectList('t', columns)} FROM ${sqlTable(ordering.table)} AS t ` +
      `WHERE ${[`${ref('t', ordering.parent)} = ${param(PARENTS)}`, ...conditions].join(' AND ')} ` +
      `ORDER BY ${ref('t', ordering.time)} ${direction}, ${ref('t', ordering.id)} ${direction} LIMIT ${param(LIMIT)}`
    );
  });
}
