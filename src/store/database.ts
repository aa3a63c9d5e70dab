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
  /** The key webhook deliveries are signed with; kept as is, since signing needs it. */
  webhookSecret: string | null;
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

/**
 * A user's access for an app through the external issuer's JWTs: the user never consented here,
 * so this row is what the account page shows and what its Revoke ends.
 */
export interface ExternalAccessTable {
  userId: string;
  appId: string;
  /** Category names of the latest token's scope, space-separated. */
  categories: string;
  mode: GrantMode;
  firstUsedAt: Millis;
  /** When a token was last served, to within a minute: it is not written on every request. */
  lastUsedAt: Millis;
  /** Set by the user's Revoke; a new grant of the user to the app clears it. */
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

/** The five categories of a user's data, as scopes and stored rows name them (the GraphQL enum spells them in capitals). */
export type Category = 'profile' | 'posts' | 'follows' | 'activity' | 'messages';
export type ChangeEntity = 'Profile' | 'Post' | 'Follow' | 'ActivityEvent' | 'Conversation' | 'Message';

/** One change to one user's data, at a position in the log. */
export interface ChangesTable {
  position: Generated<number>;
  userId: string;
  category: Category;
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

export type ArchiveStatus = 'PENDING' | 'RUNNING' | 'READY' | 'FAILED' | 'CANCELLED' | 'EXPIRED';

/** An archive job: what it holds, how far it got, who is running it (under a lease), and its file. */
export interface ArchivesTable {
  id: string;
  userId: string;
  appId: string;
  grantId: string;
  grantMode: GrantMode;
  /** Category names, space-separated. */
  categories: string;
  status: ArchiveStatus;
  /** JSON: records written so far per file, `{"posts.jsonl": 120, …}`. */
  progress: string;
  /** Records the archive will hold, counted when the job starts. */
  totalRecords: number | null;
  createdAt: Millis;
  updatedAt: Millis;
  readyAt: Millis | null;
  expiresAt: Millis | null;
  sizeBytes: number | null;
  sha256: string | null;
  leaseOwner: string | null;
  leaseUntil: Millis | null;
  attempts: number;
  error: string | null;
}

export type WebhookEventStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

/** A webhook event waiting for (or done with) delivery: the durable queue. */
export interface WebhookEventsTable {
  id: string;
  appId: string;
  type: 'archive.ready' | 'grant.revoked';
  /** The JSON body, exactly as it is signed and sent. */
  payload: string;
  status: WebhookEventStatus;
  attempts: number;
  createdAt: Millis;
  nextAttemptAt: Millis;
  deliveredAt: Millis | null;
}

/** One attempt to deliver a webhook event, whatever its outcome. */
export interface WebhookAttemptsTable {
  eventId: string;
  attempt: number;
  at: Millis;
  url: string;
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
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
  externalAccess: ExternalAccessTable;
  oidcPayloads: OidcPayloadsTable;
  serverSecrets: ServerSecretsTable;
  accountSessions: AccountSessionsTable;
  accessLog: AccessLogTable;
  changes: ChangesTable;
  ingestedEvents: IngestedEventsTable;
  changeLogState: ChangeLogStateTable;
  archives: ArchivesTable;
  webhookEvents: WebhookEventsTable;
  webhookAttempts: WebhookAttemptsTable;
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
export type ExternalAccessRow = Selectable<ExternalAccessTable>;
export type AccessLogRow = Selectable<AccessLogTable>;
export type ArchiveRow = Selectable<ArchivesTable>;
export type WebhookEventRow = Selectable<WebhookEventsTable>;
