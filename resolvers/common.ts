import {
  CountryCodeResolver,
  DateTimeResolver,
  EmailAddressResolver,
  LocalDateResolver,
  NonNegativeFloatResolver,
  NonNegativeIntResolver,
} from 'graphql-scalars';
import { assertTypeReadable } from '../src/auth/index.js';
import { unauthenticated } from '../src/errors/index.js';
import { fromGlobalId, toGlobalId, type Context, type NodeType, type Viewer } from '../src/graph/index.js';
import type { Resolvers } from './__generated__/types.js';
import { activityEventNode } from './activity.js';
import { archiveNode } from './archives.js';
import { followNode, userNode } from './follows.js';
import { conversationNode, messageNode } from './messages.js';
import { postNode } from './posts.js';
import { profileNode } from './profile.js';
import { URLScalar } from './url-scalar.js';

/** Fetches one node of the viewer's data by platform id; anything outside it comes back undefined. */
export type NodeFetcher = (id: string, viewer: Viewer, context: Context) => Promise<object | undefined>;

const nodeFetchers: Record<NodeType, NodeFetcher> = {
  Profile: profileNode,
  User: userNode,
  Post: postNode,
  Follow: followNode,
  ActivityEvent: activityEventNode,
  Conversation: conversationNode,
  Message: messageNode,
  Archive: archiveNode,
};

/** The viewer, or `UNAUTHENTICATED` (HTTP 401) when the request carried no token. */
export function requireViewer(context: Context): Viewer {
  if (!context.viewer) throw unauthenticated('This operation needs an access token: send `Authorization: Bearer <token>`.', false);
  return context.viewer;
}

/** A row the store's foreign keys guarantee; its absence is a broken store, not bad input. */
export function required<Row>(row: Row | undefined, what: string): Row {
  if (row === undefined) throw new Error(`${what} is missing from the store`);
  return row;
}

const typenames = new WeakMap<object, NodeType>();

/**
 * One node of the viewer's data, marked with its type for `Node.__resolveType`; null for anything
 * outside the viewer's data. Both `node(id:)` and change events resolve their nodes here.
 */
export async function resolveNode(type: NodeType, id: string, context: Context): Promise<object | null> {
  const found = await nodeFetchers[type](id, requireViewer(context), context);
  if (!found) return null;
  // A user's row can be both a Profile and a User within one request: those two get a copy to
  // carry their type. Every other row is of one type only, and is marked as it is.
  const node = type === 'Profile' || type === 'User' ? { ...found } : found;
  typenames.set(node, type);
  return node;
}

export const commonResolvers: Resolvers = {
  DateTime: DateTimeResolver,
  LocalDate: LocalDateResolver,
  URL: URLScalar,
  CountryCode: CountryCodeResolver,
  EmailAddress: EmailAddressResolver,
  NonNegativeInt: NonNegativeIntResolver,
  NonNegativeFloat: NonNegativeFloatResolver,
  Query: {
    viewer: (_parent, _args, context) => requireViewer(context),
    async node(_parent, args, context, info) {
      requireViewer(context);
      const { type, id } = fromGlobalId(args.id);
      assertTypeReadable(info.schema, type, context);
      return (await resolveNode(type, id, context)) as never;
    },
  },
  Node: {
    __resolveType: (node) => typenames.get(node) ?? null,
  },
  User: {
    id: (user) => toGlobalId('User', user.id),
  },
};
