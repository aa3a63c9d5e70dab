import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config/index.js';
import { startArchiveSystem, type ArchiveSystem } from '../archive/index.js';
import { createAuthority, grantLapse, GrantWatch, seedDemoAccess, type Authority } from '../auth/index.js';
import { changeFeed, loadChangeEntities, localNotifier, LogTailer, postgresNotifier, pruneChanges, type ChangeFeed, type Notifier } from '../changes/index.js';
import { AccessRecord, type Context, type Viewer } from '../graph/index.js';
import { Guard } from '../limits/index.js';
import { createLoaders, type EntityLoaders, type LoaderOptions, type Loaders } from '../loaders/index.js';
import { createLogger, type Logger } from '../logging/index.js';
import { Federation } from '../federation/index.js';
import { createMetrics, type Metrics } from '../metrics/index.js';
import { openStore, type Sources, type StandingVersion, type Store } from '../store/index.js';
import { recordDownload } from './access-log.js';
import { AccessLogWriter } from './access-log-writer.js';
import { createApollo } from './apollo.js';
import { sendJson } from './http-util.js';
import { playgroundRedirectUris } from './playground/index.js';
import { buildSchema } from './schema.js';

/** How often retention removes changes older than `CHANGE_RETENTION_DAYS`. */
const RETENTION_SWEEP_MS = 60 * 60 * 1000;

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Everything a running gateway is made of, wired once at start; routes and shutdown read it. */
export interface Parts {
  config: Config;
  logger: Logger;
  store: Store;
  /** The platform subgraphs serving federated categories; undefined when every category is embedded. */
  federation: Federation | undefined;
  /** Each category's source: the store's, or a subgraph's for a federated category. */
  sources: Sources;
  /** Whether the caller opened the store (tests): then it is theirs to close. */
  ownStore: boolean;
  httpServer: http.Server;
  /** Answers every request once set; until then, 503 "starting". */
  setHandler(handler: Handler): void;
  url: string;
  port: number;
  logError: (what: string) => (error: unknown) => void;
  authority: Authority;
  /** The store's word on grants, apps and users changing, which the authority's memory of them follows. */
  standing: StandingVersion;
  metrics: Metrics;
  notifier: Notifier;
  tailer: LogTailer<EntityLoaders>;
  feed: ChangeFeed;
  /** Removes changes older than `CHANGE_RETENTION_DAYS`, hourly. */
  retention: NodeJS.Timeout;
  watch: GrantWatch;
  accessLog: AccessLogWriter;
  archiveSystem: ArchiveSystem;
  schema: GraphQLSchema;
  guard: Guard;
  apollo: ApolloServer<Context>;
  /** One request's (or one subscription's) context: the viewer, its logger and a fresh set of loaders. */
  contextFor(viewer: Viewer | undefined, requestLog: Logger): Context;
}

export interface WiringOptions {
  store?: Store | undefined;
  logger?: Logger | undefined;
}

/**
 * Wires the gateway's parts in the order each needs the last: the store (migrated, seeded), a
 * listening HTTP server (with `PORT=0` the issuer's port is known only then), the OAuth side, the
 * change log's readers, archives, and Apollo Server.
 */
export async function wireParts(config: Config, options: WiringOptions): Promise<Parts> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const logError = (what: string) => (error: unknown) => logger.error({ err: error }, what);
  const store = options.store ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, onConnectionError: (error) => logger.warn({ err: error }, 'a store connection dropped') }));
  await store.migrate();
  if (config.demoData) await seedDemoAccess(store.db);
  const metrics = createMetrics((probe, error) => logger.warn({ err: error, probe }, 'a metrics probe failed'));
  const federation = await Federation.start(config.federation, { db: store.db, logger: logger.child({ component: 'federation' }), observer: metrics.subgraphs });
  const sources = federation?.sources(store.sources) ?? store.sources;
  const { httpServer, setHandler, port } = await listen(config.port);
  const url = config.publicUrl ?? `http://localhost:${port}`;
  const standing = await store.standingVersion(logError('grant standing listener failed'));
  const authority = await createAuthority(store.db, {
    issuer: url,
    oneTimeSeconds: config.oneTimeGrantSeconds,
    recurringSeconds: config.recurringGrantSeconds,
    extraCountries: config.extraEligibleCountries,
    externalIssuer: config.externalIssuer,
    demoRedirectUris: playgroundRedirectUris(config, url),
    onError: logError('recording a revocation failed'),
    trustProxy: config.trustProxy,
    standing,
  });
  authority.provider.on('server_error', (_ctx: unknown, error: unknown) => logError('OAuth server error')(error));
  const loaderOptions: LoaderOptions = { batching: config.batching, onBatch: metrics.observeBatch };
  const loadersFor = (userId: string | undefined, shared?: EntityLoaders) => createLoaders(sources, userId, loaderOptions, shared);
  const changes = await startChangeLog(config, store, loadersFor, logError);
  const accessLog = new AccessLogWriter(store.db, logError('access log write failed'));
  const archiveSystem = await startArchives(config, store, sources, url, { accessLog, metrics, logError });
  const schema = buildSchema();
  const guard = new Guard(config.limits, config, config.redisKeyPrefix);
  if (!(await guard.ready())) logger.warn('rate limits: Redis is not reachable yet; each instance counts in memory until it is');
  const apollo = createApollo(config, schema, httpServer, accessLog, guard, { logger: logger.child({ component: 'apollo' }), metrics });
  await apollo.start();
  const watch = new GrantWatch(store.db, config.extraEligibleCountries, logError('grant watch failed'));
  return {
    config, logger, store, federation, sources, ownStore: !options.store, httpServer, setHandler, url, port, logError, authority, standing, metrics,
    ...changes, watch, accessLog, archiveSystem, schema, guard, apollo,
    contextFor: (viewer, requestLog) => ({
      viewer,
      logger: requestLog,
      loaders: loadersFor(viewer?.userId),
      access: new AccessRecord(),
      changeFeed: changes.feed,
      archives: archiveSystem.archives,
    }),
  };
}

/** The archive jobs and downloads, their access logged and their jobs counted in the metrics. */
function startArchives(
  config: Config,
  store: Store,
  sources: Sources,
  url: string,
  { accessLog, metrics, logError }: { accessLog: AccessLogWriter; metrics: Metrics; logError: (what: string) => (error: unknown) => void },
): Promise<ArchiveSystem> {
  return startArchiveSystem({
    db: store.db,
    sources,
    dataDir: config.dataDir,
    baseUrl: url,
    lifetimeMs: config.archiveLifetimeMs,
    intervalMs: config.archiveIntervalMs,
    grantLapse: (grant) => grantLapse(store.db, grant, config.extraEligibleCountries),
    webhookBackoffMs: config.webhookBackoffMs,
    // A subgraph failing for about four of its own timeouts running fails the attempt.
    subgraphRetryWaitsMs: [0.25, 0.5, 1, 2].map((share) => share * config.federation.timeoutMs),
    onError: logError('archive system failed'),
    onDownload: (download) => recordDownload(accessLog, download),
    observe(event) {
      if (event === 'started') return metrics.archiveJobs.running.inc();
      metrics.archiveJobs.running.dec();
      metrics.archiveJobs.finished.inc({ status: event });
    },
  });
}

/** Listens on `port` with a handler that answers 503 until the gateway sets its own. */
async function listen(port: number): Promise<{ httpServer: http.Server; setHandler(handler: Handler): void; port: number }> {
  let handle: Handler = (_req, res) => sendJson(res, 503, { status: 'starting' });
  const httpServer = http.createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, resolve);
  });
  return { httpServer, setHandler: (handler) => void (handle = handler), port: (httpServer.address() as AddressInfo).port };
}

/** The change log's readers: the wake-up notifier, the tailer every stream of this instance shares, and the feed. */
async function startChangeLog(
  config: Config,
  store: Store,
  loadersFor: (userId: string | undefined, shared?: EntityLoaders) => Loaders,
  logError: Parts['logError'],
): Promise<Pick<Parts, 'notifier' | 'tailer' | 'feed' | 'retention'>> {
  const notifier = config.databaseUrl ? await postgresNotifier(config.databaseUrl, logError('change notifier failed')) : localNotifier();
  const tailer = new LogTailer<EntityLoaders>(
    store.sources.changes,
    async (rows) => {
      const shared = loadersFor(undefined);
      await loadChangeEntities(rows, shared);
      return shared;
    },
    logError('change log tailer failed'),
  );
  await tailer.start(notifier);
  const retention = setInterval(
    () => void pruneChanges(store.db, config.changeRetentionMs).catch(logError('change retention failed')),
    RETENTION_SWEEP_MS,
  ).unref();
  return { notifier, tailer, feed: changeFeed(store.sources.changes, tailer, loadersFor), retention };
}
