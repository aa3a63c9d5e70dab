import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { QueryDialect } from '../dialect.js';
import { activitySource, type ActivitySource } from './activity.js';
import { changesSource, type ChangesSource } from './changes.js';
import { followsSource, type FollowsSource } from './follows.js';
import { messagesSource, type ConversationListRow, type MessagesSource } from './messages.js';
import { postsSource, type PostsSource } from './posts.js';
import { profileSource, type ProfileSource } from './profile.js';

export type { ActivitySource, ChangesSource, ConversationListRow, FollowsSource, MessagesSource, PostsSource, ProfileSource };

/**
 * One data-access interface per category. Resolvers and loaders see only these, so a category can
 * later be served by a platform service instead of the local store without touching them.
 */
export interface Sources {
  profile: ProfileSource;
  posts: PostsSource;
  follows: FollowsSource;
  activity: ActivitySource;
  messages: MessagesSource;
  /** Not a category: the log of changes to all five. */
  changes: ChangesSource;
}

/**
 * The sources over the local store. The query path's reads run on `queries` (statements built
 * once, rows in their final shape); the rest (counts for archives, the change log) on Kysely.
 */
export function localSources(db: Kysely<Database>, queries: QueryDialect): Sources {
  return {
    profile: profileSource(queries),
    posts: postsSource(db, queries),
    follows: followsSource(db, queries),
    activity: activitySource(db, queries),
    messages: messagesSource(db, queries),
    changes: changesSource(db),
  };
}
