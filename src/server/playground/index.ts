import type http from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { introspectionFromSchema, type GraphQLSchema } from 'graphql';
import type { Kysely } from 'kysely';
import Negotiator from 'negotiator';
import type { Authority } from '../../auth/index.js';
import type { Config } from '../../config/index.js';
import type { Database } from '../../store/index.js';
import { PLAYGROUND_ASSETS } from './assets.js';
import { PLAYGROUND_CSP, playgroundPage, type PageOptions } from './page.js';
import { PLAYGROUND_CALLBACK_PATH, signInRoutes } from './sign-in.js';

export interface PlaygroundOptions {
  config: Config;
  db: Kysely<Database>;
  authority: Authority;
  schema: GraphQLSchema;
  /** The gateway's public URL. */
  url: string;
  /** The port this process listens on. */
  port: number;
}

/** GraphiQL in the browser, from the project's own files; see {@link createPlayground}. */
export interface Playground {
  /** A browser's GET of `/graphql` (it prefers HTML), or anything under `/playground/`. */
  serves(req: http.IncomingMessage, path: string): boolean;
  handle(req: http.IncomingMessage, res: http.ServerResponse): void;
}

/** The sign-in is a development helper: production never offers it, even with the playground on. */
export function playgroundSignIn(config: Config): boolean {
  return config.playground && config.nodeEnv !== 'production';
}

/** Redirect URIs the demo app needs in this process for the playground's sign-in. */
export function playgroundRedirectUris(config: Config, url: string): string[] {
  return playgroundSignIn(config) ? [`${url}${PLAYGROUND_CALLBACK_PATH}`] : [];
}

const GRAPHQL_TYPES = ['application/graphql-response+json', 'application/json', 'text/html'];

/**
 * The playground at `GET /graphql` for browsers: GraphiQL with the schema's documentation, example
 * operations, subscriptions over graphql-ws, and (in development) a "Sign in" that runs the demo
 * app's authorization. Its assets live under `/playground/assets/`.
 */
export function createPlayground(options: PlaygroundOptions): Playground {
  const signIn = playgroundSignIn(options.config);
  const render = (res: Response, status: number, page: Omit<PageOptions, 'signIn'>) => {
    res
      .status(status)
      .set({ 'cache-control': 'no-store', 'content-security-policy': PLAYGROUND_CSP, 'referrer-policy': 'same-origin' })
      .type('html')
      .send(playgroundPage({ signIn, ...page }));
  };
  // Introspection is off in production; the page gets the schema from here, so its docs work wherever it is served.
  let introspection: string | undefined;

  const app = express().disable('x-powered-by');
  app.get('/graphql', (_req, res) => render(res, 200, {}));
  app.get('/playground/schema.json', (_req, res) => {
    introspection ??= JSON.stringify(introspectionFromSchema(options.schema));
    res.type('json').send(introspection);
  });
  app.get('/playground/assets/:name', (req, res, next) => {
    const file = PLAYGROUND_ASSETS[req.params.name];
    if (!file || !Object.hasOwn(PLAYGROUND_ASSETS, req.params.name)) return next();
    res.sendFile(file, { maxAge: '1h' });
  });
  if (signIn) {
    app.use(
      signInRoutes({
        db: options.db,
        authority: options.authority,
        url: options.url,
        port: options.port,
        secureCookies: options.url.startsWith('https:'),
        render,
      }),
    );
  }
  app.use((_req: Request, res: Response) => {
    res.status(404).type('text').send('Not found');
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    req.log.error({ err: error }, 'playground failed');
    res.status(500).type('text').send('The playground failed; see the gateway log.');
  });

  return {
    serves(req, path) {
      if (path.startsWith('/playground/')) return true;
      return path === '/graphql' && req.method === 'GET' && new Negotiator(req).mediaType(GRAPHQL_TYPES) === 'text/html';
    },
    handle: (req, res) => app(req as Request, res as Response),
  };
}
