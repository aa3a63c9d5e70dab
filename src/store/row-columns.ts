import type { Database } from './database.js';

/** The tables the query path reads through prepared statements rather than Kysely's builder. */
export type QueryTable = 'users' | 'posts' | 'follows' | 'activityEvents' | 'conversations' | 'conversationParticipants' | 'messages';

/** A column of a query-path table, as its rows name it (camelCase). */
export type ColumnOf<T extends QueryTable> = keyof Database[T] & string;

/** Every column, listed as an object so the compiler refuses a list that misses one. */
function every<T extends QueryTable>(columns: { [K in ColumnOf<T>]-?: true }): readonly ColumnOf<T>[] {
  return Object.keys(columns) as ColumnOf<T>[];
}

/**
 * The columns each query-path read selects: all of them, since rows keep the table's full type
 * (`PostRow`, …) and the resolvers and archives read every field.
 */
export const ROW_COLUMNS: { [T in QueryTable]: readonly ColumnOf<T>[] } = {
  users: every<'users'>({
    id: true, username: true, displayName: true, bio: true, avatarUrl: true, email: true, birthDate: true, country: true, createdAt: true, updatedAt: true,
  }),
  posts: every<'posts'>({
    id: true, authorId: true, caption: true, mediaUrl: true, mediaType: true, mediaDurationMs: true, visibility: true,
    likeCount: true, commentCount: true, shareCount: true, viewCount: true, createdAt: true, updatedAt: true,
  }),
  follows: every<'follows'>({ followerId: true, followeeId: true, createdAt: true }),
  activityEvents: every<'activityEvents'>({ id: true, userId: true, kind: true, targetType: true, targetRef: true, targetText: true, occurredAt: true }),
  conversations: every<'conversations'>({ id: true, createdAt: true }),
  conversationParticipants: every<'conversationParticipants'>({ conversationId: true, userId: true, joinedAt: true }),
  messages: every<'messages'>({ id: true, conversationId: true, senderId: true, text: true, sentAt: true }),
};

/** A table or column name as SQL spells it: snake_case, as Kysely's `CamelCasePlugin` maps it. */
export function sqlName(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** A quoted table name. */
export function sqlTable(table: QueryTable): string {
  return `"${sqlName(table)}"`;
}

/** A column of the table under `alias`: `t."sent_at"`. */
export function ref(alias: string, column: string): string {
  return `${alias}."${sqlName(column)}"`;
}

/**
 * A select list whose output names are the row's own (`t."sent_at" AS "sentAt"`), so rows come
 * back in the shape the code uses without mapping each one.
 */
export function selectList(alias: string, columns: readonly string[]): string {
  return columns.map((column) => (sqlName(column) === column ? ref(alias, column) : `${ref(alias, column)} AS "${column}"`)).join(', ');
}
