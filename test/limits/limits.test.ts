import http from 'node:http';
import { Subscriber } from '../helpers/subscriber.js';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../helpers/gateway.js';

const PROFILE = '{ viewer { profile { username } } }';

/** Sends a request by hand: `send` bytes of a body whose declared (or chunked) size is `declared`, then waits for the answer. */
function partialPost(url: string, declared: number | 'chunked', send: number, path = '/graphql'): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
    if (declared !== 'chunked') headers['content-length'] = declared;
    const req = http.request(`${url}${path}`, { method: 'POST', headers, agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode });
      req.destroy();
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let sent = 0; sent < send; sent += chunk.length) req.write(chunk);
    // The rest of the body never comes: only an answer that does not wait for it ends this request.
  });
}

function codeOf(response: GraphQLResponse): unknown {
  return response.body.errors?.[0]?.extensions?.code;
}

describe('limits on /graphql', () => {
  let gw: TestGateway;
  let alice: string;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
    alice = await gw.token('alice');
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('100 aliases of a 100-item connection are refused with 400 GRAPHQL_VALIDATION_FAILED before anything runs', async () => {
    const aliases = Array.from({ length: 100 }, (_, i) => `p${i}: posts(first: 100) { edges { node { id caption } } }`).join(' ');
    gw.resetStatements();
    const response = await gw.graphql(`{ viewer { ${aliases} } }`, { token: alice });
    expect(response.status).toBe(400);
    expect(codeOf(response)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors![0]!.message).toMatch(/Aliases limit of 15 exceeded/);
    expect(gw.statements.filter((statement) => /posts/.test(statement))).toEqual([]);
  });

  it('a 5 000-field document is refused with 400 GRAPHQL_PARSE_FAILED by the token limit', async () => {
    const fields = Array.from({ length: 5000 }, () => 'username').join(' ');
    const response = await gw.graphql(`{ viewer { profile { ${fields} } } }`, { token: alice });
    expect(response.status).toBe(400);
    expect(codeOf(response)).toBe('GRAPHQL_PARSE_FAILED');
    expect(response.body.errors![0]!.message).toMatch(/2000 tokens/);
  });

  it('a 10 MB body declared by its Content-Length gets 413 before it is sent', async () => {
    expect(await partialPost(gw.gateway.url, 10 * 1024 * 1024, 64 * 1024)).toEqual({ status: 413 });
  });

  it('a 10 MB chunked body gets 413 once the first MiB is past, without the rest being sent', async () => {
    expect(await partialPost(gw.gateway.url, 'chunked', 1024 * 1024 + 128 * 1024)).toEqual({ status: 413 });
  });

  it('a 10 MB body to /graphql/stream gets 413 before it is sent', async () => {
    expect(await partialPost(gw.gateway.url, 10 * 1024 * 1024, 64 * 1024, '/graphql/stream')).toEqual({ status: 413 });
  });

  it('a chunked body to /graphql/stream gets 411: graphql-sse would read it whole', async () => {
    expect(await partialPost(gw.gateway.url, 'chunked', 64 * 1024, '/graphql/stream')).toEqual({ status: 411 });
  });

  it('a selection deeper than the maximum depth is refused with GRAPHQL_VALIDATION_FAILED', async () => {
    const deep =
      '{ viewer { conversations(first: 1) { edges { node { messages(first: 1) { edges { node { conversation { messages(first: 1) { edges { node { conversation { id } } } } } } } } } } } } }';
    const response = await gw.graphql(deep, { token: alice });
    expect(response.status).toBe(400);
    expect(response.body.errors![0]!.message).toMatch(/depth limit of 12 exceeded/);
  });

  it('a document longer than 20 000 characters is refused with BAD_USER_INPUT', async () => {
    const response = await gw.graphql(`${PROFILE}\n# ${'x'.repeat(20_000)}`, { token: alice });
    expect(response.status).toBe(400);
    expect(codeOf(response)).toBe('BAD_USER_INPUT');
  });

  it('an operation over the maximum cost gets QUERY_TOO_COSTLY with its cost and the maximum, and runs nothing', async () => {
    gw.resetStatements();
    const response = await gw.graphql('{ viewer { conversations(first: 100) { edges { node { messages(first: 100) { edges { node { text } } } } } } } }', {
      token: alice,
    });
    expect(response.status).toBe(400);
    expect(response.body.errors![0]!.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', cost: 10303, maximumCost: 2000 });
    expect(gw.statements.filter((statement) => /messages|conversation/.test(statement))).toEqual([]);
  });

  it('page sizes passed as variables count toward the cost', async () => {
    const query = 'query($n: Int) { viewer { conversations(first: $n) { edges { node { messages(first: $n) { edges { node { text } } } } } } } }';
    expect((await gw.graphql(query, { token: alice, variables: { n: 100 } })).body.errors![0]!.extensions!.code).toBe('QUERY_TOO_COSTLY');
    expect((await gw.graphql(query, { token: alice, variables: { n: 5 } })).status).toBe(200);
  });

  it('every response carries extensions.cost in Shopify\'s shape, the actual cost no more than the requested one', async () => {
    const response = await gw.graphql('{ viewer { profile { username } posts(first: 50) { edges { node { id } } } } }', { token: alice });
    const cost = (response.body as { extensions?: any }).extensions?.cost;
    expect(cost).toEqual({
      requestedQueryCost: 1 + 1 + 2 + 50,
      actualQueryCost: expect.any(Number),
      maximumQueryCost: 2000,
      throttleStatus: { maximumAvailable: expect.any(Number), currentlyAvailable: expect.any(Number), restoreRate: expect.any(Number) },
    });
    expect(cost.actualQueryCost).toBeLessThanOrEqual(cost.requestedQueryCost);
    expect(cost.actualQueryCost).toBe(1 + 1 + 2 + 50);
  });

  it('answers with RateLimit-* headers', async () => {
    const response = await gw.graphql(PROFILE, { token: alice });
    expect(Number(response.headers.get('ratelimit-limit'))).toBeGreaterThan(0);
    expect(response.headers.get('ratelimit-remaining')).toMatch(/^\d+$/);
    expect(response.headers.get('ratelimit-reset')).toMatch(/^\d+$/);
  });

  // The schema has no mutation yet; Apollo refuses every operation but a query over GET alike.
  it('a subscription over GET gets 405', async () => {
    const search = new URLSearchParams({ query: 'subscription { changes { cursor } }' });
    const response = await fetch(`${gw.gateway.url}/graphql?${search}`, {
      headers: { authorization: `Bearer ${alice}`, 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(405);
  });

  it('a query over GET is served', async () => {
    const search = new URLSearchParams({ query: PROFILE });
    const response = await fetch(`${gw.gateway.url}/graphql?${search}`, { headers: { authorization: `Bearer ${alice}`, 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(200);
  });

  it('a GET without a preflight header is refused as a possible CSRF', async () => {
    const search = new URLSearchParams({ query: PROFILE });
    const response = await fetch(`${gw.gateway.url}/graphql?${search}`, { headers: { authorization: `Bearer ${alice}` } });
    expect(response.status).toBe(400);
  });

  it('answers application/graphql-response+json to a client that accepts it', async () => {
    const response = await fetch(`${gw.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${alice}` },
      body: JSON.stringify({ query: PROFILE }),
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
  });

  it('a POST accepting neither JSON type gets 406 and runs nothing', async () => {
    // Earlier requests' access-log rows go out in a batch that could otherwise land in this count.
    await gw.gateway.flushAccessLog();
    gw.resetStatements();
    const response = await fetch(`${gw.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/plain', authorization: `Bearer ${alice}` },
      body: JSON.stringify({ query: PROFILE }),
    });
    expect(response.status).toBe(406);
    expect(gw.statements).toEqual([]);
  });

  it('a POST without a content type gets 415', async () => {
    const response = await fetch(`${gw.gateway.url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${alice}` }, body: new Blob([PROFILE]) });
    expect(response.status).toBe(415);
  });

  it('every error carries a correlation id', async () => {
    const responses = [await gw.graphql(PROFILE), await gw.graphql('{ nope }', { token: alice }), await gw.graphql('{', { token: alice })];
    for (const response of responses) expect(response.body.errors![0]!.extensions!.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('suggests no field names outside development', async () => {
    const response = await gw.graphql('{ viewer { profil { username } } }', { token: alice });
    expect(response.body.errors![0]!.message).not.toMatch(/Did you mean/);
  });
});

describe('a production gateway', () => {
  it('refuses introspection unless INTROSPECTION=on', async () => {
    const closed = await startTestGateway('sqlite', { NODE_ENV: 'production' });
    const open = await startTestGateway('sqlite', { NODE_ENV: 'production', INTROSPECTION: 'on' });
    try {
      const query = '{ __schema { queryType { name } } }';
      expect((await closed.graphql(query, { token: await closed.token('alice') })).status).toBe(400);
      expect((await open.graphql(query, { token: await open.token('alice') })).body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    } finally {
      await closed.close();
      await open.close();
    }
  });
});

describe('rate limits in memory', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite', { MAX_QUERY_COST: '100', RATE_LIMIT_USER_POINTS: '100', RATE_LIMIT_APP_POINTS: '150' });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const PAGE = '{ viewer { posts(first: 40) { edges { node { id } } } } }'; // costs 1 + 2 + 40 = 43

  it('a user over the app-and-user bucket gets 429 with Retry-After and RATE_LIMITED', async () => {
    const token = await gw.token('alice');
    expect((await gw.graphql(PAGE, { token })).status).toBe(200);
    expect((await gw.graphql(PAGE, { token })).status).toBe(200);
    const refused = await gw.graphql(PAGE, { token });
    expect(refused.status).toBe(429);
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
  });

  it('the app\'s bucket over all users refuses another user once it is spent', async () => {
    const token = await gw.token('bob');
    // alice spent 86 of the app's 150; bob's first page takes it to 129, the second would pass 150.
    expect((await gw.graphql(PAGE, { token })).status).toBe(200);
    const refused = await gw.graphql(PAGE, { token });
    expect(refused.status).toBe(429);
    expect((refused.body as { extensions?: unknown }).extensions).toMatchObject({ cost: { throttleStatus: { maximumAvailable: 150 } } });
  });

});

describe('the subscription cap', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite', { MAX_SUBSCRIPTIONS_PER_GRANT: '1' });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('a second live subscription of one grant is refused with RATE_LIMITED', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    const query = 'subscription { changes { cursor } }';
    const first = new Subscriber(gw.gateway.url, `Bearer ${token}`, query);
    const second = new Subscriber(gw.gateway.url, `Bearer ${token}`, query);
    try {
      await second.until(() => second.errors.length > 0 || first.errors.length > 0);
      const errors = [...first.errors, ...second.errors] as { extensions?: { code?: string } }[][];
      expect(errors.flat().map((error) => error.extensions?.code)).toEqual(['RATE_LIMITED']);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
