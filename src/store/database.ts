import type { Insertable, Selectable } from 'kysely';

/** Times are stored as integer milliseconds since the Unix epoch on both dialects. */
export type Millis = number;

export interface UsersTable {
  id: string;
  username: string;
  displayName: string;
  bio: string | null;
  avatarUrl: string | null;
  email: string;
  birthDate: string | null;
  country: string;
  createdAt: Millis;
  updatedAt: Millis;
}

export interface PostsTable {
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
  createdAt: Millis;
  updatedAt: Millis;
}

export interface FollowsTable {
  followerId: string;
  followeeId: string;
  createdAt: Millis;
}

export interface ActivityEventsTable {
  id: string;
  userId: string;
  kind: 'LIKE' | 'COMMENT' | 'SHARE' | 'SEARCH' | 'WATCH' | 'LOGIN';
  targetType: 'POST' | 'USER' | 'QUERY' | 'DEVICE';
  targetRef: string | null;
  targetText: string | null;
  occurredAt: Millis;
}

export interface ConversationsTable {
  id: string;
  createdAt: Millis;
}

export interface ConversationParticipantsTable {
  conversationId: string;
  userId: string;
  joinedAt: Millis;
}

export interface MessagesTable {
  id: string;
  conversationId: string;
  senderId: string;
  text: string;
  sentAt: Millis;
}

export interface AccessTokensTable {
  tokenHash: string;
  userId: string;
  clientId: string;
  scope: string;
  createdAt: Millis;
  expiresAt: Millis;
  revokedAt: Millis | null;
}


/** The store's tables, with camelCase columns (snake_case in SQL through Kysely's CamelCasePlugin). */
export interface Database {
  users: UsersTable;
  posts: PostsTable;
  follows: FollowsTable;
  activityEvents: ActivityEventsTable;
  conversations: ConversationsTable;
  conversationParticipants: ConversationParticipantsTable;
  messages: MessagesTable;
  accessTokens: AccessTokensTable;
}

export type UserRow = Selectable<UsersTable>;
export type PostRow = Selectable<PostsTable>;
export type FollowRow = Selectable<FollowsTable>;
export type ActivityEventRow = Selectable<ActivityEventsTable>;
export type ConversationRow = Selectable<ConversationsTable>;
export type ConversationParticipantRow = Selectable<ConversationParticipantsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type AccessTokenRow = Selectable<AccessTokensTable>;
export type NewUser = Insertable<UsersTable>;
