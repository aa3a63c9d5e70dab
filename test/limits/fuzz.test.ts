import http from 'node:http';
import fc from 'fast-check';
import WebSocket from 'ws';
import { fromGlobalId, NODE_TYPES } from '../../src/graph/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * Property-based abuse of the running gateway: random and malformed documents, variables, cursors,
 * global ids, JSON bodies, headers and WebSocket messages, 10 000 cases in all. Whatever comes in,
 * the gateway answers without a 5xx, stays up, and returns nothing outside alice's posts-only grant.
 */
/**
 * Generous on purpose: alone, the 10 000 cases take about a minute of CPU; beside the rest of the
 * suite on a loaded 2-core machine one property can take minutes of wall time, which is no failure.
 */
const PROPERTY_TIMEOUT_MS = 600_000;

describe('fuzzing the live gateway under a posts-only grant', () => {
  let gw: TestGateway;
  let token: string;
  let alicePosts: Set<string>;
  let knownIds: string[];
  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
    token = await gw.token('alice', 'portability.posts.ongoing');
    const db = gw.store.db;
    alicePosts = new Set((await db.selectFrom('posts').select('id').where('authorId', '=', 'alice').execute()).map((p) => p.id));
    // Real platform ids of everyone, so generated global ids often name something that exists.
    const sample = async (table: 'posts' | 'activityEvents' | 'messages' | 'conversations' | 'users') =>
      (await db.selectFrom(table).select('id').limit(20).execute()).map((row) => row.id);
    knownIds = [...(await sample('posts')), ...(await sample('activityEvents')), ...(await sample('messages')), ...(await sample('conversations')), ...(await sample('users'))];
  });
  afterAll(async () => {
    await gw?.close();
  });

  /** Every `id` in a response's data must be one of alice's posts: the grant holds nothing else. */
  function assertInsideGrant(data: unknown): void {
    if (Array.isArray(data)) return data.forEach(assertInsideGrant);
    if (!data || typeof data !== 'object') return;
    for (const [key, value] of Object.entries(data)) {
      if (key === 'id' && typeof value === 'string') {
        const { type, id } = fromGlobalId(value);
        expect(type).toBe('Post');
        expect(alicePosts.has(id)).toBe(true);
      } else assertInsideGrant(value);
    }
  }

  // node:http on one kept-alive connection: a fetch costs the test process more than the gateway spends answering.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  afterAll(() => agent.destroy());

  function request(body: string | Uint8Array, headers: Record<string, string>): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${gw.gateway.url}/graphql`, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async function post(body: string | Uint8Array, headers: Record<string, string> = {}): Promise<void> {
    const response = await request(body, { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers });
    expect(response.status).toBeLessThan(500);
    const text = response.text;
    const parsed = (() => {
      try {
        return JSON.parse(text) as { data?: unknown };
      } catch {
        return undefined;
      }
    })();
    expect(parsed).toBeDefined();
    assertInsideGrant(parsed?.data);
  }

  const graphql = (query: string, variables?: unknown) => post(JSON.stringify({ query, variables }));

  const VALID = [
    '{ viewer { posts(first: 5) { edges { cursor node { id caption } } pageInfo { endCursor hasNextPage } } } }',
    'query($id: ID!) { node(id: $id) { id ... on Post { caption } ... on Message { text } } }',
    '{ viewer { profile { id email } followers { edges { node { id } } } conversations { edges { node { id messages { edges { node { id text } } } } } } } }',
    '{ changes(first: 10) { edges { node { id category node { id } } } } }',
    'fragment P on Post { id caption } { viewer { posts(last: 3) { edges { node { ...P } } } } }',
    '{ __schema { types { name } } }',
  ];
  const WORDS = ['viewer', 'posts', 'edges', 'node', 'id', 'profile', 'changes', 'activity', 'conversations', 'messages', '__typename', 'first: 5', 'last: 101', 'after: "x"', '(', ')', '{', '}', '...', 'on Post', 'on User', '$x', '"a"', '@skip(if: true)', '@include(if: $x)', 'query', 'mutation', 'subscription', 'fragment F on Post', '...F', ':', '!', '[', ']', '#', '\n'];

  /** A document: random text, a valid one with a random edit, or a random run of the schema's words. */
  const documents = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.tuple(fc.constantFrom(...VALID), fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 6 })).map(([doc, at, cut, insert]) => {
      const i = at % (doc.length + 1);
      return doc.slice(0, i) + insert + doc.slice(i + cut);
    }),
    fc.array(fc.constantFrom(...WORDS), { maxLength: 40 }).map((words) => words.join(' ')),
  );

  const base64url = (text: string) => Buffer.from(text).toString('base64url');
  const kinds = ['post', 'follower', 'following', 'activity', 'conversation', 'message', 'change', 'nope', ''];
  const cursors = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.tuple(fc.constantFrom(...kinds), fc.oneof(fc.nat(), fc.integer(), fc.double().map(String)), fc.string({ maxLength: 12 })).map(([kind, time, id]) => base64url(`${kind}:${time}:${id}`)),
  );
  const globalIds = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.tuple(fc.constantFrom(...NODE_TYPES, 'Viewer', 'Grant', ''), fc.oneof(fc.constantFrom('alice', 'bob', 'carol', 'x'), fc.string({ maxLength: 12 }))).map(([type, id]) => base64url(`${type}:${id}`)),
  );
  const realIds = () => fc.tuple(fc.constantFrom(...NODE_TYPES), fc.constantFrom(...knownIds)).map(([type, id]) => base64url(`${type}:${id}`));

  it('random and malformed documents', async () => {
    await fc.assert(fc.asyncProperty(documents, (document) => graphql(document)), { numRuns: 3000 });
  }, PROPERTY_TIMEOUT_MS);

  it('random variables', async () => {
    const query = 'query($n: Int, $after: String, $id: ID!, $cats: [Category!]) { node(id: $id) { id } viewer { posts(first: $n, after: $after) { edges { cursor node { id } } } } changes(first: $n, after: $after, categories: $cats) { edges { node { id } } } }';
    const variables = fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom('n', 'after', 'id', 'cats', 'other'), fc.jsonValue()));
    await fc.assert(fc.asyncProperty(variables, (v) => graphql(query, v)), { numRuns: 2000 });
  }, PROPERTY_TIMEOUT_MS);

  it('random cursors on every connection', async () => {
    const connections = ['viewer { posts', 'viewer { followers', 'viewer { following', 'viewer { activity', 'viewer { conversations'];
    const property = fc.asyncProperty(fc.constantFrom(...connections), fc.constantFrom('after', 'before'), cursors, (connection, direction, cursor) =>
      graphql(`query($c: String) { ${connection}(${direction}: $c, ${direction === 'after' ? 'first' : 'last'}: 3) { edges { cursor node { id } } } } changes(after: $c, first: 3) { edges { node { id } } } }`, { c: cursor }),
    );
    await fc.assert(property, { numRuns: 1500 });
  }, PROPERTY_TIMEOUT_MS);

  it('random global ids, and real ids of everyone under every type', async () => {
    const query = 'query($id: ID!) { node(id: $id) { id __typename ... on Post { caption } ... on Message { text } ... on Profile { email } } }';
    await fc.assert(fc.asyncProperty(fc.oneof(globalIds, realIds()), (id) => graphql(query, { id })), { numRuns: 1500 });
  }, PROPERTY_TIMEOUT_MS);

  it('random JSON bodies and bytes', async () => {
    const bodies = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ query: fc.oneof(fc.jsonValue(), documents), variables: fc.jsonValue(), operationName: fc.jsonValue(), extensions: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }),
    );
    await fc.assert(fc.asyncProperty(bodies, (body) => post(body)), { numRuns: 1000 });
  }, PROPERTY_TIMEOUT_MS);

  it('random headers', async () => {
    const printable = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
    const headers = fc.record({
      'content-type': fc.oneof(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/graphql', 'multipart/form-data'), printable),
      accept: fc.oneof(fc.constantFrom('*/*', 'application/json', 'application/graphql-response+json', 'text/html', 'text/event-stream'), printable),
      authorization: fc.oneof(fc.constant(`Bearer ${token}`), printable, printable.map((t) => `Bearer ${t}`)),
      'apollo-require-preflight': printable,
    }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(headers, (h) => post(JSON.stringify({ query: VALID[0] }), h)), { numRuns: 500 });
  }, PROPERTY_TIMEOUT_MS);

  it('random WebSocket messages', async () => {
    const subscribe = fc.record({
      id: fc.oneof(fc.string({ maxLength: 8 }), fc.jsonValue()),
      type: fc.constantFrom('subscribe', 'complete', 'ping', 'connection_init', 'next', 'nope'),
      payload: fc.oneof(fc.jsonValue(), fc.record({ query: documents, variables: fc.jsonValue(), operationName: fc.jsonValue() }, { requiredKeys: [] })),
    }, { requiredKeys: [] });
    const messages = fc.array(fc.oneof(subscribe.map((m) => JSON.stringify(m)), fc.string({ maxLength: 100 }), fc.jsonValue().map((v) => JSON.stringify(v))), { minLength: 1, maxLength: 4 });
    const url = gw.gateway.url.replace(/^http/, 'ws') + '/graphql';
    await fc.assert(
      fc.asyncProperty(messages, async (sent) => {
        const socket = new WebSocket(url, 'graphql-transport-ws');
        const received: any[] = [];
        const closed = new Promise<number>((resolve) => socket.once('close', resolve));
        socket.on('message', (raw) => received.push(JSON.parse(String(raw))));
        await new Promise((resolve) => socket.once('open', resolve));
        socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
        for (const message of sent) socket.send(message);
        // A ping last: once its pong is back, the messages before it have been taken in.
        socket.send(JSON.stringify({ type: 'ping' }));
        const code = await Promise.race([closed, new Promise<undefined>((resolve) => socket.on('message', (raw) => JSON.parse(String(raw)).type === 'pong' && resolve(undefined)))]);
        await new Promise((resolve) => setTimeout(resolve, 5));
        socket.close();
        const finalCode = code ?? (await closed);
        // 4500 and 1011 are the server's own failures; 4400 (bad message) and the rest are the client's.
        expect([4500, 1011]).not.toContain(finalCode);
        for (const message of received) if (message.type === 'next') assertInsideGrant(message.payload?.data);
      }),
      { numRuns: 500 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('is still serving after all of it', async () => {
    const response = await gw.graphql('{ viewer { posts(first: 1) { edges { node { id } } } } }', { token });
    expect(response.status).toBe(200);
  });
});
