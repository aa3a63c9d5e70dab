import type { Database } from 'better-sqlite3';
import type { ListTable } from '../connection.js';
import { KeyedTable } from '../sqlite.js';

/** A post as this service keeps it: times in epoch milliseconds, media and counts in columns. */
export interface PostRecord {
  id: string;
  authorId: string;
  caption: string | null;
  mediaUrl: string | null;
  mediaType: 'IMAGE' | 'VIDEO' | 'AUDIO' | null;
  mediaDurationMs: number | null;
  visibility: 'PUBLIC' | 'FOLLOWERS' | 'PRIVATE';
  likeCount: number;
  commentCount: number;
  shareCount: number;
  viewCount: number;
  createdAt: number;
  updatedAt: number;
}

/** An author's posts, oldest first: the list `User.posts` pages through. */
export const POSTS_BY_AUTHOR: ListTable = { table: 'posts', parent: 'authorId', time: 'createdAt', id: 'id' };

const COLUMNS = [
  'id', 'authorId', 'caption', 'mediaUrl', 'mediaType', 'mediaDurationMs', 'visibility',
  'likeCount', 'commentCount', 'shareCount', 'viewCount', 'createdAt', 'updatedAt',
] as const satisfies readonly (keyof PostRecord)[];

/** The posts service's store: one table, indexed for paging an author's posts in order. */
export class PostsStore extends KeyedTable<PostRecord> {
  constructor(db: Database) {
    super(db, 'posts', COLUMNS);
    db.exec(`
      CREATE TABLE IF NOT EXISTS posts (
        id TEXT PRIMARY KEY, authorId TEXT NOT NULL, caption TEXT, mediaUrl TEXT, mediaType TEXT,
        mediaDurationMs INTEGER, visibility TEXT NOT NULL, likeCount INTEGER NOT NULL, commentCount INTEGER NOT NULL,
        shareCount INTEGER NOT NULL, viewCount INTEGER NOT NULL, createdAt INTEGER NOT NULL, updatedAt INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS postsByAuthor ON posts (authorId, createdAt, id);
    `);
  }
}
