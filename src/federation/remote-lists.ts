import { z } from 'zod';
import { staleCursor } from '../errors/index.js';
import type { Page, PageRequest, SourceCursor } from '../store/index.js';
import { dropped, malformed, readEntity, type RemoteEntity, type RemoteSubgraph } from './remote-entity.js';
import type { EntityFetch } from './entity-batcher.js';

/** A Relay connection of the contract, hanging off an entity: a user's posts, a conversation's messages, … */
export interface RemoteList<Node, Row> {
  /** The list's name in its cursors' seal: `posts`, `followers`, … */
  name: string;
  /** The entity it hangs off, and the field that lists it. */
  parentType: 'User' | 'Conversation';
  field: string;
  entity: RemoteEntity<Node, Row>;
  /** Whether a row of the list belongs to its parent; one that does not is left out. */
  belongsTo(row: Row, parentId: string): boolean;
}

/** A list, typed by its entity. */
export function remoteList<Node, Row>(list: RemoteList<Node, Row>): RemoteList<Node, Row> {
  return list;
}

/** The most rows one page may ask a subgraph for (the contract's bound). */
export const MAX_REMOTE_PAGE = 1000;

const connectionSchema = z.object({
  edges: z.array(z.object({ cursor: z.string().min(1), node: z.unknown().optional() })),
  pageInfo: z.object({ hasNextPage: z.boolean(), hasPreviousPage: z.boolean() }),
});

/**
 * One page of the list for each parent, read in one `_entities` field for every parent that asks
 * from the same place (each parent's own cursor otherwise, all in the same request). The
 * subgraph's answer is checked: no more rows than asked for get through, each row must belong to
 * its parent, and each edge keeps the subgraph's cursor, sealed for that list and parent.
 */
export async function remotePages<Node, Row>(
  subgraph: RemoteSubgraph,
  list: RemoteList<Node, Row>,
  parentIds: readonly string[],
  request: PageRequest,
): Promise<Map<string, Page<Row>>> {
  const reads = groupByCursor(subgraph, list, parentIds, request);
  const pages = new Map<string, Page<Row>>();
  await Promise.all(
    reads.map(async (fetch) => {
      const objects = await subgraph.batcher.load(fetch);
      fetch.ids.forEach((parentId, i) => pages.set(parentId, readPage(subgraph, list, parentId, objects[i], request)));
    }),
  );
  return pages;
}

/** Every row of a parent's list, page after page of the contract's largest size. */
export async function* remoteRows<Node, Row>(subgraph: RemoteSubgraph, list: RemoteList<Node, Row>, parentId: string): AsyncIterable<Row[]> {
  let after: SourceCursor | undefined;
  for (;;) {
    const page = (await remotePages(subgraph, list, [parentId], { first: MAX_REMOTE_PAGE, after })).get(parentId)!;
    if (page.rows.length > 0) yield page.rows;
    if (!page.hasNextPage || !page.cursors?.length) return;
    after = page.cursors.at(-1);
  }
}

/** How many rows a parent's list holds, counted a page of cursors at a time. */
export async function remoteCount<Node, Row>(subgraph: RemoteSubgraph, list: RemoteList<Node, Row>, parentId: string): Promise<number> {
  let count = 0;
  let after: string | undefined;
  for (;;) {
    const args: Record<string, readonly [string, unknown]> = { first: ['Int', MAX_REMOTE_PAGE], ...(after ? { after: ['String', after] } : {}) };
    const [object] = await subgraph.batcher.load({
      typename: list.parentType,
      ids: [parentId],
      selection: `${list.field}(${argumentList(args)}) { edges { cursor } pageInfo { hasNextPage hasPreviousPage } }`,
      args,
    });
    if (object === null) return count;
    const connection = connectionSchema.safeParse((object as Record<string, unknown>)[list.field]);
    if (!connection.success) throw malformed(subgraph, `${list.parentType}.${list.field} is not a connection`);
    const { edges, pageInfo } = connection.data;
    count += Math.min(edges.length, MAX_REMOTE_PAGE);
    if (!pageInfo.hasNextPage || edges.length === 0) return count;
    after = edges.at(-1)!.cursor;
  }
}

/** The `_entities` reads a page request makes: one for the parents that start at the edge, one per parent with a cursor. */
function groupByCursor<Node, Row>(subgraph: RemoteSubgraph, list: RemoteList<Node, Row>, parentIds: readonly string[], request: PageRequest): EntityFetch[] {
  const backward = request.last !== undefined;
  const size = Math.min(backward ? request.last! : (request.first ?? 0), MAX_REMOTE_PAGE);
  const cursor = backward ? request.before : request.after;
  const read = (ids: string[], token?: string): EntityFetch => {
    const args = {
      [backward ? 'last' : 'first']: ['Int', size],
      ...(token !== undefined ? { [backward ? 'before' : 'after']: ['String', token] } : {}),
    } as Record<string, readonly [string, unknown]>;
    const selection = `${list.field}(${argumentList(args)}) { edges { cursor node { ${list.entity.selection} } } pageInfo { hasNextPage hasPreviousPage } }`;
    return { typename: list.parentType, ids, selection, args };
  };
  if (cursor === undefined) return [read([...parentIds])];
  if ('time' in cursor) throw staleCursor(backward ? 'before' : 'after');
  return parentIds.map((parentId) => read([parentId], subgraph.seal.open(list.name, parentId, cursor, backward ? 'before' : 'after')));
}


function argumentList(args: Record<string, unknown>): string {
  return Object.keys(args)
    .map((name) => `${name}: $${name}`)
    .join(', ');
}

/** One parent's page from its object in the answer (null: the subgraph knows no such parent, so its list is empty). */
function readPage<Node, Row>(subgraph: RemoteSubgraph, list: RemoteList<Node, Row>, parentId: string, object: unknown, request: PageRequest): Page<Row> {
  const backward = request.last !== undefined;
  const size = backward ? request.last! : request.first!;
  if (object === null) return { rows: [], cursors: [], hasNextPage: false, hasPreviousPage: false };
  const parsed = connectionSchema.safeParse((object as Record<string, unknown>)[list.field]);
  if (!parsed.success) throw malformed(subgraph, `${list.parentType}.${list.field} is not a connection`);
  let { edges } = parsed.data;
  const { hasNextPage, hasPreviousPage } = parsed.data.pageInfo;
  const over = edges.length > size;
  if (over) {
    dropped(subgraph, list.field, `page answered ${edges.length} edges to a request for ${size}; the extra ones`);
    edges = backward ? edges.slice(-size) : edges.slice(0, size);
  }
  const rows: Row[] = [];
  const cursors: SourceCursor[] = [];
  for (const edge of edges) {
    const row = readEntity(subgraph, list.entity, edge.node);
    if (row === undefined) continue;
    if (!list.belongsTo(row, parentId)) {
      dropped(subgraph, list.entity.typename, `in ${parentId}'s ${list.name} belongs to someone else`);
      continue;
    }
    rows.push(row);
    cursors.push(subgraph.seal.seal(list.name, parentId, edge.cursor));
  }
  return {
    rows,
    cursors,
    hasNextPage: hasNextPage || (over && !backward),
    hasPreviousPage: hasPreviousPage || (over && backward),
  };
}
