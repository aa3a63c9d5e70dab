import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { startTestGateway, startTwoInstances, type TestGateway, type TwoInstances } from '../helpers/gateway.js';

const BUDGET = 3;
const QUERY = JSON.stringify({ query: '{ __typename }' });

interface Answer {
  status: number;
  headers: Headers | Record<string, string | string[] | undefined>;
  code: string | undefined;
}

const headerOf = (answer: Answer, name: string) => (answer.headers instanceof Headers ? answer.headers.get(name) : answer.headers[name]);

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  const code = response.headers.get('content-type')?.includes('json') ? JSON.parse(text).errors?.[0]?.extensions?.code : undefined;
  return { status: response.status, headers: response.headers, code };
}

/** The three anonymous entry points, each sent from `forwardedFor` when given. */
function entryPoints(base: string) {
  const headers = (forwardedFor?: string, extra: Record<string, string> = {}) => ({ ...extra, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) });
  return {
    graphql: async (forwardedFor?: string, authorization?: string) =>
      answerOf(await fetch(`${base}/graphql`, { method: 'POST', headers: headers(forwardedFor, { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }), body: QUERY })),
    sse: async (forwardedFor?: string) =>
      answerOf(await fetch(`${base}/graphql/stream`, { method: 'POST', headers: headers(forwardedFor, { 'content-type': 'application/json', accept: 'text/event-stream' }), body: QUERY })),
    /** Opens a WebSocket and closes it again; or returns the handshake's refusal. */
    ws: (forwardedFor?: string) =>
      new Promise<Answer>((resolve, reject) => {
        const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { headers: headers(forwardedFor) });
        socket.once('open', () => {
          socket.once('close', () => resolve({ status: 101, headers: {}, code: undefined }));
          socket.close(1000);
        });
        socket.once('unexpected-response', (_req, res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
          res.once('end', () => resolve({ status: res.statusCode!, headers: res.headers, code: JSON.parse(body).errors?.[0]?.extensions?.code }));
        });
        socket.once('error', (error) => {
          if (!/Unexpected server response/.test(error.message)) reject(error);
        });
      }),
  };
}

function expectRateLimited(answer: Answer): void {
  expect([answer.status, answer.code]).toEqual([429, 'RATE_LIMITED']);
  expect(Number(headerOf(answer, 'retry-after'))).toBeGreaterThan(0);
}

describe('requests without a token, per client address (TRUST_PROXY=on)', () => {
  let gw: TestGateway;
  let send: ReturnType<typeof entryPoints>;
  let next = 0;
  /** An address of the test's own, so that each test starts with a full budget. */
  const address = () => `203.0.113.${++next}`;

  beforeAll(async () => {
    gw = await startTestGateway('sqlite', { TRUST_PROXY: 'on', RATE_LIMIT_ANONYMOUS_REQUESTS: String(BUDGET) });
    send = entryPoints(gw.gateway.url);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('/graphql without Authorization gets 429 with Retry-After and RATE_LIMITED once the address has spent its budget', async () => {
    const from = address();
    for (let i = 0; i < BUDGET; i++) expect((await send.graphql(from)).status).toBe(200);
    const refused = await send.graphql(from);
    expectRateLimited(refused);
    expect(headerOf(refused, 'ratelimit-limit')).toBe(String(BUDGET));
    expect(headerOf(refused, 'ratelimit-remaining')).toBe('0');
  });

  it('a request with an access token is not counted, and is served from an address that has spent its budget', async () => {
    const from = address();
    const authorization = `Bearer ${await gw.token('alice')}`;
    for (let i = 0; i < BUDGET + 2; i++) expect((await send.graphql(from, authorization)).status).toBe(200);
    for (let i = 0; i < BUDGET; i++) await send.graphql(from);
    expectRateLimited(await send.graphql(from));
    expect((await send.graphql(from, authorization)).status).toBe(200);
  });

  it('the SSE endpoint without a token counts the same way', async () => {
    const from = address();
    for (let i = 0; i < BUDGET; i++) expect((await send.sse(from)).code).toBe('UNAUTHENTICATED');
    expectRateLimited(await send.sse(from));
  });

  it('every WebSocket connection attempt counts; past the budget the handshake gets 429 and the gateway keeps no socket', async () => {
    const connections = () => new Promise<number>((resolve, reject) => gw.gateway.httpServer.getConnections((error, count) => (error ? reject(error) : resolve(count))));
    const from = address();
    for (let i = 0; i < BUDGET; i++) expect((await send.ws(from)).status).toBe(101);
    const before = await connections();
    expectRateLimited(await send.ws(from));
    for (let attempt = 0; attempt < 50 && (await connections()) > before; attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await connections()).toBeLessThanOrEqual(before);
  });

  it('one budget covers /graphql, SSE and WebSocket attempts together', async () => {
    const from = address();
    await send.graphql(from);
    await send.sse(from);
    await send.ws(from);
    expectRateLimited(await send.graphql(from));
    expectRateLimited(await send.sse(from));
    expectRateLimited(await send.ws(from));
  });

  it('counts the address the load balancer appended, whatever the client wrote before it', async () => {
    const from = address();
    for (let i = 0; i < BUDGET; i++) expect((await send.graphql(`198.51.100.${i}, ${from}`)).status).toBe(200);
    expectRateLimited(await send.graphql(`198.51.100.99, ${from}`));
    // Another address still has its whole budget.
    expect((await send.graphql(address())).status).toBe(200);
  });
});

describe('requests without a token with TRUST_PROXY off', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite', { RATE_LIMIT_ANONYMOUS_REQUESTS: String(BUDGET) });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('X-Forwarded-For is ignored: a client cannot pick a fresh address to dodge the limit', async () => {
    const send = entryPoints(gw.gateway.url);
    for (let i = 0; i < BUDGET; i++) expect((await send.graphql(`192.0.2.${i}`)).status).toBe(200);
    expectRateLimited(await send.graphql('192.0.2.200'));
  });
});

describe('requests without a token with RATE_LIMITS=off', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite', { RATE_LIMITS: 'off', RATE_LIMIT_ANONYMOUS_REQUESTS: '1' });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('are not counted', async () => {
    const send = entryPoints(gw.gateway.url);
    for (let i = 0; i < 3; i++) {
      expect((await send.graphql()).status).toBe(200);
      expect((await send.sse()).code).toBe('UNAUTHENTICATED');
      expect((await send.ws()).status).toBe(101);
    }
  });
});

const redisUrl = process.env.TEST_REDIS_URL;

(redisUrl ? describe : describe.skip)('requests without a token, counted in Redis by two instances', () => {
  const env = { REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:`, RATE_LIMIT_ANONYMOUS_REQUESTS: String(BUDGET) };
  let instances: TwoInstances;
  beforeAll(async () => {
    instances = await startTwoInstances(env);
  });
  afterAll(async () => {
    await instances?.close();
  });

  it("an address's budget is one across both instances", async () => {
    const [a, b] = instances.urls.map(entryPoints);
    expect((await a!.graphql()).status).toBe(200);
    expect((await b!.ws()).status).toBe(101);
    expect((await a!.sse()).code).toBe('UNAUTHENTICATED');
    expectRateLimited(await b!.graphql());
  });
});
