import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors as oidcErrors } from 'oidc-provider';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../config/index.js';
import { startArchiveSystem } from '../archive/index.js';
import { createAuthority, GrantWatch, seedDemoAccess, type Authority } from '../auth/index.js';
import { changeFeed, loadChangeEntities, localNotifier, LogTailer, postgresNotifier, pruneChanges } from '../changes/index.js';
import { accountRoutes } from '../auth/pages/account.js';
import { interactionRoutes } from '../auth/pages/interactions.js';
import { html, page } from '../auth/pages/html.js';
import { AccessRecord, type Context, type Viewer } from '../graph/index.js';
import { createLoaders, type EntityLoaders } from '../loaders/index.js';
import { openStore, seedDemo, type Store } from '../store/index.js';
import { recordAccess } from './access-log.js';
import { createApollo } from './apollo.js';
import { graphqlHandler } from './graphql-handler.js';
import { sendJson } from './http-util.js';
import { ingestRoute } from './ingest-route.js';
import { buildSchema } from './schema.js';
import { streamServers } from './streams.js';

export { buildSchema, loadTypeDefs } from './schema.js';

/** A running gateway. */
export interface Gateway {
  store: Store;
  authority: Authority;
  httpServer: http.Server;
  /** Where it is reached: `PUBLIC_URL`, or `http://localhost:<port>`. */
  url: string;
  /** Stops accepting requests, closes streams, drains requests in flight, and closes the store. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** A store opened by the caller (tests); otherwise one is opened from the configuration. */
  store?: Store;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** How often retention removes changes older than `CHANGE_RETENTION_DAYS`. */
const RETENTION_SWEEP_MS = 60 * 60 * 1000;

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
  const logError = (error: unknown) => console.error('gateway error', error);
  const notifier = config.databaseUrl ? await postgresNotifier(config.databaseUrl, logError) : localNotifier();
  const tailer = new LogTailer<EntityLoaders>(
    store.sources.changes,
    async (rows) => {
      const shared = createLoaders(store.sources, undefined, { batching: config.batching });
      await loadChangeEntities(rows, shared);
      return shared;
    },
    logError,
  );
  await tailer.start(notifier);
  const feed = changeFeed(store.sources.changes, tailer);
  const watch = new GrantWatch(store.db, config.extraEligibleCountries, logError);
  const retention = setInterval(() => void pruneChanges(store.db, config.changeRetentionMs).catch(logError), RETENTION_SWEEP_MS).unref();

  const archiveSystem = await startArchiveSystem({
    db: store.db,
    sources: store.sources,
    dataDir: config.dataDir,
    baseUrl: url,
    lifetimeMs: config.archiveLifetimeMs,
    intervalMs: config.archiveIntervalMs,
    webhookBackoffMs: config.webhookBackoffMs,
    onError: logError,
  });

  const schema = buildSchema();
  const apollo = createApollo(config, schema, httpServer, store.db);
  await apollo.start();

  /** One request's (or one subscription's) context: the viewer and a fresh set of loaders. */
  const contextFor = (viewer: Viewer | undefined): Context => {
    const newLoaders = (shared?: EntityLoaders) => createLoaders(store.sources, viewer?.userId, { batching: config.batching }, shared);
    const context: Context = {
      viewer,
      loaders: newLoaders(),
      access: new AccessRecord(),
      changeFeed: feed,
      archives: archiveSystem.archives,
      renewLoaders: (shared) => {
        context.loaders = newLoaders(shared);
      },
    };
    return context;
  };
  const graphql = graphqlHandler(apollo, async (req) => contextFor(await authority.authenticate(req.headers.authorization)));
  const streams = streamServers({ httpServer, schema, authority, watch, context: contextFor, record: (context, name) => recordAccess(store.db, context, name) });
  const ingestEvents = ingestRoute(store.db, notifier, config.ingestToken);
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
    else if (path === '/graphql/stream') handled = streams.sse(req, res);
    else if (path === '/internal/v1/events') handled = ingestEvents(req, res);
    else if (path.startsWith('/archives/')) handled = archiveSystem.download(req, res);
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
      clearInterval(retention);
      tailer.close();
      watch.close();
      await archiveSystem.close();
      await streams.close();
      await apollo.stop();
      await notifier.close();
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
