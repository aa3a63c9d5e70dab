import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/index.js';
import { authenticate } from '../auth/index.js';
import type { Context } from '../graph/index.js';
import { createLoaders } from '../loaders/index.js';
import { openStore, seedDemo, type Store } from '../store/index.js';
import { createApollo } from './apollo.js';
import { graphqlHandler } from './graphql-handler.js';

export { buildSchema, loadTypeDefs } from './schema.js';

/** A running gateway. */
export interface Gateway {
  store: Store;
  httpServer: http.Server;
  /** Where it listens, e.g. `http://localhost:4000`. */
  url: string;
  /** Stops accepting requests, drains those in flight, and closes the store. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** A store opened by the caller (tests); otherwise one is opened from the configuration. */
  store?: Store;
}

/** Opens the store, applies migrations, seeds demo data when asked, and starts serving. */
export async function startGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const store = options.store ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  await store.migrate();
  if (config.demoData) await seedDemo(store.db);

  const httpServer = http.createServer();
  const apollo = createApollo(config, httpServer);
  await apollo.start();

  const context = async (req: http.IncomingMessage): Promise<Context> => {
    const viewer = await authenticate(store.db, req.headers.authorization, config.extraEligibleCountries);
    return { viewer, loaders: createLoaders(store.sources, viewer?.userId, { batching: config.batching }) };
  };
  const graphql = graphqlHandler(apollo, context);

  httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const handled =
      path === '/graphql'
        ? graphql(req, res)
        : path === '/healthz'
          ? Promise.resolve(sendJson(res, 200, { status: 'ok' }))
          : path === '/readyz'
            ? readiness(store, res)
            : Promise.resolve(sendJson(res, 404, { error: 'not_found', path }));
    handled.catch((error: unknown) => {
      console.error('request failed', error);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal_server_error' });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  return {
    store,
    httpServer,
    url: `http://localhost:${port}`,
    async close() {
      await apollo.stop();
      if (!options.store) await store.close();
    },
  };
}

async function readiness(store: Store, res: http.ServerResponse): Promise<void> {
  const migrated = await store.isMigrated().catch(() => false);
  sendJson(res, migrated ? 200 : 503, migrated ? { status: 'ready' } : { status: 'unavailable', reason: 'store unreachable or not migrated' });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
