import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAuthority, DEMO_APP, seedDemoAccess } from '../../src/auth/index.js';
import { loadConfig } from '../../src/config/index.js';
import { startGateway, type Gateway } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startTestGateway, TEST_INGEST_TOKEN, type TestGateway } from '../helpers/gateway.js';
import { Subscriber } from '../helpers/subscriber.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const SUBSCRIBE = 'subscription($after: String) { changes(after: $after) { cursor node { ... on Post { caption } } } }';
let sequence = 0;
const post = () => {
  const id = `inst-post-${++sequence}`;
  return { id: `inst-${id}`, type: 'post.upsert', data: { id, authorId: 'alice', caption: id, visibility: 'PUBLIC', createdAt: new Date().toISOString() } };
};

async function ingestAt(url: string, events: unknown[]): Promise<void> {
  const response = await fetch(`${url}/internal/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_INGEST_TOKEN}` },
    body: JSON.stringify({ events }),
  });
  const body = (await response.json()) as { applied: number };
  expect(body.applied).toBe(events.length);
}

const databaseUrl = process.env.TEST_DATABASE_URL;

(databaseUrl ? describe : describe.skip)('two gateway instances on one PostgreSQL', () => {
  let first: TestGateway;
  let secondStore: Store;
  let second: Gateway;
  const subscribers: Subscriber[] = [];

  beforeAll(async () => {
    first = await startTestGateway('postgres', { DATABASE_URL: databaseUrl! });
    // The second instance: its own connections and listener, the same tables.
    const schema = (await first.store.db.selectNoFrom((eb) => eb.fn<string>('current_schema').as('schema')).executeTakeFirstOrThrow()).schema;
    secondStore = await openStore({ databaseUrl, dataDir: '/nonexistent', pgSchema: schema });
    second = await startGateway(loadConfig({ NODE_ENV: 'test', PORT: '0', DEMO_DATA: 'false', INGEST_TOKEN: TEST_INGEST_TOKEN, DATABASE_URL: databaseUrl! }), { store: secondStore });
  });
  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.close()));
    await second?.close();
    await secondStore?.close();
    await first?.close();
  });

  it('a change ingested through one reaches a subscriber on the other', async () => {
    // A token issued for the second instance's URL (each instance is its own issuer here).
    const token = await second.authority.issueToken('alice', DEMO_APP.clientId, 'portability.posts.ongoing');
    const subscriber = new Subscriber(second.url, `Bearer ${token}`, SUBSCRIBE);
    subscribers.push(subscriber);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const event = post();
    await ingestAt(first.gateway.url, [event]);
    await subscriber.until(() => subscriber.events.length >= 1, 5000);
    expect(subscriber.events.map((e) => e.changes.node.caption)).toEqual([event.data.id]);
  });
});

describe('a gateway killed mid-stream', () => {
  let dataDir: string;
  let port: number;
  let child: ChildProcess | undefined;
  const subscribers: Subscriber[] = [];

  const freePort = () =>
    new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, () => {
        const { port: p } = server.address() as net.AddressInfo;
        server.close(() => resolve(p));
      });
    });

  async function startChild(): Promise<string> {
    const url = `http://localhost:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: url, INGEST_TOKEN: TEST_INGEST_TOKEN, DEMO_DATA: 'true', LOG_LEVEL: 'info' };
    delete env.DATABASE_URL;
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('Gateway ready') && resolve());
      child!.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    });
    return url;
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-restart-'));
    port = await freePort();
  });
  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.close()));
    child?.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the client resumes from its last cursor with no gap and no duplicate', async () => {
    const url = await startChild();
    const store = await openStore({ dataDir });
    await seedDemoAccess(store.db);
    const authority = await createAuthority(store.db, { issuer: url, oneTimeSeconds: 3600, recurringSeconds: 86400, extraCountries: new Set() });
    const token = await authority.issueToken('alice', DEMO_APP.clientId, 'portability.posts.ongoing');

    const before = new Subscriber(url, `Bearer ${token}`, SUBSCRIBE);
    subscribers.push(before);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const firstEvents = [post(), post(), post()];
    await ingestAt(url, firstEvents);
    await before.until(() => before.events.length >= 3);
    const lastCursor = before.events.at(-1).changes.cursor;

    child!.kill('SIGKILL');
    await before.until(() => before.closed !== undefined);
    await startChild();
    const whileAway = [post(), post()];
    await ingestAt(url, whileAway);

    const after = new Subscriber(url, `Bearer ${token}`, SUBSCRIBE, { after: lastCursor });
    subscribers.push(after);
    await after.until(() => after.events.length >= 2);
    const live = [post()];
    await ingestAt(url, live);
    await after.until(() => after.events.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const received = [...before.events, ...after.events].map((e) => e.changes.node.caption);
    expect(received).toEqual([...firstEvents, ...whileAway, ...live].map((e) => e.data.id));
    await store.close();
  }, 60_000);
});
