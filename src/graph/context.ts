import type { Archives } from '../archive/index.js';
import type { ChangeFeed } from '../changes/index.js';
import type { Loaders } from '../loaders/index.js';
import type { Logger } from '../logging/index.js';
import type { GrantMode } from '../store/index.js';
import type { AccessRecord } from './access-record.js';

/** The grant a request is made under. */
export interface GrantInfo {
  id: string;
  mode: GrantMode;
  appName: string;
  createdAt: number;
  expiresAt: number;
}

/** Who is asking: the user whose data the caller may read, through which app and grant, with which scopes. */
export interface Viewer {
  userId: string;
  /** The app's id (OAuth's `client_id`). */
  appId: string;
  grant: GrantInfo;
  /** The grant's scopes, with `portability.all.*` spelled out per category. */
  scopes: ReadonlySet<string>;
  /** The access token the viewer came with: a stream outlives neither its expiry nor its revocation. */
  credential: Credential;
}

/** The access token behind a viewer. */
export interface Credential {
  /** When the token expires, in epoch milliseconds. */
  expiresAt: number;
  /** The SHA-256 of one of the gateway's own opaque tokens, as the store keys it; undefined for an external JWT. */
  tokenHash: string | undefined;
}

/** When an operation's time is up, in epoch milliseconds, and the time it was given. */
export interface ExecutionDeadline {
  at: number;
  timeoutMs: number;
}

/** The typed context every resolver receives, built once per request. */
export interface Context {
  /** Undefined when the request carried no token. */
  viewer: Viewer | undefined;
  /** The request's loaders; a subscription resolves each batch of its events with the batch's own (see `StreamEvent`). */
  loaders: Loaders;
  /** What the request read, for the access log. */
  access: AccessRecord;
  /** The request's logger: its lines carry the request id, app and grant. Never log tokens or users' data. */
  logger: Logger;
  /** The change log, for `changes`. */
  changeFeed: ChangeFeed;
  /** Archive jobs, for `requestArchive` and its kin. */
  archives: Archives;
  /**
   * Set by the limits when a `/graphql` operation starts executing: fields that would start
   * resolving later fail with `EXECUTION_TIMEOUT`. Streams have none.
   */
  deadline?: ExecutionDeadline;
}
