import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/index.js';
import { startGateway, type Gateway } from '../../src/server/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const redisUrl = process.env.TEST_REDIS_URL;

(redisUrl ? describe : describe.skip)('rate limits shared through Redis by two gateway instances', () => {
  // One Redis, a key prefix of this run's own, and one issuer, so a token is good at either instance.
  const env = {
    REDIS_URL: redisUrl!,
    REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:`,
    PUBLIC_URL: 'http://gateway.test',
    MAX_QUERY_COST: '100',
    RATE_LIMIT_USER_POINTS: '100',
    RATE_LIMIT_APP_POINTS: '1000',
  };
  let first: TestGateway;
  let second: Gateway;
  let urls: string[];
  beforeAll(async () => {
    first = await startTestGateway('sqlite', env);
    second = await startGateway(loadConfig({ NODE_ENV: 'test', PORT: '0', DEMO_DATA: 'false', ...env }), { store: first.store });
    urls = [first.gateway, second].map((g) => `http://127.0.0.1:${(g.httpServer.address() as AddressInfo).port}/graphql`);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  const PAGE = '{ viewer { posts(first: 30) { edges { node { id } } } } }'; // costs 1 + 2 + 30 = 33

  async function post(url: string, token: string): Promise<Response> {
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: PAGE }),
    });
  }

  it('a user\'s bucket is one across both instances: the fourth page, at either, gets 429', async () => {
    const token = await first.token('alice');
    const statuses = [];
    for (const url of [urls[0]!, urls[1]!, urls[0]!, urls[1]!]) statuses.push((await post(url, token)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('each instance reports the same bucket in extensions.cost', async () => {
    const token = await first.token('bob');
    const a = (await (await post(urls[0]!, token)).json()) as any;
    const b = (await (await post(urls[1]!, token)).json()) as any;
    expect(a.extensions.cost.throttleStatus.currentlyAvailable).toBe(100 - 33);
    expect(b.extensions.cost.throttleStatus.currentlyAvailable).toBe(100 - 66);
  });
});
