import type { ActivitySource, PostsSource } from '../store/index.js';
import { ACTIVITY_EVENT, POST } from './contract-types.js';
import { entitiesByIds, type RemoteSubgraph } from './remote-entity.js';
import { remoteCount, remoteList, remotePages } from './remote-lists.js';

/** The posts category from the platform's posts subgraph: `Post` entities and `User.posts`. */
export function remotePostsSource(subgraph: RemoteSubgraph): PostsSource {
  const posts = remoteList({ name: 'posts', parentType: 'User', field: 'posts', entity: POST, belongsTo: (row, authorId) => row.authorId === authorId });
  return {
    postsByIds: (ids) => entitiesByIds(subgraph, POST, ids),
    postPages: (authorIds, request) => remotePages(subgraph, posts, authorIds, request),
    postCount: (authorId) => remoteCount(subgraph, posts, authorId),
  };
}

/** The activity category from the platform's activity subgraph: `ActivityEvent` entities and `User.activity`. */
export function remoteActivitySource(subgraph: RemoteSubgraph): ActivitySource {
  const events = remoteList({ name: 'activity', parentType: 'User', field: 'activity', entity: ACTIVITY_EVENT, belongsTo: (row, userId) => row.userId === userId });
  return {
    eventsByIds: (ids) => entitiesByIds(subgraph, ACTIVITY_EVENT, ids),
    eventPages: (userIds, request) => remotePages(subgraph, events, userIds, request),
    eventCount: (userId) => remoteCount(subgraph, events, userId),
  };
}
