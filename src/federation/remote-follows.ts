import type { FollowRow, FollowsSource } from '../store/index.js';
import { FOLLOW } from './contract-types.js';
import type { RemoteSubgraph } from './remote-entity.js';
import { remoteCount, remoteList, remotePages, remoteRows } from './remote-lists.js';

/**
 * The follows category from the platform's follows subgraph: `User.followers` and `User.following`.
 * The contract has no follow entity to read one by its two people, so a follow is found in its
 * follower's `following` list (the shorter list, as a rule), and whether two people are tied by a
 * follow likewise: each list is read once per lookup, all of them in the same requests.
 */
export function remoteFollowsSource(subgraph: RemoteSubgraph): FollowsSource {
  const followers = remoteList({ name: 'followers', parentType: 'User', field: 'followers', entity: FOLLOW, belongsTo: (row, userId) => row.followeeId === userId });
  const following = remoteList({ name: 'following', parentType: 'User', field: 'following', entity: FOLLOW, belongsTo: (row, userId) => row.followerId === userId });
  /** Everyone each of `userIds` follows, each list read in full. */
  const followingOf = async (userIds: readonly string[]): Promise<Map<string, FollowRow[]>> => {
    const lists = await Promise.all(
      [...new Set(userIds)].map(async (userId) => {
        const rows: FollowRow[] = [];
        for await (const page of remoteRows(subgraph, following, userId)) rows.push(...page);
        return [userId, rows] as const;
      }),
    );
    return new Map(lists);
  };
  return {
    followerPages: (userIds, request) => remotePages(subgraph, followers, userIds, request),
    followingPages: (userIds, request) => remotePages(subgraph, following, userIds, request),
    followerCount: (userId) => remoteCount(subgraph, followers, userId),
    followingCount: (userId) => remoteCount(subgraph, following, userId),
    async followsByPairs(pairs) {
      const lists = await followingOf(pairs.map(([followerId]) => followerId));
      return pairs.flatMap(([followerId, followeeId]) => lists.get(followerId)?.filter((row) => row.followeeId === followeeId) ?? []);
    },
    async connectedUsers(userId, userIds) {
      const lists = await followingOf([userId, ...userIds]);
      const followed = new Set(lists.get(userId)?.map((row) => row.followeeId));
      return new Set(userIds.filter((id) => followed.has(id) || lists.get(id)?.some((row) => row.followeeId === userId)));
    },
  };
}
