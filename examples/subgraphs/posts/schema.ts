import { buildSubgraphSchema } from '@apollo/subgraph';
import type DataLoader from 'dataloader';
import type { GraphQLSchema } from 'graphql';
import { rfc3339, type Page } from '../connection.js';
import { listField, pagesOf, rowsById, type PageKey } from '../loaders.js';
import { contractSdl } from '../subgraph.js';
import { POSTS_BY_AUTHOR, type PostRecord, type PostsStore } from './store.js';

/** What the posts resolvers read through, new for every request. */
export interface PostsContext {
  posts: DataLoader<string, PostRecord | null>;
  postPages: DataLoader<PageKey, Page<PostRecord>, string>;
}

export function postsContext(store: PostsStore): PostsContext {
  return { posts: rowsById((ids) => store.byIds(ids)), postPages: pagesOf<PostRecord>(store.db, POSTS_BY_AUTHOR) };
}

const resolvers = {
  User: {
    // A `User` representation is only its key; the lists hang off that id.
    posts: listField((context: PostsContext) => context.postPages, (post) => ({ time: post.createdAt, id: post.id }), (post) => post),
  },
  Post: {
    __resolveReference: ({ id }: { id: string }, { posts }: PostsContext) => posts.load(id),
    media: (post: PostRecord) =>
      post.mediaType === null
        ? null
        : { url: post.mediaUrl, type: post.mediaType, durationSeconds: post.mediaDurationMs === null ? null : post.mediaDurationMs / 1000 },
    counts: (post: PostRecord) => ({ likes: post.likeCount, comments: post.commentCount, shares: post.shareCount, views: post.viewCount }),
    createdAt: (post: PostRecord) => rfc3339(post.createdAt),
    updatedAt: (post: PostRecord) => rfc3339(post.updatedAt),
  },
};

/** The posts subgraph: the published contract, resolved over {@link PostsStore}. */
export function postsSchema(): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: contractSdl('posts'), resolvers }]);
}
