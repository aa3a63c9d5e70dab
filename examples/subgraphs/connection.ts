import type { Database } from 'better-sqlite3';
import { GraphQLError } from 'graphql';
import { placeholders } from './sqlite.js';

/** The contract's page sizes: every list accepts `first` or `last` within 1..1000. */
export const MAX_PAGE_SIZE = 1000;
/** The page size when a request names neither `first` nor `last`. */
export const DEFAULT_PAGE_SIZE = 20;

/** A list field's arguments, as GraphQL passes them. */
export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** A row's place in a list's order: its time (epoch milliseconds), then its id. */
export interface Position {
  time: number;
  id: string;
}

/** One page to read: `size` rows after `after` (forward) or before `before` (backward). */
export interface PageRequest {
  size: number;
  backward: boolean;
  after?: Position | undefined;
  before?: Position | undefined;
}

/** A page's rows in the list's order, and whether more lie on either side. */
export interface Page<Row> {
  rows: Row[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Which table a list reads, which column it hangs off, and the two columns of its order. */
export interface ListTable {
  table: string;
  parent: string;
  time: string;
  id: string;
}

/** A Relay connection as the contract spells it. */
export interface Connection<Node> {
  edges: { cursor: string; node: Node }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const badInput = (message: string, argumentName: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argumentName } });

/**
 * This service's own cursor: a row's position as base64url JSON. The gateway treats it as an
 * opaque string and hands it back as it was.
 */
export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.time, position.id])).toString('base64url');
}

function decodeCursor(cursor: string, argumentName: string): Position {
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (Number.isSafeInteger(time) && typeof id === 'string') return { time: time as number, id };
  } catch {
    // Not JSON: refused below like any other cursor this service did not issue.
  }
  throw badInput(`\`${argumentName}\` is not a cursor of this list.`, argumentName);
}

/** Checks a list's arguments against the contract and turns them into a page request. */
export function pageRequest(args: ConnectionArgs): PageRequest {
  const { first, last } = args;
  if (first != null && last != null) throw badInput('Pass either `first` or `last`, not both.', 'first');
  for (const [name, value] of [['first', first], ['last', last]] as const) {
    if (value != null && (value < 1 || value > MAX_PAGE_SIZE)) {
      throw badInput(`\`${name}\` must be between 1 and ${MAX_PAGE_SIZE}; got ${value}.`, name);
    }
  }
  return {
    size: last ?? first ?? DEFAULT_PAGE_SIZE,
    backward: last != null,
    after: args.after == null ? undefined : decodeCursor(args.after, 'after'),
    before: args.before == null ? undefined : decodeCursor(args.before, 'before'),
  };
}

/** Equal for two requests that read the same page of different parents, so they can share a statement. */
export function pageRequestKey(request: PageRequest): string {
  return JSON.stringify([request.size, request.backward, request.after, request.before]);
}

/**
 * Reads one page of `list` for every parent in one statement. One parent is an index range scan
 * with a LIMIT; several take a window that numbers each parent's rows in the list's order. One
 * row past the page tells whether another page follows.
 */
export function readPages<Row extends object>(
  db: Database,
  list: ListTable,
  parentIds: readonly string[],
  request: PageRequest,
): Map<string, Page<Row>> {
  const { table, parent, time, id } = list;
  const direction = request.backward ? 'DESC' : 'ASC';
  const conditions = [`${parent} IN (${placeholders(parentIds)})`];
  const parameters: unknown[] = [...parentIds];
  if (request.after) conditions.push(`(${time}, ${id}) > (?, ?)`), parameters.push(request.after.time, request.after.id);
  if (request.before) conditions.push(`(${time}, ${id}) < (?, ?)`), parameters.push(request.before.time, request.before.id);
  const order = `${time} ${direction}, ${id} ${direction}`;
  const where = conditions.join(' AND ');
  const statement =
    parentIds.length === 1
      ? `SELECT * FROM ${table} WHERE ${where} ORDER BY ${order} LIMIT ?`
      : `SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY ${parent} ORDER BY ${order}) AS pageRank FROM ${table} WHERE ${where})` +
        ' WHERE pageRank <= ? ORDER BY pageRank';
  const rows = db.prepare(statement).all(...parameters, request.size + 1) as (Row & { pageRank?: number })[];

  const byParent = new Map<string, Row[]>(parentIds.map((parentId) => [parentId, []]));
  for (const { pageRank: _rank, ...row } of rows) byParent.get((row as Record<string, unknown>)[parent] as string)!.push(row as Row);
  const pages = new Map<string, Page<Row>>();
  for (const [parentId, parentRows] of byParent) {
    const more = parentRows.length > request.size;
    const pageRows = parentRows.slice(0, request.size);
    if (request.backward) pageRows.reverse();
    // Whether rows lie beyond the cursor the page started from is not read: Relay allows answering
    // "there are" for a cursor's far side, and costs no second statement.
    pages.set(parentId, {
      rows: pageRows,
      hasNextPage: request.backward ? request.before !== undefined : more,
      hasPreviousPage: request.backward ? more : request.after !== undefined,
    });
  }
  return pages;
}

/** Builds a connection from a page: each edge's cursor is its row's position. */
export function toConnection<Row, Node>(page: Page<Row>, position: (row: Row) => Position, node: (row: Row) => Node): Connection<Node> {
  const edges = page.rows.map((row) => ({ cursor: encodeCursor(position(row)), node: node(row) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** An epoch-milliseconds time as the contract's RFC 3339 string. */
export const rfc3339 = (millis: number): string => new Date(millis).toISOString();
