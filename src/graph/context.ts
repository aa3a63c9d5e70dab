import type { Loaders } from '../loaders/index.js';

/** Who is asking: the user whose data the caller may read, through which app, with which scopes. */
export interface Viewer {
  userId: string;
  clientId: string;
  scopes: ReadonlySet<string>;
}

/** The typed context every resolver receives, built once per request. */
export interface Context {
  /** Undefined when the request carried no token. */
  viewer: Viewer | undefined;
  loaders: Loaders;
}
