import type { Loaders } from '../loaders/index.js';
import type { GrantMode } from '../store/index.js';

/** Who is asking: the user whose data the caller may read, through which app and grant, with which scopes. */
export interface Viewer {
  userId: string;
  clientId: string;
  grantId: string;
  mode: GrantMode;
  /** The grant's scopes, with `portability.all.*` spelled out per category. */
  scopes: ReadonlySet<string>;
}

/** The typed context every resolver receives, built once per request. */
export interface Context {
  /** Undefined when the request carried no token. */
  viewer: Viewer | undefined;
  loaders: Loaders;
}
