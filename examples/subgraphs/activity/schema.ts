import { buildSubgraphSchema } from '@apollo/subgraph';
import type DataLoader from 'dataloader';
import type { GraphQLSchema } from 'graphql';
import { rfc3339, type Page } from '../connection.js';
import { listField, pagesOf, rowsById, type PageKey } from '../loaders.js';
import { contractSdl } from '../subgraph.js';
import { EVENTS_BY_USER, type ActivityEventRecord, type ActivityStore } from './store.js';

/** What the activity resolvers read through, new for every request. */
export interface ActivityContext {
  events: DataLoader<string, ActivityEventRecord | null>;
  eventPages: DataLoader<PageKey, Page<ActivityEventRecord>, string>;
}

export function activityContext(store: ActivityStore): ActivityContext {
  return { events: rowsById((ids) => store.byIds(ids)), eventPages: pagesOf<ActivityEventRecord>(store.db, EVENTS_BY_USER) };
}

const resolvers = {
  User: {
    // A `User` representation is only its key; the lists hang off that id.
    activity: listField((context: ActivityContext) => context.eventPages, (event) => ({ time: event.occurredAt, id: event.id }), (event) => event),
  },
  ActivityEvent: {
    __resolveReference: ({ id }: { id: string }, { events }: ActivityContext) => events.load(id),
    target: (event: ActivityEventRecord) => ({ type: event.targetType, ref: event.targetRef, text: event.targetText }),
    occurredAt: (event: ActivityEventRecord) => rfc3339(event.occurredAt),
  },
};

/** The activity subgraph: the published contract, resolved over {@link ActivityStore}. */
export function activitySchema(): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: contractSdl('activity'), resolvers }]);
}
