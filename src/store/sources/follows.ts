import type { Kysely } from 'kysely';
import type { Database, FollowRow } from '../database.js';
import { countByParent, pagesByParent, type Page, type PageRequest } from '../page.js';

/** The follows category: who follows a user and whom they follow, each edge with its time. */
export interface FollowsSource {
  followerPages(userIds: readonly string[], request: PageRequest): Promise<Map<string, Page<FollowRow>>>;
  followingPages(userIds: readonly string[], request: PageRequest): Promise<Map<string, Page<FollowRow>>>;
  followerCount(userId: string): Promise<number>;
  followingCount(userId: string): Promise<number>;
  /** Follows by `[followerId, followeeId]` pairs. */
  followsByPairs(pairs: readonly (readonly [string, string])[]): Promise<FollowRow[]>;
  /** Which of `userIds` follow `userId` or are followed by them. */
  connectedUsers(userId: string, userIds: readonly string[]): Promise<Set<string>>;
}

export function followsSource(db: Kysely<Database>): FollowsSource {
  const followers = { table: 'follows', parent: 'followeeId', time: 'createdAt', id: 'followerId' } as const;
  const following = { table: 'follows', parent: 'followerId', time: 'createdAt', id: 'followeeId' } as const;
  return {
    followerPages: (userIds, request) => pagesByParent(db, followers, userIds, request),
    followingPages: (userIds, request) => pagesByParent(db, following, userIds, request),
    followerCount: (userId) => countByParent(db, followers, userId),
    followingCount: (userId) => countByParent(db, following, userId),
    followsByPairs: (pairs) =>
      db
        .selectFrom('follows')
        .selectAll()
        .where((eb) => eb(eb.refTuple('followerId', 'followeeId'), 'in', pairs.map(([a, b]) => eb.tuple(a, b))))
        .execute(),
    async connectedUsers(userId, userIds) {
      const rows = await db
        .selectFrom('follows')
        .select(['followerId', 'followeeId'])
        .where((eb) =>
          eb.or([
            eb.and([eb('followerId', '=', userId), eb('followeeId', 'in', userIds)]),
            eb.and([eb('followeeId', '=', userId), eb('followerId', 'in', userIds)]),
          ]),
        )
        .execute();
      return new Set(rows.map((r) => (r.followerId === userId ? r.followeeId : r.followerId)));
    },
  };
}
