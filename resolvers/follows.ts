import { followId } from '../src/changes/index.js';
import { pageRequest, toConnection, toGlobalId, type FollowEdgeModel } from '../src/graph/index.js';
import type { FollowRow, Page } from '../src/store/index.js';
import type { Resolvers } from './__generated__/types.js';
import { required, type NodeFetcher } from './common.js';

/** Another person is part of the viewer's data when they follow the viewer, are followed, or share a conversation. */
export const userNode: NodeFetcher = async (id, viewer, { loaders }) => {
  const connected =
    id === viewer.userId || (await loaders.followsViewer.load(id)) || (await loaders.messagesViewer.load(id));
  return connected ? loaders.user.load(id) : undefined;
};

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
