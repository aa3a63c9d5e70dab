import { pageRequest, toConnection, toGlobalId } from '../src/graph/index.js';
import type { Resolvers } from './__generated__/types.js';
import type { NodeFetcher } from './common.js';

export const postNode: NodeFetcher = async (id, viewer, { loaders }) => {
  const post = await loaders.post.load(id);
  return post?.authorId === viewer.userId ? post : undefined;
};

export const postsResolvers: Resolvers = {
  Viewer: {
    async posts(viewer, args, { loaders }) {
      const page = await loaders.postPage.load({ parentId: viewer.userId, request: pageRequest('post', args) });
      return toConnection('post', page, (post) => ({ time: post.createdAt, id: post.id }));
    },
  },
  Post: {
    id: (post) => toGlobalId('Post', post.id),
    media: (post) =>
      post.mediaUrl && post.mediaType
        ? {
            url: post.mediaUrl,
            type: post.mediaType,
            durationSeconds: post.mediaDurationMs === null ? null : post.mediaDurationMs / 1000,
          }
        : null,
    counts: (post) => ({
      likes: post.likeCount,
      comments: post.commentCount,
      shares: post.shareCount,
      views: post.viewCount,
    }),
  },
};
