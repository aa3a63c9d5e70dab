import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createAuthority, DEMO_APP, EEA_COUNTRIES } from '../src/auth/index.js';
import { openStore } from '../src/store/index.js';
import { median, percentile, startGatewayProcess } from './gateway-process.js';

export interface SubscriptionFigures {
  subscribers: number;
  /** WebSocket connections they were spread over (more than one subscription each only where the open-file limit demands it). */
  connections: number;
  seconds: number;
  /** Events the subscribers should have received, and did. */
  expected: number;
  received: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Gateway memory per idle subscription (RSS growth over the idle connections, divided). */
  idleBytesPerSubscriber: number;
  /** The gateway's CPU use while events flowed, in percent of one core. */
  gatewayCpuPercent: number;
  /** Gateway CPU time per delivered event (ingest included), in microseconds. */
  cpuMicrosPerEvent: number;
}

const INGEST_TOKEN = 'bench-ingest-token-0123456789';
const SUBSCRIBE = 'subscription { changes(categories: [POSTS]) { cursor node { ... on Post { caption } } } }';
const USERS = 300;
/** Descriptors left to everything but the subscribers' sockets, in the gateway and the load generator alike. */
const SPARE_FILES = 500;

/**
 * How many subscriptions each connection carries: one, unless the open-file limit (both processes
 * share it) cannot hold a socket per subscriber; then as few as fit under it.
 */
export function subscriptionsPerConnection(subscribers: number): number {
  const limit = /Max open files\s+(\d+)/.exec(fs.readFileSync('/proc/self/limits', 'utf8'))?.[1];
  const sockets = limit ? Number(limit) - SPARE_FILES : Infinity;
  return Math.max(1, Math.ceil(subscribers / sockets));
}

/**
 * Event-to-client latency with `subscribers` live subscriptions on one gateway (SQLite), spread
 * over 300 users so that every subscriber receives one event a second: each second, each user
 * gets one new post through the ingest API, stamped with the time it was sent.
 */
export async function benchSubscriptions(subscribers: number, seconds: number): Promise<SubscriptionFigures> {
  outOfOrder = 0;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-subs-'));
  const gateway = await startGatewayProcess({ DATA_DIR: dataDir, DEMO_DATA: 'true', INGEST_TOKEN });
  const sockets: WebSocket[] = [];
  try {
    const store = await openStore({ dataDir });
    const users = (await store.db.selectFrom('users').select('id').where('country', 'in', [...EEA_COUNTRIES]).orderBy('id').limit(USERS).execute()).map((u) => u.id);
    const authority = await createAuthority(store.db, { issuer: gateway.url, oneTimeSeconds: 3600, recurringSeconds: 86400, extraCountries: new Set() });
    const tokens = await Promise.all(users.map((user) => authority.issueToken(user, DEMO_APP.clientId, 'portability.posts.ongoing')));
    await store.close();

    const latencies: Latency[] = [];
    const baseline = gateway.rss();
    const wsUrl = gateway.url.replace('http', 'ws') + '/graphql';
    const perConnection = subscriptionsPerConnection(subscribers);
    const connections = Math.ceil(subscribers / perConnection);
    for (let i = 0; i < connections; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, connections - i) }, (_, j) => {
          const subscriptions = Math.min(perConnection, subscribers - (i + j) * perConnection);
          return subscribe(wsUrl, tokens[(i + j) % users.length]!, subscriptions, latencies).then((s) => sockets.push(s));
        }),
      );
    }
    await sleep(2000);
    const idleBytesPerSubscriber = Math.max(0, gateway.rss() - baseline) / subscribers;

    let sequence = 0;
    const failures: string[] = [];
    let gatewayCpuBefore = gateway.cpuMs();
    const ownCpuBefore = process.cpuUsage();
    const started = Date.now() + 1000;
    // One second of warm-up (first calls compile the hot paths), measured from the next.
    let measuredFrom = Infinity;
    for (let second = -1; second < seconds; second++) {
      if (second === 0) {
        measuredFrom = Date.now();
        gatewayCpuBefore = gateway.cpuMs();
      }
      // Spread a second's events over ten sends, a tenth of the users each.
      for (let slice = 0; slice < 10; slice++) {
        const due = started + second * 1000 + slice * 100;
        await sleep(due - Date.now());
        const events = users
          .filter((_, u) => u % 10 === slice)
          .map((user) => {
            const id = `bench-${++sequence}`;
            return { id, type: 'post.upsert', data: { id, authorId: user, caption: String(Date.now()), visibility: 'PUBLIC', createdAt: new Date().toISOString() } };
          });
        fetch(`${gateway.url}/internal/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_TOKEN}` },
          body: JSON.stringify({ events }),
        }).then(
          (response) => response.ok || failures.push(`HTTP ${response.status}`),
          (error: unknown) => failures.push(String(error)),
        );
      }
    }
    await sleep(3000);
    const wall = Date.now() - measuredFrom;
    const gatewayCpuMs = gateway.cpuMs() - gatewayCpuBefore;
    const own = process.cpuUsage(ownCpuBefore);
    console.error(`gateway cpu ${((100 * gatewayCpuMs) / wall).toFixed(0)}%, load generator cpu ${((100 * (own.user + own.system)) / 1000 / wall).toFixed(0)}%`);
    // Strictly after: the warm-up's last events can carry the very millisecond measuring starts.
    const measured = latencies.filter((l) => l.sentAt > measuredFrom).map((l) => l.ms);
    if (outOfOrder > 0) throw new Error(`${outOfOrder} events arrived twice or out of order`);
    if (failures.length > 0) throw new Error(`${failures.length} ingest requests failed, e.g. ${failures[0]}`);
    return {
      subscribers,
      connections,
      seconds,
      expected: subscribers * seconds,
      received: measured.length,
      p50Ms: median(measured),
      p99Ms: percentile(measured, 99),
      maxMs: percentile(measured, 100),
      idleBytesPerSubscriber,
      gatewayCpuPercent: Math.round((100 * gatewayCpuMs) / wall),
      cpuMicrosPerEvent: Math.round((1000 * gatewayCpuMs) / Math.max(1, latencies.length)),
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    await gateway.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A bare `graphql-transport-ws` subscriber: the load generator stays light at 10 000 of them. */
interface Latency {
  sentAt: number;
  ms: number;
}

/** Events a subscriber received at or before a position it had already passed: must stay 0. */
let outOfOrder = 0;

/** Opens a connection carrying `subscriptions` subscriptions (ids 1, 2, …) of its token's user. */
function subscribe(url: string, token: string, subscriptions: number, latencies: Latency[]): Promise<WebSocket> {
  const lastPositions = new Map<string, number>();
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    socket.once('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { id?: string; type: string; payload?: any };
      if (message.type === 'connection_ack') {
        for (let id = 1; id <= subscriptions; id++) socket.send(JSON.stringify({ id: String(id), type: 'subscribe', payload: { query: SUBSCRIBE } }));
        resolve(socket);
      } else if (message.type === 'next') {
        const position = Number(Buffer.from(String(message.payload?.data?.changes?.cursor), 'base64url').toString().split(':')[1]);
        if (!(position > (lastPositions.get(message.id ?? '') ?? 0))) outOfOrder++;
        lastPositions.set(message.id ?? '', position);
        const caption = message.payload?.data?.changes?.node?.caption;
        if (caption) latencies.push({ sentAt: Number(caption), ms: Date.now() - Number(caption) });
      } else if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
