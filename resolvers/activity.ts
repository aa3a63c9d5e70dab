import { pageRequest, toConnection, toGlobalId } from '../src/graph/index.js';
import type { Resolvers } from './__generated__/types.js';
import type { NodeFetcher } from './common.js';

export const activityEventNode: NodeFetcher = async (id, viewer, { loaders }) => {
  const event = await loaders.activityEvent.load(id);
  return event?.userId === viewer.userId ? event : undefined;
};

export const activityResolvers: Resolvers = {
  Viewer: {
    async activity(viewer, args, { loaders }) {
      const page = await loaders.activityPage.load({ parentId: viewer.userId, request: pageRequest('activity', args) });
      return toConnection('activity', page, (event) => ({ time: event.occurredAt, id: event.id }));
    },
  },
  ActivityEvent: {
    id: (event) => toGlobalId('ActivityEvent', event.id),
    target: (event) => ({ type: event.targetType, ref: event.targetRef, text: event.targetText }),
  },
};
