import { holdsCategory, type Category } from '../src/auth/index.js';
import { followId } from '../src/changes/index.js';
import { pageRequest, toConnection, toGlobalId, type FollowEdgeModel, type Viewer } from '../src/graph/index.js';
import type { Loaders } from '../src/loaders/index.js';
import type { FollowRow, Page } from '../src/store/index.js';
import type { Resolvers } from './__generated__/types.js';
import { required, type NodeFetcher } from './common.js';

/** The loader telling whether a person is tied to the viewer, for each category that ties people. */
const TIES = { follows: 'followsViewer', messages: 'messagesViewer' } as const satisfies Partial<Record<Category, keyof Loaders>>;
const TIED_BY = Object.keys(TIES) as (keyof typeof TIES)[];

/**
 * Another person is part of the viewer's data through a relation in a granted category: a follow
 * either way under follows, a shared conversation under messages. The viewer's own User belongs
 * to the profile grant. A relation of a category outside the grant is never asked, so no answer
 * depends on it. The read is logged under the category that allowed it: the scope gate cannot
 * tell which of User's categories that was.
 */
export const userNode: NodeFetcher = async (id, viewer, { loaders, access }) => {
  const category = id === viewer.userId ? (holdsCategory(viewer.scopes, 'profile') ? 'profile' : undefined) : await tieOf(id, viewer, loaders);
  if (!category) return undefined;
  const user = await loaders.user.load(id);
  if (user) access.record(category, 1);
  return user;
};

/** The first granted category whose relation ties `id` to the viewer. */
async function tieOf(id: string, viewer: Viewer, loaders: Loaders): Promise<Category | undefined> {
  const granted = TIED_BY.filter((category) => holdsCategory(viewer.scopes, category));
  // Asked together, so each relation's loader takes every id of this level in one statement.
  const tied = await Promise.all(granted.map((category) => loaders[TIES[category]].load(id)));
  return granted.find((_, i) => tied[i]);
}

/** A follow is part of the viewer's data when the viewer is one of its two people. */
export const followNode: NodeFetcher = async (id, viewer, { loaders }) => {
  const pair = parsePair(id);
  if (!pair || !pair.includes(viewer.userId)) return undefined;
  return loaders.follow.load(followId(...pair));
};

function parsePair(id: string): [string, string] | undefined {
  try {
    const pair: unknown = JSON.parse(id);
    return Array.isArray(pair) && pair.length === 2 && pair.every((p) => typeof p === 'string') ? (pair as [string, string]) : undefined;
  } catch (error) {
    // Not an id this gateway issued: the same as one that does not exist.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

function followConnection(kind: 'follower' | 'following', page: Page<FollowRow>) {
  const other = kind === 'follower' ? 'followerId' : 'followeeId';
  const edges = page.rows.map((row) => ({ userId: row[other], since: row.createdAt, follow: row }));
  return toConnection(kind, { ...page, rows: edges }, (edge) => ({ time: edge.since, id: edge.userId }));
}

export const followsResolvers: Resolvers = {
  Viewer: {
    async followers(viewer, args, { loaders }) {
      const request = pageRequest('follower', args);
      return followConnection('follower', await loaders.followerPage.load({ parentId: viewer.userId, request }));
    },
    async following(viewer, args, { loaders }) {
      const request = pageRequest('following', args);
      return followConnection('following', await loaders.followingPage.load({ parentId: viewer.userId, request }));
    },
  },
  Follow: {
    id: (follow) => toGlobalId('Follow', followId(follow.followerId, follow.followeeId)),
    since: (follow) => follow.createdAt,
    follower: async (follow, _args, { loaders }) => required(await loaders.user.load(follow.followerId), `user ${follow.followerId}`),
    followee: async (follow, _args, { loaders }) => required(await loaders.user.load(follow.followeeId), `user ${follow.followeeId}`),
  },
  FollowEdge: {
    since: (edge: FollowEdgeModel) => edge.node.since,
    follow: (edge) => edge.node.follow,
    node: async (edge, _args, { loaders }) => required(await loaders.user.load(edge.node.userId), `user ${edge.node.userId}`),
  },
};
