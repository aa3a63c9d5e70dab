import { DEMO_APP, seedDemoAccess } from '../../src/auth/index.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { DialectName } from '../../src/store/index.js';
import { startGateway, type Gateway } from '../../src/server/index.js';
import { openTestStore, type TestStore } from './stores.js';

export interface TestGateway extends TestStore {
  gateway: Gateway;
  config: Config;
  /** A live access token for `username`, through a grant of `scope` to the demo app. */
  token(username: string, scope?: string): Promise<string>;
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

/** A real gateway on a free port over a fresh demo store of `dialect`. */
export async function startTestGateway(dialect: DialectName, env: Record<string, string> = {}): Promise<TestGateway> {
  const testStore = await openTestStore(dialect);
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', DEMO_DATA: 'false', ...env });
  await seedDemoAccess(testStore.store.db);
  const gateway = await startGateway(config, { store: testStore.store });
  return {
    ...testStore,
    gateway,
    config,
    async token(username, scope = 'portability.all.ongoing') {
      return gateway.authority.issueToken(username, DEMO_APP.clientId, scope);
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
