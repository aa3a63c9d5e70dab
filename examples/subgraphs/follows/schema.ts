import { buildSubgraphSchema } from '@apollo/subgraph';
import type DataLoader from 'dataloader';
import type { GraphQLSchema } from 'graphql';
import { rfc3339, type Page } from '../connection.js';
import { listField, pagesOf, type PageKey } from '../loaders.js';
import { contractSdl } from '../subgraph.js';
import { FOLLOWED_BY, FOLLOWERS_OF, type FollowRecord, type FollowsStore } from './store.js';

/** What the follows resolvers read through, new for every request. */
export interface FollowsContext {
  followerPages: DataLoader<PageKey, Page<FollowRecord>, string>;
  followingPages: DataLoader<PageKey, Page<FollowRecord>, string>;
}

export function followsContext(store: FollowsStore): FollowsContext {
  return { followerPages: pagesOf<FollowRecord>(store.db, FOLLOWERS_OF), followingPages: pagesOf<FollowRecord>(store.db, FOLLOWED_BY) };
}

const resolvers = {
  User: {
    // A `User` representation is only its key; the lists hang off that id. A follow is ordered, and
    // its cursor placed, by its time and the other person's id.
    followers: listField((context: FollowsContext) => context.followerPages, (follow) => ({ time: follow.since, id: follow.followerId }), (follow) => follow),
    following: listField((context: FollowsContext) => context.followingPages, (follow) => ({ time: follow.since, id: follow.followeeId }), (follow) => follow),
  },
  Follow: {
    since: (follow: FollowRecord) => rfc3339(follow.since),
  },
};

/** The follows subgraph: the published contract, resolved over {@link FollowsStore}. */
export function followsSchema(): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: contractSdl('follows'), resolvers }]);
}
