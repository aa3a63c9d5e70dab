import type { Database } from 'better-sqlite3';
import type { ListTable } from '../connection.js';
import { saveRows, type NewRow } from '../sqlite.js';

/** A follow as this service keeps it: who follows whom, and since when (epoch milliseconds). */
export interface FollowRecord {
  followerId: string;
  followeeId: string;
  since: number;
}

/** A user's followers, longest-standing first, then by the follower's id: the list `User.followers` pages through. */
export const FOLLOWERS_OF: ListTable = { table: 'follows', parent: 'followeeId', time: 'since', id: 'followerId' };
/** The users a user follows, longest-standing first, then by their id: the list `User.following` pages through. */
export const FOLLOWED_BY: ListTable = { table: 'follows', parent: 'followerId', time: 'since', id: 'followeeId' };

/** The follows service's store: one row per follow, indexed for paging either side's list in order. */
export class FollowsStore {
  constructor(readonly db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS follows (
        followerId TEXT NOT NULL, followeeId TEXT NOT NULL, since INTEGER NOT NULL,
        PRIMARY KEY (followerId, followeeId), CHECK (followerId <> followeeId)
      );
      CREATE INDEX IF NOT EXISTS followersOf ON follows (followeeId, since, followerId);
      CREATE INDEX IF NOT EXISTS followedBy ON follows (followerId, since, followeeId);
    `);
  }

  /** Writes follows, replacing any between the same two people, in one transaction. */
  save(follows: Iterable<NewRow<FollowRecord>>): number {
    return saveRows<FollowRecord>(this.db, 'follows', ['followerId', 'followeeId', 'since'], follows);
  }
}
