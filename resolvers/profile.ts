import { toGlobalId } from '../src/graph/index.js';
import type { Resolvers } from './__generated__/types.js';
import type { NodeFetcher } from './common.js';

export const profileNode: NodeFetcher = async (id, viewer, { loaders }) =>
  id === viewer.userId ? loaders.user.load(id) : undefined;

export const profileResolvers: Resolvers = {
  Viewer: {
    profile: async (viewer, _args, { loaders }) => (await loaders.user.load(viewer.userId)) ?? null,
  },
  Profile: {
    id: (profile) => toGlobalId('Profile', profile.id),
  },
};
