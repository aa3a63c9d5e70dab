import type { Resolvers } from './__generated__/types.js';
import { accessResolvers } from './access.js';
import { activityResolvers } from './activity.js';
import { archivesResolvers } from './archives.js';
import { changesResolvers } from './changes.js';
import { commonResolvers } from './common.js';
import { followsResolvers } from './follows.js';
import { messagesResolvers } from './messages.js';
import { postsResolvers } from './posts.js';
import { profileResolvers } from './profile.js';

/** Every resolver map, one module per schema file; `makeExecutableSchema` merges them. */
export const resolvers: Resolvers[] = [
  commonResolvers,
  accessResolvers,
  profileResolvers,
  postsResolvers,
  followsResolvers,
  activityResolvers,
  messagesResolvers,
  changesResolvers,
  archivesResolvers,
];
