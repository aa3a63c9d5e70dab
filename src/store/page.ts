import { sql, type Kysely, type RawBuilder } from 'kysely';
import { staleCursor } from '../errors/index.js';
import type { Database } from './database.js';

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
export interface Ordering<T extends keyof Database> {
  table: T;
  parent: keyof Database[T] & string;
  time: keyof Database[T] & string;
  id: keyof Database[T] & string;
}

/** How many rows hang off one parent: an index-only count, for archive progress. */
export async function countByParent<T extends keyof Database>(db: Kysely<Database>, ordering: Ordering<T>, parentId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(ordering.table)} WHERE ${sql.ref(ordering.parent)} = ${parentId}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Reads one page for each parent in a single statement, in the order (time, then id).
 *
 * One parent takes an indexed range scan with a LIMIT; several take a `ROW_NUMBER()` window
 * partitioned by parent, so a page of N conversations costs one statement for all their messages.
 * Fetching one row past the page tells whether another page follows.
 */
export async function pagesByParent<T extends keyof Database>(
  db: Kysely<Database>,
  ordering: Ordering<T>,
  parentIds: readonly string[],
  request: PageRequest,
): Promise<Map<string, Page<Database[T]>>> {
  const backward = request.last !== undefined;
  const size = (backward ? request.last : request.first) ?? 0;
  const [table, parent, time, id] = [sql.table(ordering.table), sql.ref(ordering.parent), sql.ref(ordering.time), sql.ref(ordering.id)];
  const direction = backward ? sql`DESC` : sql`ASC`;
  const after = keysetCursor(request.after, 'after');
  const before = keysetCursor(request.before, 'before');

  const conditions: RawBuilder<unknown>[] = [
    parentIds.length === 1 ? sql`${parent} = ${parentIds[0]}` : sql`${parent} IN (${sql.join(parentIds)})`,
  ];
  if (after) conditions.push(sql`(${time}, ${id}) > (${after.time}, ${after.id})`);
  if (before) conditions.push(sql`(${time}, ${id}) < (${before.time}, ${before.id})`);
  const where = sql.join(conditions, sql` AND `);

  const query =
    parentIds.length === 1
      ? sql<Database[T]>`SELECT * FROM ${table} WHERE ${where} ORDER BY ${time} ${direction}, ${id} ${direction} LIMIT ${size + 1}`
      : sql<Database[T]>`SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY ${parent} ORDER BY ${time} ${direction}, ${id} ${direction}) AS page_rank FROM ${table} WHERE ${where}) ranked WHERE page_rank <= ${size + 1} ORDER BY page_rank`;
  const { rows } = await query.execute(db);

  const byParent = new Map<string, Database[T][]>(parentIds.map((p) => [p, []]));
  for (const ranked of rows) {
    // The window's rank is bookkeeping, not part of the row.
    const { pageRank: _rank, ...row } = ranked as Database[T] & { pageRank?: number };
    byParent.get(ranked[ordering.parent] as string)?.push(row as Database[T]);
  }

  const pages = new Map<string, Page<Database[T]>>();
  for (const [parentId, parentRows] of byParent) {
    const more = parentRows.length > size;
    const pageRows = more ? parentRows.slice(0, size) : parentRows;
    if (backward) pageRows.reverse();
    pages.set(parentId, {
      rows: pageRows,
      hasNextPage: backward ? request.before !== undefined : more,
      hasPreviousPage: backward ? more : request.after !== undefined,
    });
  }
  return pages;
}
