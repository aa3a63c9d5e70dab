import { dialects } from '../helpers/stores.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { SUBGRAPH_TOKEN, walkThrough, withoutCursors, type WalkedList } from '../helpers/federation.js';
import { SubgraphProcess } from '../helpers/subgraph-process.js';
import { Federation } from '../../src/federation/index.js';

/** The portability page of the benchmarks: posts, conversations and their messages, with people from the embedded profile. */
const PAGE = `query Page($n: Int!) {
  viewer {
    profile { username }
    posts(first: $n) { edges { cursor node { id caption media { url type durationSeconds } visibility counts { likes comments shares views } createdAt updatedAt } } pageInfo { hasNextPage hasPreviousPage } }
    conversations(first: $n) {
      edges { cursor node { id createdAt participants { id username } messages(first: $n) { edges { cursor node { id text sentAt sender { username } conversation { id } } } pageInfo { hasNextPage } } } }
      pageInfo { hasNextPage }
    }
  }
}`;

const POSTS_PAGE = `query Posts($first: Int, $after: String, $last: Int, $before: String) {
  viewer { posts(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { id caption } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }
}`;

const POSTS: WalkedList = { query: POSTS_PAGE, connection: (data) => data.viewer.posts };

let posts: SubgraphProcess;
let messages: SubgraphProcess;

beforeAll(async () => {
  [posts, messages] = await Promise.all([SubgraphProcess.start('posts', { token: SUBGRAPH_TOKEN }), SubgraphProcess.start('messages', { token: SUBGRAPH_TOKEN })]);
});
afterAll(async () => {
  await Promise.all([posts?.stop(), messages?.stop()]);
});

describe.each(dialects())('a gateway with posts and messages on their subgraphs, on %s', (dialect) => {
  let federated: TestGateway;
  let embedded: TestGateway;
  beforeAll(async () => {
    [federated, embedded] = await Promise.all([
      // Page size 50 at every level is over what one operation may cost by default.
      startTestGateway(dialect, { SUBGRAPHS: `posts=${posts.url},messages=${messages.url}`, SUBGRAPH_TOKEN, SUBGRAPH_TIMEOUT_MS: '2000', MAX_QUERY_COST: '5000000' }),
      startTestGateway(dialect, { MAX_QUERY_COST: '5000000' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([federated?.close(), embedded?.close()]);
  });
  afterEach(async () => {
    await Promise.all([posts.setFaults({}), messages.setFaults({})]);
  });

  it('answers the portability page exactly as the embedded store does, cursors aside', async () => {
    const ask = async (gw: TestGateway) => gw.graphql(PAGE, { token: await gw.token('alice', 'portability.all.single'), variables: { n: 20 } });
    const [fromSubgraphs, fromStore] = await Promise.all([ask(federated), ask(embedded)]);
    expect(fromSubgraphs.body.errors).toBeUndefined();
    expect(fromSubgraphs.body.data.viewer.posts.edges).toHaveLength(20);
    expect(fromSubgraphs.body.data.viewer.conversations.edges.length).toBeGreaterThan(1);
    expect(withoutCursors(fromSubgraphs.body.data)).toEqual(withoutCursors(fromStore.body.data));
    const durations = await federated.gateway.metrics.registry.getSingleMetric('gateway_subgraph_request_duration_seconds')!.get();
    for (const subgraph of ['posts', 'messages']) {
      expect(durations.values.find((v) => v.labels.subgraph === subgraph && (v as { metricName?: string }).metricName?.endsWith('_count'))?.value).toBeGreaterThan(0);
    }
  });

  it.each([5, 50])('costs one request to the posts subgraph and two to the messages subgraph at page size %i', async (n) => {
    const token = await federated.token('alice', 'portability.all.single');
    await Promise.all([posts.resetCounters(), messages.resetCounters()]);
    const { body } = await federated.graphql(PAGE, { token, variables: { n } });
    expect(body.errors).toBeUndefined();
    expect(body.data.viewer.conversations.edges.length).toBeGreaterThan(1);
    expect((await posts.counters()).requests).toBe(1);
    expect((await messages.counters()).requests).toBe(2);
  });

  it('gathers the loads one tick makes, from any operation, into one request', async () => {
    const federation = (await Federation.start(
      { subgraphs: [{ category: 'posts', url: posts.url }], token: SUBGRAPH_TOKEN, timeoutMs: 2000 },
      { db: federated.store.db, logger: federated.gateway.logger },
    ))!;
    try {
      const sources = federation.sources(federated.store.sources);
      await posts.resetCounters();
      const [alicePages, bobPages, byId, count] = await Promise.all([
        sources.posts.postPages(['alice'], { first: 3 }),
        sources.posts.postPages(['bob'], { last: 2 }),
        sources.posts.postsByIds(['post_00001', 'no-such-post']),
        sources.posts.postCount('alice'),
      ]);
      expect(alicePages.get('alice')!.rows).toHaveLength(3);
      expect(bobPages.get('bob')!.rows).toHaveLength(2);
      expect(byId.map((post) => post.id)).toEqual(['post_00001']);
      expect(count).toBe((await embedded.store.sources.posts.postCount('alice')));
      expect((await posts.counters()).requests).toBe(1);

      // Past 500 representations, the loads of a tick go in more than one request.
      const ids = (n: number, from: number) => Array.from({ length: n }, (_, i) => `post_${String(from + i).padStart(5, '0')}`);
      await posts.resetCounters();
      const found = await Promise.all([sources.posts.postsByIds(ids(300, 1)), sources.posts.postsByIds(ids(300, 301))]);
      expect(found.flat().length).toBeGreaterThan(500);
      expect((await posts.counters()).requests).toBe(2);
    } finally {
      federation.close();
    }
  });

  it('sends nothing to the subgraph of a category outside the grant', async () => {
    const token = await federated.token('alice', 'portability.posts.single portability.profile.single');
    await Promise.all([posts.resetCounters(), messages.resetCounters()]);
    const { body } = await federated.graphql(PAGE, { token, variables: { n: 5 } });
    expect(body.data.viewer.posts.edges).toHaveLength(5);
    expect(body.data.viewer.conversations).toBeNull();
    expect(body.errors).toEqual([expect.objectContaining({ path: ['viewer', 'conversations'], extensions: expect.objectContaining({ code: 'INSUFFICIENT_SCOPE' }) })]);
    expect((await messages.counters()).requests).toBe(0);
  });

  it('asks no subgraph anything for a token whose grant was revoked', async () => {
    const token = await federated.token('alice', 'portability.all.ongoing');
    const { grant } = (await federated.graphql('{ grant { id } }', { token })).body.data;
    expect(await federated.gateway.authority.revokeGrant(grant.id)).toBe(true);
    await Promise.all([posts.resetCounters(), messages.resetCounters()]);
    const { status } = await federated.graphql(PAGE, { token, variables: { n: 5 } });
    expect(status).toBe(401);
    expect((await posts.counters()).requests + (await messages.counters()).requests).toBe(0);
  });

  it('pages forwards and backwards through the same posts as the embedded store', async () => {
    const walk = async (gw: TestGateway, direction: 'forward' | 'backward') => walkThrough(gw, await gw.token('alice', 'portability.posts.single'), POSTS, direction);
    const expected = await walk(embedded, 'forward');
    expect(expected.length).toBeGreaterThan(200);
    expect(await walk(federated, 'forward')).toEqual(expected);
    expect((await walk(federated, 'backward')).reverse()).toEqual(expected);
  });

  it("refuses a malformed cursor, another user's, another connection's and the embedded store's, as BAD_USER_INPUT", async () => {
    const [alice, bob] = await Promise.all([federated.token('alice', 'portability.all.single'), federated.token('bob', 'portability.all.single')]);
    const bobsCursor = (await federated.graphql(POSTS_PAGE, { token: bob, variables: { first: 1 } })).body.data.viewer.posts.pageInfo.endCursor;
    const embeddedCursor = (await embedded.graphql(POSTS_PAGE, { token: await embedded.token('alice', 'portability.posts.single'), variables: { first: 1 } })).body.data.viewer.posts.pageInfo
      .endCursor;
    const ownCursor: string = (await federated.graphql(POSTS_PAGE, { token: alice, variables: { first: 1 } })).body.data.viewer.posts.pageInfo.endCursor;
    const tampered = Buffer.from(Buffer.from(ownCursor, 'base64url').toString().replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))).toString('base64url');
    await posts.resetCounters();
    for (const after of [bobsCursor, embeddedCursor, tampered, 'not a cursor']) {
      const { status, body } = await federated.graphql(POSTS_PAGE, { token: alice, variables: { first: 2, after } });
      expect(status).toBe(200);
      expect(body.data.viewer.posts).toBeNull();
      expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName: 'after' }) })]);
    }
    expect((await posts.counters()).requests).toBe(0);
  });

  it("reads the viewer's own post and message by node id, and another user's as null", async () => {
    const token = await federated.token('alice', 'portability.all.single');
    const page = await federated.graphql(PAGE, { token, variables: { n: 1 } });
    const postId = page.body.data.viewer.posts.edges[0].node.id;
    const messageId = page.body.data.viewer.conversations.edges[0].node.messages.edges[0].node.id;
    const bobToken = await federated.token('bob', 'portability.all.single');
    const nodeQuery = `query N($id: ID!) { node(id: $id) { id ... on Post { caption } ... on Message { text } } }`;
    for (const id of [postId, messageId]) {
      expect((await federated.graphql(nodeQuery, { token, variables: { id } })).body.data.node).toMatchObject({ id });
      const foreign = await federated.graphql(nodeQuery, { token: bobToken, variables: { id } });
      expect(foreign.body).toEqual(expect.objectContaining({ data: { node: null } }));
      expect(foreign.body.errors).toBeUndefined();
    }
  });

  it('leaves out what a subgraph answers of another user, or without its owner fields, as if it did not exist', async () => {
    const token = await federated.token('alice', 'portability.all.single');
    const postId = (await federated.graphql(POSTS_PAGE, { token, variables: { first: 1 } })).body.data.viewer.posts.edges[0].node.id;
    const rejected = async () => {
      const metric = await federated.gateway.metrics.registry.getSingleMetric('gateway_subgraph_errors_total')!.get();
      return metric.values.find((v) => v.labels.subgraph === 'posts' && v.labels.kind === 'rejected')?.value ?? 0;
    };
    for (const faults of [{ foreignOwner: 'bob' }, { dropOwner: true }]) {
      const before = await rejected();
      await posts.setFaults(faults);
      const list = await federated.graphql(POSTS_PAGE, { token, variables: { first: 5 } });
      expect(list.body.errors).toBeUndefined();
      expect(list.body.data.viewer.posts.edges).toEqual([]);
      const node = await federated.graphql(`query N($id: ID!) { node(id: $id) { id } }`, { token, variables: { id: postId } });
      expect(node.body).toEqual(expect.objectContaining({ data: { node: null } }));
      // Each object left out is counted, and logged with it.
      expect(await rejected()).toBeGreaterThanOrEqual(before + 5);
    }
  });

  it('lets no more edges through than were asked for, however many the subgraph answers', async () => {
    const token = await federated.token('alice', 'portability.posts.single');
    await posts.setFaults({ edges: 10_000 });
    const { body } = await federated.graphql(POSTS_PAGE, { token, variables: { first: 20 } });
    expect(body.errors).toBeUndefined();
    expect(body.data.viewer.posts.edges).toHaveLength(20);
    expect(body.data.viewer.posts.pageInfo.hasNextPage).toBe(true);
  });

  it.each([
    ['answers HTTP 500', { answer: 'http-500' }],
    ['answers malformed JSON', { answer: 'malformed-json' }],
    ['answers more than 10 MiB', { answer: 'oversize' }],
    ['takes longer than SUBGRAPH_TIMEOUT_MS', { delayMs: 3000 }],
  ] as const)('nulls only the fields of a subgraph that %s, with SUBGRAPH_UNAVAILABLE', async (_what, faults) => {
    const token = await federated.token('alice', 'portability.all.single');
    await posts.setFaults(faults);
    const { status, body } = await federated.graphql(PAGE, { token, variables: { n: 3 } });
    expect(status).toBe(200);
    expect(body.data.viewer.posts).toBeNull();
    expect(body.data.viewer.profile).toEqual({ username: 'alice' });
    expect(body.data.viewer.conversations.edges).toHaveLength(3);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ path: ['viewer', 'posts'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', correlationId: expect.any(String) } });
    expect(JSON.stringify(body.errors)).not.toMatch(/Injected|subgraph answered|fetch failed|127\.0\.0\.1/);
  });
});
