import type { Generated, Selectable } from 'kysely';

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

export interface CredentialsTable {
  userId: string;
  passwordHash: string;
}

export type AppStatus = 'PENDING_REVIEW' | 'APPROVED' | 'SUSPENDED';

/** A third-party app: an OAuth client whose portability access was reviewed. */
export interface AppsTable {
  id: string;
  name: string;
  /** SHA-256 of the client secret; null for a public client (PKCE only). */
  secretHash: string | null;
  /** JSON array of exact redirect URIs. */
  redirectUris: string;
  contact: string | null;
  /** The scopes the app was approved for, space-separated. */
  scopes: string;
  status: AppStatus;
  webhookUrl: string | null;
  createdAt: Millis;
}

export type GrantMode = 'single' | 'ongoing';

/** A user's grant to an app: which categories, once or recurring, until when. */
export interface GrantsTable {
  /** oidc-provider's grant id. */
  id: string;
  userId: string;
  appId: string;
  /** Category names, space-separated: `profile posts`. */
  categories: string;
  mode: GrantMode;
  createdAt: Millis;
  expiresAt: Millis;
  revokedAt: Millis | null;
}

/** oidc-provider's models (tokens, codes, sessions, interactions, grants), stored under hashed ids. */
export interface OidcPayloadsTable {
  model: string;
  idHash: string;
  payload: string;
  grantId: string | null;
  uidHash: string | null;
  userCode: string | null;
  expiresAt: Millis | null;
  consumedAt: Millis | null;
}

/** Keys the gateway generates once and every instance shares (signing keys, cookie keys). */
export interface ServerSecretsTable {
  name: string;
  value: string;
}

/** A signed-in user's session on the account page. */
export interface AccountSessionsTable {
  idHash: string;
  userId: string;
  csrfToken: string;
  expiresAt: Millis;
}

/** One data request by an app: what it touched and how much it took. */
export interface AccessLogTable {
  id: string;
  at: Millis;
  userId: string;
  appId: string;
  grantId: string;
  operationName: string | null;
  /** Category names touched, space-separated. */
  categories: string;
  items: number;
}

export type ChangeCategory = 'profile' | 'posts' | 'follows' | 'activity' | 'messages';
export type ChangeEntity = 'Profile' | 'Post' | 'Follow' | 'ActivityEvent' | 'Conversation' | 'Message';

/** One change to one user's data, at a position in the log. */
export interface ChangesTable {
  position: Generated<number>;
  userId: string;
  category: ChangeCategory;
  operation: 'UPSERT' | 'DELETE';
  entityType: ChangeEntity;
  entityId: string;
  occurredAt: Millis;
  committedAt: Millis;
}

export interface IngestedEventsTable {
  id: string;
  receivedAt: Millis;
}

export interface ChangeLogStateTable {
  name: string;
  position: number;
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
  credentials: CredentialsTable;
  apps: AppsTable;
  grants: GrantsTable;
  oidcPayloads: OidcPayloadsTable;
  serverSecrets: ServerSecretsTable;
  accountSessions: AccountSessionsTable;
  accessLog: AccessLogTable;
  changes: ChangesTable;
  ingestedEvents: IngestedEventsTable;
  changeLogState: ChangeLogStateTable;
}

export type UserRow = Selectable<UsersTable>;
export type PostRow = Selectable<PostsTable>;
export type FollowRow = Selectable<FollowsTable>;
export type ActivityEventRow = Selectable<ActivityEventsTable>;
export type ConversationRow = Selectable<ConversationsTable>;
export type ConversationParticipantRow = Selectable<ConversationParticipantsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type ChangeRow = Selectable<ChangesTable>;
export type AppRow = Selectable<AppsTable>;
export type GrantRow = Selectable<GrantsTable>;
export type AccessLogRow = Selectable<AccessLogTable>;
