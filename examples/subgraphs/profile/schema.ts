import { buildSubgraphSchema } from '@apollo/subgraph';
import type DataLoader from 'dataloader';
import type { GraphQLSchema } from 'graphql';
import { rfc3339 } from '../connection.js';
import { rowsById } from '../loaders.js';
import { contractSdl } from '../subgraph.js';
import type { ProfileStore, UserRecord } from './store.js';

/** What the profile resolvers read through, new for every request. */
export interface ProfileContext {
  users: DataLoader<string, UserRecord | null>;
}

export function profileContext(store: ProfileStore): ProfileContext {
  return { users: rowsById((ids) => store.byIds(ids)) };
}

const resolvers = {
  User: {
    // Any user, not only the viewer: the gateway reads other people's public fields here too.
    __resolveReference: ({ id }: { id: string }, { users }: ProfileContext) => users.load(id),
    createdAt: (user: UserRecord) => rfc3339(user.createdAt),
  },
};

/** The profile subgraph: the published contract, resolved over {@link ProfileStore}. */
export function profileSchema(): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: contractSdl('profile'), resolvers }]);
}
