import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors as oidcErrors } from 'oidc-provider';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../config/index.js';
import { startArchiveSystem } from '../archive/index.js';
import { createAuthority, grantLapse, GrantWatch, seedDemoAccess, type Authority } from '../auth/index.js';
import { changeFeed, loadChangeEntities, localNotifier, LogTailer, postgresNotifier, pruneChanges } from '../changes/index.js';
import { accountRoutes } from '../auth/pages/account.js';
import { interactionRoutes } from '../auth/pages/interactions.js';
import { html, page } from '../auth/pages/html.js';
import { AccessRecord, type Context, type Viewer } from '../graph/index.js';
import { Guard } from '../limits/index.js';
import { createLoaders, type EntityLoaders, type LoaderOptions } from '../loaders/index.js';
import { createLogger, requestLogger, type Logger } from '../logging/index.js';
import { createMetrics, type Metrics } from '../metrics/index.js';
import { openStore, type Store } from '../store/index.js';
import { recordAccess, recordDownload } from './access-log.js';
import { AccessLogWriter } from './access-log-writer.js';
import { anonymousGate, upgradeGate } from './anonymous-gate.js';
import { createApollo } from './apollo.js';
import { graphqlHandler } from './graphql-handler.js';
import { healthRoutes } from './health.js';
import { sendJson } from './http-util.js';
import { ingestRoute } from './ingest-route.js';
import { createPlayground, playgroundRedirectUris } from './playground/index.js';
import { metricsRoute } from './metrics-route.js';
import { reportErrors } from './observability-plugin.js';
import { buildSchema } from './schema.js';
import { streamServers } from './streams/index.js';
import { withTimeout } from './timeout.js';

export { buildSchema, loadTypeDefs } from './schema.js';
export { AccessLogWriter, ACCESS_LOG_FLUSH_MS } from './access-log-writer.js';

/** A running gateway. */
export interface Gateway {
  store: Store;
  authority: Authority;
  httpServer: http.Server;
  /** Where it is reached: `PUBLIC_URL`, or `http://localhost:<port>`. */
  url: string;
  /** Stores the access-log rows still waiting for their batch. */
  flushAccessLog(): Promise<void>;
  logger: Logger;
  metrics: Metrics;
  /**
   * Adds a step to shutdown. Steps run after HTTP has drained and every stream has closed, and
   * before the store closes, within {@link SHUTDOWN_STEPS_MS}: archive jobs checkpoint here.
   */
  onShutdown(step: () => Promise<void>): void;
  /**
   * Shuts down within 10 s: `/readyz` turns 503, no new connections are accepted, WebSockets
   * close with 1012 and SSE streams are cut (clients reconnect and resume from their cursor),
   * requests in flight finish (up to 7 s, `DRAIN_GRACE_MS`), the {@link Gateway.onShutdown}
   * steps run, and the store closes. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** A store opened by the caller (tests); otherwise one is opened from the configuration. */
  store?: Store;
  /** Where the gateway logs (tests capture it); otherwise a new logger at `LOG_LEVEL` on stdout. */
  logger?: Logger;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** How often retention removes changes older than `CHANGE_RETENTION_DAYS`. */
const RETENTION_SWEEP_MS = 60 * 60 * 1000;
/** How long a WebSocket has to answer its 1012 close frame before it is cut. */
const STREAM_CLOSE_GRACE_MS = 2000;
/** The time {@link Gateway.onShutdown} steps get, together. */
export const SHUTDOWN_STEPS_MS = 1500;
/** A metrics read of the store that takes longer is left out of that scrape. */
const LAG_TIMEOUT_MS = 2000;

/** Opens the store, applies migrations, seeds demo data when asked, and starts serving. */
export async function startGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const store = options.store ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, onConnectionError: (error) => logger.warn({ err: error }, 'a store connection dropped') }));
  await store.migrate();
  if (config.demoData) await seedDemoAccess(store.db);

  // Listen first: with PORT=0 the issuer's port is known only then. Until ready, say so.
  let handle: Handler = (_req, res) => sendJson(res, 503, { status: 'starting' });
  const httpServer = http.createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = config.publicUrl ?? `http://localhost:${port}`;

  const logError = (what: string) => (error: unknown) => logger.error({ err: error }, what);
  const authority = await createAuthority(store.db, {
    issuer: url,
    oneTimeSeconds: config.oneTimeGrantSeconds,
    recurringSeconds: config.recurringGrantSeconds,
    extraCountries: config.extraEligibleCountries,
    externalIssuer: config.externalIssuer,
    demoRedirectUris: playgroundRedirectUris(config, url),
    onError: logError('recording a revocation failed'),
    trustProxy: config.trustProxy,
  });
  authority.provider.on('server_error', (_ctx: unknown, error: unknown) => logError('OAuth server error')(error));
  const metrics = createMetrics((probe, error) => logger.warn({ err: error, probe }, 'a metrics probe failed'));
  const loaderOptions: LoaderOptions = { batching: config.batching, onBatch: metrics.observeBatch };
  const notifier = config.databaseUrl ? await postgresNotifier(config.databaseUrl, logError('change notifier failed')) : localNotifier();
  const tailer = new LogTailer<EntityLoaders>(
    store.sources.changes,
    async (rows) => {
      const shared = createLoaders(store.sources, undefined, loaderOptions);
      await loadChangeEntities(rows, shared);
      return shared;
    },
    logError('change log tailer failed'),
  );
  await tailer.start(notifier);
  const loadersFor = (userId: string | undefined, shared?: EntityLoaders) => createLoaders(store.sources, userId, loaderOptions, shared);
  const feed = changeFeed(store.sources.changes, tailer, loadersFor);
  const watch = new GrantWatch(store.db, config.extraEligibleCountries, logError('grant watch failed'));
  const retention = setInterval(
    () => void pruneChanges(store.db, config.changeRetentionMs).catch(logError('change retention failed')),
    RETENTION_SWEEP_MS,
  ).unref();

  const accessLog = new AccessLogWriter(store.db, logError('access log write failed'));
  const archiveSystem = await startArchiveSystem({
    db: store.db,
    sources: store.sources,
    dataDir: config.dataDir,
    baseUrl: url,
    lifetimeMs: config.archiveLifetimeMs,
    intervalMs: config.archiveIntervalMs,
    grantLapse: (grant) => grantLapse(store.db, grant, config.extraEligibleCountries),
    webhookBackoffMs: config.webhookBackoffMs,
    onError: logError('archive system failed'),
    onDownload: (download) => recordDownload(accessLog, download),
    observe(event) {
      if (event === 'started') return metrics.archiveJobs.running.inc();
      metrics.archiveJobs.running.dec();
      metrics.archiveJobs.finished.inc({ status: event });
    },
  });

  const schema = buildSchema();
  const guard = new Guard(config.limits, config, config.redisKeyPrefix);
  if (!(await guard.ready())) logger.warn('rate limits: Redis is not reachable yet; each instance counts in memory until it is');
  const apollo = createApollo(config, schema, httpServer, accessLog, guard, { logger: logger.child({ component: 'apollo' }), metrics });
  await apollo.start();

  /** One request's (or one subscription's) context: the viewer, its logger and a fresh set of loaders. */
  const contextFor = (viewer: Viewer | undefined, requestLog: Logger): Context => ({
    viewer,
    logger: requestLog,
    loaders: loadersFor(viewer?.userId),
    access: new AccessRecord(),
    changeFeed: feed,
    archives: archiveSystem.archives,
  });
  const graphql = graphqlHandler(apollo, async (req) => {
    const viewer = await authority.authenticate(req.headers.authorization);
    if (viewer) req.log.setBindings({ appId: viewer.appId, grantId: viewer.grant.id });
    return contextFor(viewer, req.log);
  });
  const streams = streamServers({
    httpServer,
    schema,
    authority,
    watch,
    guard,
    development: config.nodeEnv === 'development',
    context: (viewer, transport) => contextFor(viewer, logger.child({ transport, appId: viewer.appId, grantId: viewer.grant.id })),
    record: (context, name) => recordAccess(accessLog, context, name),
    errors: (context, errors) => reportErrors(errors, context.logger, metrics),
    verifyUpgrade: upgradeGate(guard.anonymous, logError('WebSocket upgrade check failed')),
  });
  const anonymous = anonymousGate(guard.anonymous);
  const health = healthRoutes(store, logger);
  const scrape = metricsRoute(metrics, logger, config.metricsToken);
  metrics.probes.subscriptions = streams.active;
  metrics.probes.changeLogLag = () => withTimeout(tailer.lag(), LAG_TIMEOUT_MS, 'the change log');
  const ingestEvents = ingestRoute(store.db, notifier, config.ingestToken);
  const pages = express()
    .disable('x-powered-by')
    .use(
      interactionRoutes(store.db, authority, {
        oneTimeSeconds: config.oneTimeGrantSeconds,
        recurringSeconds: config.recurringGrantSeconds,
        extraCountries: config.extraEligibleCountries,
        signIn: guard.signIn,
      }),
    )
    .use(
      accountRoutes(store.db, authority, {
        origin: new URL(url).origin,
        secureCookies: url.startsWith('https:'),
        extraCountries: config.extraEligibleCountries,
        flushAccessLog: () => accessLog.flush(),
        signIn: guard.signIn,
      }),
    )
    .use(pageError);
  const oauth = authority.provider.callback();
  const playground = config.playground ? createPlayground({ config, db: store.db, authority, schema, url, port }) : undefined;
  const logRequest = requestLogger(logger);

  handle = (req, res) => {
    logRequest(req, res);
    const path = (req.url ?? '/').split('?', 1)[0]!;
    let handled: Promise<void> | undefined;
    if (playground?.serves(req, path)) playground.handle(req, res);
    else if (path === '/graphql') handled = anonymous(req, res, graphql);
    else if (path === '/graphql/stream') handled = anonymous(req, res, streams.sse);
    else if (path === '/internal/v1/events') handled = ingestEvents(req, res);
    else if (path.startsWith('/archives/')) handled = archiveSystem.download(req, res);
    else if (path === '/healthz') health.healthz(res);
    else if (path === '/readyz') handled = health.readyz(res);
    else if (path === '/metrics') handled = scrape(req, res);
    else if (path.startsWith('/interaction/') || path === '/account' || path.startsWith('/account/')) pages(req, res);
    else {
      // RFC 8414 metadata is the same document oidc-provider serves for OpenID discovery.
      if (path === '/.well-known/oauth-authorization-server') req.url = '/.well-known/openid-configuration';
      oauth(req, res);
    }
    handled?.catch((error: unknown) => {
      req.log.error({ err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal_server_error' });
      else res.destroy();
    });
  };

  // Archive jobs running here are handed back (their lease released) for another instance to finish.
  const shutdownSteps: (() => Promise<void>)[] = [() => archiveSystem.close()];
  let closing: Promise<void> | undefined;
  const shutdown = async () => {
    const started = Date.now();
    health.shutdown();
    // 1. Stop accepting connections (idle keep-alive ones close too).
    httpServer.close();
    // 2. Drain HTTP requests in flight, and 3. close the streams meanwhile, since they never end on their own.
    await Promise.all([streams.close(STREAM_CLOSE_GRACE_MS), apollo.stop()]);
    // 4. Checkpoint archive jobs: the steps added with onShutdown, while the store is still open.
    await withTimeout(Promise.all(shutdownSteps.map((step) => step())), SHUTDOWN_STEPS_MS, 'shutdown steps').catch(logError('a shutdown step failed'));
    await accessLog.flush();
    clearInterval(retention);
    tailer.close();
    watch.close();
    await notifier.close();
    await guard.close();
    if (!options.store) await store.close();
    logger.info({ ms: Date.now() - started }, 'gateway stopped');
  };

  return {
    store,
    authority,
    httpServer,
    url,
    flushAccessLog: () => accessLog.flush(),
    logger,
    metrics,
    onShutdown: (step) => void shutdownSteps.push(step),
    close: () => (closing ??= shutdown()),
  };
}

/** An expired or unknown sign-in is the user's to restart, not a server fault. */
function pageError(error: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (error instanceof oidcErrors.SessionNotFound) {
    res.status(400).type('html').send(page('Sign-in expired', html`<h1>This sign-in has expired</h1><p>Go back to the app and start again.</p>`));
    return;
  }
  req.log.error({ err: error }, 'page failed');
  res.status(500).type('html').send(page('Error', html`<h1>Something went wrong</h1><p>Try again in a moment.</p>`));
}
