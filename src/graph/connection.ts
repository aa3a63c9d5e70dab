import { badInput } from '../errors/index.js';
import type { Cursor, Page, PageCursor, PageRequest } from '../store/index.js';

/** Page sizes allowed for `first` and `last`, as at GitHub. */
export const MAX_PAGE_SIZE = 100;
/** The page size when neither `first` nor `last` is given. */
export const DEFAULT_PAGE_SIZE = 20;

/** Which connection a cursor belongs to, so one cannot be replayed against another. */
export type CursorKind = 'post' | 'follower' | 'following' | 'activity' | 'conversation' | 'message' | 'change';

export interface ConnectionArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}

export interface Edge<Node> {
  cursor: string;
  node: Node;
}

export interface Connection<Node> {
  edges: Edge<Node>[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/**
 * A cursor as apps see it: opaque, naming its connection. A position in the store's order is
 * `kind:time:id`; a subgraph's own cursor (a federated category) is `kind:s:token`.
 */
export function encodeCursor(kind: CursorKind, position: PageCursor): string {
  const text = 'token' in position ? `${kind}:${SOURCE_MARK}:${position.token}` : `${kind}:${position.time}:${position.id}`;
  return Buffer.from(text).toString('base64url');
}

/** Stands in a cursor where the time would, to mark a subgraph's cursor. */
const SOURCE_MARK = 's';

/** A change log position as `Change.cursor` spells it: what `changes(after:)` takes. */
export function changeCursor(position: number): string {
  return encodeCursor('change', { time: position, id: String(position) });
}

export function decodeCursor(kind: CursorKind, cursor: string, argumentName: string): PageCursor {
  const [cursorKind, time, ...id] = Buffer.from(cursor, 'base64url').toString().split(':');
  const valid = /^[A-Za-z0-9_-]+$/.test(cursor) && (time === SOURCE_MARK || /^\d{1,15}$/.test(time ?? '')) && id.length > 0 && id.join(':') !== '';
  if (!valid) throw badInput(`\`${argumentName}\` is not a valid cursor. Use a \`cursor\` returned by this connection.`, argumentName);
  if (cursorKind !== kind) throw badInput(`\`${argumentName}\` is a cursor of another connection.`, argumentName);
  return time === SOURCE_MARK ? { token: id.join(':') } : { time: Number(time), id: id.join(':') };
}

/** Checks a connection's arguments and turns them into a page request, or throws `BAD_USER_INPUT`. */
export function pageRequest(kind: CursorKind, args: ConnectionArgs): PageRequest {
  const { first, last } = args;
  if (first != null && last != null) throw badInput('Pass either `first` or `last`, not both.', 'first');
  for (const [name, value] of [['first', first], ['last', last]] as const) {
    if (value != null && (value < 1 || value > MAX_PAGE_SIZE)) {
      throw badInput(`\`${name}\` must be between 1 and ${MAX_PAGE_SIZE}; got ${value}.`, name);
    }
  }
  return {
    ...(last != null ? { last } : { first: first ?? DEFAULT_PAGE_SIZE }),
    ...(args.after != null ? { after: decodeCursor(kind, args.after, 'after') } : {}),
    ...(args.before != null ? { before: decodeCursor(kind, args.before, 'before') } : {}),
  };
}

/** Builds a Relay connection from a page, each edge's cursor the one its source gave, or its row's position. */
export function toConnection<Node>(kind: CursorKind, page: Page<Node>, position: (node: Node) => Cursor): Connection<Node> {
  const { cursors } = page;
  const edges = page.rows.map((node, i) => ({ cursor: encodeCursor(kind, cursors ? cursors[i]! : position(node)), node }));
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
