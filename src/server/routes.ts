import type http from 'node:http';
import { userPages } from '../auth/index.js';
import { recordAccess } from './access-log.js';
import { anonymousGate, upgradeGate } from './anonymous-gate.js';
import { graphqlHandler } from './graphql-handler.js';
import { healthRoutes } from './health.js';
import { sendJson } from './http-util.js';
import { ingestRoute } from './ingest-route.js';
import { metricsRoute } from './metrics-route.js';
import { requestLogger } from '../logging/index.js';
import { reportErrors } from './observability-plugin.js';
import { createPlayground } from './playground/index.js';
import { streamServers, type StreamServers } from './streams/index.js';
import { withTimeout } from './timeout.js';
import type { Handler, Parts } from './wiring.js';

/** A metrics read of the store that takes longer is left out of that scrape. */
const LAG_TIMEOUT_MS = 2000;

type Serve = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/** One entry of the routes table: which requests it takes, and what answers them. */
interface Route {
  matches(path: string, req: http.IncomingMessage): boolean;
  serve: Serve;
}

const exactly = (route: string) => (path: string) => path === route;
const under = (prefix: string) => (path: string) => path.startsWith(prefix);

/** What the gateway serves, and the parts of it that shutdown closes. */
export interface Served {
  handler: Handler;
  streams: StreamServers;
  health: ReturnType<typeof healthRoutes>;
}

/**
 * The routes table, in the order requests are matched: the playground (a browser's GET of
 * `/graphql`), GraphQL over HTTP and SSE, ingest, archive downloads, probes, the user's pages, and
 * oidc-provider for everything else (OAuth endpoints and metadata).
 */
export function serve(parts: Parts): Served {
  const { config, store, authority, guard, accessLog, metrics, logger, url, port } = parts;
  const streams = streamServers({
    httpServer: parts.httpServer,
    schema: parts.schema,
    authority,
    watch: parts.watch,
    guard,
    development: config.nodeEnv === 'development',
    context: (viewer, transport) => parts.contextFor(viewer, logger.child({ transport, appId: viewer.appId, grantId: viewer.grant.id })),
    record: (context, name) => recordAccess(accessLog, context, name),
    errors: (context, errors) => reportErrors(errors, context.logger, metrics),
    verifyUpgrade: upgradeGate(guard.anonymous, parts.logError('WebSocket upgrade check failed')),
  });
  metrics.probes.subscriptions = streams.active;
  metrics.probes.changeLogLag = () => withTimeout(parts.tailer.lag(), LAG_TIMEOUT_MS, 'the change log');
  const anonymous = anonymousGate(guard.anonymous);
  const graphql = graphqlHandler(parts.apollo, async (req) => {
    const viewer = await authority.authenticate(req.headers.authorization);
    if (viewer) req.log.setBindings({ appId: viewer.appId, grantId: viewer.grant.id });
    return parts.contextFor(viewer, req.log);
  });
  const health = healthRoutes(store, logger, parts.federation);
  const scrape = metricsRoute(metrics, logger, config.metricsToken);
  const ingest = ingestRoute(store.db, parts.notifier, config.ingestToken, new Set(config.federation.subgraphs.map((subgraph) => subgraph.category)));
  const pages = userPages(store.db, authority, {
    interactions: {
      oneTimeSeconds: config.oneTimeGrantSeconds,
      recurringSeconds: config.recurringGrantSeconds,
      extraCountries: config.extraEligibleCountries,
      signIn: guard.signIn,
    },
    account: {
      origin: new URL(url).origin,
      secureCookies: url.startsWith('https:'),
      extraCountries: config.extraEligibleCountries,
      flushAccessLog: () => accessLog.flush(),
      signIn: guard.signIn,
    },
  });
  const oauth = authority.provider.callback();
  const playground = config.playground ? createPlayground({ config, db: store.db, authority, schema: parts.schema, url, port }) : undefined;

  const routes: Route[] = [
    ...(playground ? [{ matches: (path: string, req: http.IncomingMessage) => playground.serves(req, path), serve: playground.handle }] : []),
    { matches: exactly('/graphql'), serve: (req, res) => anonymous(req, res, graphql) },
    { matches: exactly('/graphql/stream'), serve: (req, res) => anonymous(req, res, streams.sse) },
    { matches: exactly('/internal/v1/events'), serve: ingest },
    { matches: under('/archives/'), serve: parts.archiveSystem.download },
    { matches: exactly('/healthz'), serve: (_req, res) => health.healthz(res) },
    { matches: exactly('/readyz'), serve: (_req, res) => health.readyz(res) },
    { matches: exactly('/metrics'), serve: scrape },
    { matches: (path) => path.startsWith('/interaction/') || path === '/account' || path.startsWith('/account/'), serve: pages },
    // RFC 8414 metadata is the same document oidc-provider serves for OpenID discovery.
    { matches: exactly('/.well-known/oauth-authorization-server'), serve: (req, res) => oauth(Object.assign(req, { url: '/.well-known/openid-configuration' }), res) },
    { matches: () => true, serve: oauth },
  ];
  return { handler: dispatch(routes, requestLogger(logger)), streams, health };
}

/**
 * Logs each request and answers it with the first route that takes it; a route that fails answers
 * 500, or cuts a response already started.
 */
function dispatch(routes: readonly Route[], logRequest: Handler): Handler {
  return (req, res) => {
    logRequest(req, res);
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const route = routes.find((candidate) => candidate.matches(path, req))!;
    let served: void | Promise<void>;
    try {
      served = route.serve(req, res);
    } catch (error) {
      served = Promise.reject(error);
    }
    void Promise.resolve(served).catch((error: unknown) => {
      req.log.error({ err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal_server_error' });
      else res.destroy();
    });
  };
}
