import type { Database } from 'better-sqlite3';
import { KeyedTable } from '../sqlite.js';

/** A user's profile as this service keeps it: the creation time in epoch milliseconds, the birth date as `YYYY-MM-DD`. */
export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  bio: string | null;
  avatarUrl: string | null;
  email: string;
  birthDate: string | null;
  country: string;
  createdAt: number;
}

const COLUMNS = [
  'id', 'username', 'displayName', 'bio', 'avatarUrl', 'email', 'birthDate', 'country', 'createdAt',
] as const satisfies readonly (keyof UserRecord)[];

/** The profile service's store: one row per user, read by id only (the category has no lists). */
export class ProfileStore extends KeyedTable<UserRecord> {
  constructor(db: Database) {
    super(db, 'users', COLUMNS);
    db.exec(`
      CREATE TABLE IF NOT EXISTS users (
        id TEXT PRIMARY KEY, username TEXT NOT NULL, displayName TEXT NOT NULL, bio TEXT, avatarUrl TEXT,
        email TEXT NOT NULL, birthDate TEXT, country TEXT NOT NULL, createdAt INTEGER NOT NULL
      );
    `);
  }
}
