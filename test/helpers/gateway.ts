import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DEMO_APP, seedDemoAccess } from '../../src/auth/index.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { Logger } from '../../src/logging/index.js';
import type { DialectName, Store } from '../../src/store/index.js';
import { startGateway, type Gateway } from '../../src/server/index.js';
import { openTestStore, type TestStore } from './stores.js';

export interface TestGateway extends TestStore {
  gateway: Gateway;
  config: Config;
  /** A live access token for `username`, through a grant of `scope` to the demo app. */
  token(username: string, scope?: string): Promise<string>;
  /** POSTs a batch of platform events to the ingest API; returns the HTTP status and parsed body. */
  ingest(events: unknown[]): Promise<{ status: number; body: any }>;
  /** POSTs a GraphQL operation; returns the HTTP status, headers and parsed body. */
  graphql(query: string, options?: { token?: string; variables?: Record<string, unknown> }): Promise<GraphQLResponse>;
}

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  body: {
    data?: any;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  };
}

/** The ingest credential test gateways open ingest with. */
export const TEST_INGEST_TOKEN = 'test-ingest-token-0123456789';

/**
 * A real gateway on a free port over a fresh demo store of `dialect`; `options.logger` captures its
 * log, and `options.wrapStore` gives the gateway the store it returns instead of the fresh one.
 */
export async function startTestGateway(
  dialect: DialectName,
  env: Record<string, string> = {},
  options: { logger?: Logger; wrapStore?: (store: Store) => Store } = {},
): Promise<TestGateway> {
  const testStore = await openTestStore(dialect);
  // Archive files go to a directory of the test's own, never the repository's ./data.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-test-'));
  // Quiet unless the run sets LOG_LEVEL.
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    DEMO_DATA: 'false',
    INGEST_TOKEN: TEST_INGEST_TOKEN,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? '',
    // Limits stay on, with buckets no suite that pages through alice's data can drain; the limits suites set their own.
    RATE_LIMIT_USER_POINTS: '10000000',
    RATE_LIMIT_APP_POINTS: '100000000',
    RATE_LIMIT_ANONYMOUS_REQUESTS: '1000000',
    ...env,
  });
  await seedDemoAccess(testStore.store.db);
  const gateway = await startGateway(config, { store: options.wrapStore?.(testStore.store) ?? testStore.store, logger: options.logger });
  return {
    ...testStore,
    gateway,
    config,
    async token(username, scope = 'portability.all.ongoing') {
      return gateway.authority.issueToken(username, DEMO_APP.clientId, scope);
    },
    async ingest(events) {
      const response = await fetch(`${gateway.url}/internal/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_INGEST_TOKEN}` },
        body: JSON.stringify({ events }),
      });
      return { status: response.status, body: await response.json() };
    },
    async graphql(query, options = {}) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify({ query, variables: options.variables }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse['body'] };
    },
    async close() {
      await gateway.close();
      await testStore.close();
    },
  };
}

let profileEvents = 0;

/** Ingests a `profile.upsert` that creates `userId` (its username alike) in `country`, or moves them there. */
export async function upsertProfile(gw: TestGateway, userId: string, country: string): Promise<void> {
  const data = { userId, username: userId, displayName: userId, email: `${userId}@example.test`, country };
  const { status, body } = await gw.ingest([{ id: `profile-${userId}-${++profileEvents}`, type: 'profile.upsert', data }]);
  if (status !== 200 || body.applied !== 1) throw new Error(`profile.upsert of ${userId} answered ${status}: ${JSON.stringify(body)}`);
}

/** Two instances of one deployment: a test gateway and a second gateway on its store, with the same settings. */
export interface TwoInstances {
  first: TestGateway;
  second: Gateway;
  /** Each instance's own base URL (`http://127.0.0.1:<port>`), whatever `PUBLIC_URL` says. */
  urls: [string, string];
  close(): Promise<void>;
}

/** Starts {@link TwoInstances} with `env` (a shared `REDIS_URL`, say). */
export async function startTwoInstances(env: Record<string, string>): Promise<TwoInstances> {
  const first = await startTestGateway('sqlite', env);
  const second = await startGateway(loadConfig({ NODE_ENV: 'test', PORT: '0', DEMO_DATA: 'false', ...env }), { store: first.store });
  const base = (gateway: Gateway) => `http://127.0.0.1:${(gateway.httpServer.address() as AddressInfo).port}`;
  return {
    first,
    second,
    urls: [base(first.gateway), base(second)],
    async close() {
      await second.close();
      await first.close();
    },
  };
}
