import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { createLogger } from '../../src/logging/index.js';
import { healthRoutes } from '../../src/server/health.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { dialects } from '../helpers/stores.js';

const quiet = createLogger({ level: 'silent' });

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Serves `healthRoutes(store)` on a free port, so a test can call `/readyz` over a store that is not a gateway's. */
async function serveHealth(store: Store) {
  const health = healthRoutes(store, quiet);
  const server = http.createServer((req, res) => void (req.url === '/readyz' ? health.readyz(res) : health.healthz(res)));
  const port = await listen(server);
  return {
    health,
    readyz: async () => {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(dialects())('health on %s', (dialect) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(dialect);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('/healthz answers 200', async () => {
    const response = await fetch(`${gw.gateway.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 when the store answers and every migration is applied', async () => {
    const response = await fetch(`${gw.gateway.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });

  it('/readyz answers 503 naming the migrations not applied', async () => {
    const { rows } = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration order by name desc limit 1`.execute(gw.store.db);
    const latest = rows[0]!;
    await sql`delete from kysely_migration where name = ${latest.name}`.execute(gw.store.db);
    try {
      const response = await fetch(`${gw.gateway.url}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'unavailable', reason: `migrations not applied: ${latest.name}` });
    } finally {
      await sql`insert into kysely_migration (name, timestamp) values (${latest.name}, ${latest.timestamp})`.execute(gw.store.db);
    }
  });

  it('/readyz answers 503 "shutting down" once shutdown has begun', async () => {
    const served = await serveHealth(gw.store);
    served.health.shutdown();
    expect(await served.readyz()).toEqual({ status: 503, body: { status: 'unavailable', reason: 'shutting down' } });
    await served.close();
  });
});

describe('/readyz over a PostgreSQL server that fails', () => {
  it('answers 503 "store unreachable" when nothing listens', async () => {
    const closed = net.createServer();
    const port = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const store = await openStore({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/none`, dataDir: '/nonexistent' });
    const served = await serveHealth(store);
    expect(await served.readyz()).toEqual({ status: 503, body: { status: 'unavailable', reason: 'store unreachable' } });
    await served.close();
    await store.close();
  });

  it('answers 503 within its timeout when the server accepts and never answers', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => void sockets.add(socket));
    const port = await listen(silent);
    const store = await openStore({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/none`, dataDir: '/nonexistent' });
    const served = await serveHealth(store);
    expect(await served.readyz()).toEqual({ status: 503, body: { status: 'unavailable', reason: 'the store did not answer within 2 s' } });
    // A second probe waits on the same read rather than opening another connection.
    expect((await served.readyz()).status).toBe(503);
    expect(sockets.size).toBe(1);
    await served.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    await store.close();
  });
});
