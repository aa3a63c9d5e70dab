import type { Kysely } from 'kysely';
import type { Database, FollowRow } from '../database.js';
import type { QueryDialect } from '../dialect.js';
import { countByParent, pageReader, type Page, type PageRequest } from '../page.js';
import { ref, ROW_COLUMNS, selectList } from '../row-columns.js';

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

export function followsSource(db: Kysely<Database>, queries: QueryDialect): FollowsSource {
  const followers = { table: 'follows', parent: 'followeeId', time: 'createdAt', id: 'followerId' } as const;
  const following = { table: 'follows', parent: 'followerId', time: 'createdAt', id: 'followeeId' } as const;
  const columns = selectList('t', ROW_COLUMNS.follows);
  const [follower, followee] = [ref('t', 'followerId'), ref('t', 'followeeId')];
  const byPairs = queries.prepare((param) => `SELECT ${columns} FROM "follows" AS t WHERE ${queries.pairIn(follower, followee, param(0))}`);
  const connected = queries.prepare(
    (param) =>
      `SELECT ${columns} FROM "follows" AS t ` +
      `WHERE (${follower} = ${param(0)} AND ${queries.inList(followee, param(1))}) OR (${followee} = ${param(0)} AND ${queries.inList(follower, param(1))})`,
  );
  return {
    followerPages: pageReader(queries, followers),
    followingPages: pageReader(queries, following),
    followerCount: (userId) => countByParent(db, followers, userId),
    followingCount: (userId) => countByParent(db, following, userId),
    followsByPairs: (pairs) => queries.run<FollowRow>(byPairs, [pairs]),
    async connectedUsers(userId, userIds) {
      const rows = await queries.run<FollowRow>(connected, [userId, userIds]);
      return new Set(rows.map((r) => (r.followerId === userId ? r.followeeId : r.followerId)));
    },
  };
}
