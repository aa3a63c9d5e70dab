import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors as oidcErrors } from 'oidc-provider';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../config/index.js';
import { createAuthority, seedDemoAccess, type Authority } from '../auth/index.js';
import { accountRoutes } from '../auth/pages/account.js';
import { interactionRoutes } from '../auth/pages/interactions.js';
import { html, page } from '../auth/pages/html.js';
import { AccessRecord, type Context } from '../graph/index.js';
import { createLoaders } from '../loaders/index.js';
import { openStore, seedDemo, type Store } from '../store/index.js';
import { createApollo } from './apollo.js';
import { graphqlHandler } from './graphql-handler.js';

export { buildSchema, loadTypeDefs } from './schema.js';

/** A running gateway. */
export interface Gateway {
  store: Store;
  authority: Authority;
  httpServer: http.Server;
  /** Where it is reached: `PUBLIC_URL`, or `http://localhost:<port>`. */
  url: string;
  /** Stops accepting requests, drains those in flight, and closes the store. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** A store opened by the caller (tests); otherwise one is opened from the configuration. */
  store?: Store;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Opens the store, applies migrations, seeds demo data when asked, and starts serving. */
export async function startGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const store = options.store ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  await store.migrate();
  if (config.demoData) {
    await seedDemo(store.db);
    await seedDemoAccess(store.db);
  }

  // Listen first: with PORT=0 the issuer's port is known only then. Until ready, say so.
  let handle: Handler = (_req, res) => sendJson(res, 503, { status: 'starting' });
  const httpServer = http.createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = config.publicUrl ?? `http://localhost:${port}`;

  const authority = await createAuthority(store.db, {
    issuer: url,
    oneTimeSeconds: config.oneTimeGrantSeconds,
    recurringSeconds: config.recurringGrantSeconds,
    extraCountries: config.extraEligibleCountries,
    externalIssuer: config.externalIssuer,
  });
  const apollo = createApollo(config, httpServer, store.db);
  await apollo.start();

  const context = async (req: http.IncomingMessage): Promise<Context> => {
    const viewer = await authority.authenticate(req.headers.authorization);
    return { viewer, loaders: createLoaders(store.sources, viewer?.userId, { batching: config.batching }), access: new AccessRecord() };
  };
  const graphql = graphqlHandler(apollo, context);
  const pages = express()
    .disable('x-powered-by')
    .use(
      interactionRoutes(store.db, authority, {
        oneTimeSeconds: config.oneTimeGrantSeconds,
        recurringSeconds: config.recurringGrantSeconds,
        extraCountries: config.extraEligibleCountries,
      }),
    )
    .use(accountRoutes(store.db, authority, { secureCookies: url.startsWith('https:'), extraCountries: config.extraEligibleCountries }))
    .use(pageError);
  const oauth = authority.provider.callback();

  handle = (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    let handled: Promise<void> | undefined;
    if (path === '/graphql') handled = graphql(req, res);
    else if (path === '/healthz') sendJson(res, 200, { status: 'ok' });
    else if (path === '/readyz') handled = readiness(store, res);
    else if (path.startsWith('/interaction/') || path === '/account' || path.startsWith('/account/')) pages(req, res);
    else {
      // RFC 8414 metadata is the same document oidc-provider serves for OpenID discovery.
      if (path === '/.well-known/oauth-authorization-server') req.url = '/.well-known/openid-configuration';
      oauth(req, res);
    }
    handled?.catch((error: unknown) => {
      console.error('request failed', error);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal_server_error' });
      else res.destroy();
    });
  };

  return {
    store,
    authority,
    httpServer,
    url,
    async close() {
      await apollo.stop();
      if (!options.store) await store.close();
    },
  };
}

/** An expired or unknown sign-in is the user's to restart, not a server fault. */
function pageError(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (error instanceof oidcErrors.SessionNotFound) {
    res.status(400).type('html').send(page('Sign-in expired', html`<h1>This sign-in has expired</h1><p>Go back to the app and start again.</p>`));
    return;
  }
  console.error('page failed', error);
  res.status(500).type('html').send(page('Error', html`<h1>Something went wrong</h1><p>Try again in a moment.</p>`));
}

async function readiness(store: Store, res: http.ServerResponse): Promise<void> {
  const migrated = await store.isMigrated().catch(() => false);
  sendJson(res, migrated ? 200 : 503, migrated ? { status: 'ready' } : { status: 'unavailable', reason: 'store unreachable or not migrated' });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
