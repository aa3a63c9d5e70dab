import type { Database } from 'better-sqlite3';
import type { ListTable } from '../connection.js';
import { KeyedTable } from '../sqlite.js';

/** An activity event as this service keeps it: its target in columns, its time in epoch milliseconds. */
export interface ActivityEventRecord {
  id: string;
  userId: string;
  kind: 'LIKE' | 'COMMENT' | 'SHARE' | 'SEARCH' | 'WATCH' | 'LOGIN';
  targetType: 'POST' | 'USER' | 'QUERY' | 'DEVICE';
  targetRef: string | null;
  targetText: string | null;
  occurredAt: number;
}

/** A user's activity, oldest first: the list `User.activity` pages through. */
export const EVENTS_BY_USER: ListTable = { table: 'activityEvents', parent: 'userId', time: 'occurredAt', id: 'id' };

const COLUMNS = ['id', 'userId', 'kind', 'targetType', 'targetRef', 'targetText', 'occurredAt'] as const satisfies readonly (keyof ActivityEventRecord)[];

/** The activity service's store: one table, indexed for paging a user's events in order. */
export class ActivityStore extends KeyedTable<ActivityEventRecord> {
  constructor(db: Database) {
    super(db, 'activityEvents', COLUMNS);
    db.exec(`
      CREATE TABLE IF NOT EXISTS activityEvents (
        id TEXT PRIMARY KEY, userId TEXT NOT NULL, kind TEXT NOT NULL, targetType TEXT NOT NULL,
        targetRef TEXT, targetText TEXT, occurredAt INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS eventsByUser ON activityEvents (userId, occurredAt, id);
    `);
  }
}
