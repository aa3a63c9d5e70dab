import DataLoader from 'dataloader';
import type { Database } from 'better-sqlite3';
import {
  pageRequest, pageRequestKey, readPages, toConnection,
  type Connection, type ConnectionArgs, type ListTable, type Page, type PageRequest, type Position,
} from './connection.js';

/**
 * Rows by id, read in one statement for every id asked in the same tick: `_entities` resolves
 * each representation on its own, and this turns N of them into one `WHERE id IN (…)`.
 */
export function rowsById<Row extends { id: string }>(read: (ids: readonly string[]) => Row[]): DataLoader<string, Row | null> {
  return new DataLoader(async (ids) => {
    const rows = new Map(read(ids).map((row) => [row.id, row]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

/** Rows grouped by a parent id (a conversation's participants), read in one statement per tick. */
export function rowsByParent<Row>(read: (parentIds: readonly string[]) => Row[], parentOf: (row: Row) => string): DataLoader<string, Row[]> {
  return new DataLoader(async (parentIds) => {
    const groups = new Map<string, Row[]>(parentIds.map((parentId) => [parentId, []]));
    for (const row of read(parentIds)) groups.get(parentOf(row))?.push(row);
    return parentIds.map((parentId) => groups.get(parentId)!);
  });
}

/** One parent's page of a list. */
export interface PageKey {
  parentId: string;
  request: PageRequest;
}

/**
 * Pages of a list, one statement for all the parents that ask for the same page in one tick
 * (the messages of every conversation on a page of conversations).
 */
export function pagesOf<Row extends object>(db: Database, list: ListTable): DataLoader<PageKey, Page<Row>, string> {
  return new DataLoader<PageKey, Page<Row>, string>(
    async (keys) => {
      const groups = new Map<string, { request: PageRequest; parentIds: string[] }>();
      for (const { parentId, request } of keys) {
        const group = groups.get(pageRequestKey(request)) ?? { request, parentIds: [] };
        group.parentIds.push(parentId);
        groups.set(pageRequestKey(request), group);
      }
      const pages = new Map<string, Page<Row>>();
      for (const [requestKey, { request, parentIds }] of groups) {
        for (const [parentId, page] of readPages<Row>(db, list, parentIds, request)) pages.set(`${requestKey} ${parentId}`, page);
      }
      return keys.map(({ parentId, request }) => pages.get(`${pageRequestKey(request)} ${parentId}`)!);
    },
    { cacheKeyFn: ({ parentId, request }) => `${pageRequestKey(request)} ${parentId}` },
  );
}

/**
 * The resolver of a list field: the parent's page through the loader `pagesIn` picks from the
 * request's context, as a connection whose cursors are each row's `position`.
 */
export function listField<Context, Row, Node>(
  pagesIn: (context: Context) => DataLoader<PageKey, Page<Row>, string>,
  position: (row: Row) => Position,
  node: (row: Row) => Node,
) {
  return async ({ id }: { id: string }, args: ConnectionArgs, context: Context): Promise<Connection<Node>> =>
    toConnection(await pagesIn(context).load({ parentId: id, request: pageRequest(args) }), position, node);
}
