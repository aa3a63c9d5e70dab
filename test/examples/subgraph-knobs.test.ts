import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SubgraphProcess } from '../helpers/subgraph-process.js';

// The knobs the gateway's tests turn on a reference subgraph: each must do what it says, or the
// tests that rely on it would pass for the wrong reason.

const TOKEN = 'knobs-test-token';
const alicesPosts = (first: number) =>
  `{ _entities(representations: [{ __typename: "User", id: "alice" }]) { ... on User { posts(first: ${first}) { edges { node { id authorId } } } } } }`;

/** The raw HTTP answer, for the faults that break the body. */
async function raw(subgraph: SubgraphProcess, query: string): Promise<{ status: number; text: string }> {
  const response = await fetch(subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, text: await response.text() };
}

describe('the reference subgraphs\' test knobs', () => {
  let posts: SubgraphProcess;
  let dir: string;
  const started: SubgraphProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'subgraph-knobs-'));
    posts = await SubgraphProcess.start('posts', { token: TOKEN });
    started.push(posts);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(started.map((subgraph) => subgraph.stop()));
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await posts.setFaults({});
    await posts.resetCounters();
  });

  it('counts the GraphQL requests received and keeps their bodies', async () => {
    await posts.graphql(alicesPosts(1));
    await posts.graphql('{ _service { sdl } }');
    const counters = await posts.counters();
    expect(counters.requests).toBe(2);
    expect(counters.bodies).toEqual([{ query: alicesPosts(1) }, { query: '{ _service { sdl } }' }]);
    await posts.resetCounters();
    expect(await posts.counters()).toEqual({ requests: 0, statements: 0, bodies: [] });
  });

  it('delays each answer by delayMs', async () => {
    await posts.setFaults({ delayMs: 400 });
    const started = Date.now();
    expect((await posts.graphql(alicesPosts(1))).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('answers HTTP 500, a truncated body, or a valid body over 10 MiB', async () => {
    await posts.setFaults({ answer: 'http-500' });
    expect((await raw(posts, alicesPosts(1))).status).toBe(500);
    await posts.setFaults({ answer: 'malformed-json' });
    const malformed = await raw(posts, alicesPosts(1));
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow();
    await posts.setFaults({ answer: 'oversize' });
    const oversize = await raw(posts, alicesPosts(1));
    expect(Buffer.byteLength(oversize.text)).toBeGreaterThan(10 * 1024 * 1024);
    expect(JSON.parse(oversize.text).data._entities[0].posts.edges).toHaveLength(1);
  });

  it('puts another user in every owner field, or drops the owner fields', async () => {
    await posts.setFaults({ foreignOwner: 'mallory' });
    const foreign = (await posts.graphql(alicesPosts(3))).body.data._entities[0].posts.edges;
    expect(foreign.map((edge: any) => edge.node.authorId)).toEqual(['mallory', 'mallory', 'mallory']);
    await posts.setFaults({ dropOwner: true });
    const dropped = (await posts.graphql(alicesPosts(3))).body.data._entities[0].posts.edges;
    expect(dropped.map((edge: any) => Object.keys(edge.node))).toEqual([['id'], ['id'], ['id']]);
  });

  it('answers 10 000 edges to a `first: 20`', async () => {
    await posts.setFaults({ edges: 10_000 });
    const { body } = await posts.graphql(alicesPosts(20));
    expect(body.data._entities[0].posts.edges).toHaveLength(10_000);
  });

  it('clears faults set for a number of requests once they are spent', async () => {
    await posts.setFaults({ answer: 'http-500', times: 2 });
    expect((await raw(posts, alicesPosts(1))).status).toBe(500);
    expect((await raw(posts, alicesPosts(1))).status).toBe(500);
    expect((await raw(posts, alicesPosts(1))).status).toBe(200);
  });

  it('refuses a fault it does not know, and the knobs without the token', async () => {
    await expect(posts.setFaults({ answer: 'teapot' } as never)).rejects.toThrow(/400/);
    const response = await fetch(new URL('/admin/counters', posts.url));
    expect(response.status).toBe(401);
  });

  it('saves records in the contract\'s shape while running, and refuses one that does not fit', async () => {
    const post = {
      __typename: 'Post', id: 'post_new', authorId: 'alice', caption: 'Fresh', media: { url: 'https://media.example.com/a.mp4', type: 'VIDEO', durationSeconds: 12.5 },
      visibility: 'PUBLIC', counts: { likes: 1, comments: 0, shares: 0, views: 9 }, createdAt: '2026-02-01T10:00:00.000Z',
    };
    expect(await posts.save([post])).toBe(1);
    const { body } = await posts.graphql('{ _entities(representations: [{ __typename: "Post", id: "post_new" }]) { ... on Post { id caption media { type durationSeconds } updatedAt } } }');
    expect(body.data._entities).toEqual([{ id: 'post_new', caption: 'Fresh', media: { type: 'VIDEO', durationSeconds: 12.5 }, updatedAt: '2026-02-01T10:00:00.000Z' }]);
    await expect(posts.save([{ ...post, createdAt: 'yesterday' }])).rejects.toThrow(/record 1/);
  });

  it.each([
    {
      name: 'profile' as const,
      record: { __typename: 'User', id: 'u1', username: 'u1', displayName: 'U One', email: 'u1@example.test', birthDate: '1990-05-01', country: 'DE', createdAt: '2025-01-01T00:00:00Z' },
      query: '{ _entities(representations: [{ __typename: "User", id: "u1" }]) { ... on User { id username bio } } }',
      served: (data: any) => data._entities[0],
      saved: { id: 'u1', username: 'u1', bio: null },
      foreign: { id: 'mallory', username: 'u1', bio: null },
      dropped: ['username', 'bio'],
    },
    {
      name: 'follows' as const,
      record: { __typename: 'Follow', followerId: 'u2', followeeId: 'u1', since: '2025-01-02T00:00:00Z' },
      query: '{ _entities(representations: [{ __typename: "User", id: "u1" }]) { ... on User { followers(first: 5) { edges { node { followerId followeeId since } } } } } }',
      served: (data: any) => data._entities[0].followers.edges[0].node,
      saved: { followerId: 'u2', followeeId: 'u1', since: '2025-01-02T00:00:00.000Z' },
      foreign: { followerId: 'mallory', followeeId: 'mallory', since: '2025-01-02T00:00:00.000Z' },
      dropped: ['since'],
    },
    {
      name: 'activity' as const,
      record: { __typename: 'ActivityEvent', id: 'e1', userId: 'u1', kind: 'SEARCH', target: { type: 'QUERY', text: 'ramen' }, occurredAt: '2025-01-03T00:00:00Z' },
      query: '{ _entities(representations: [{ __typename: "ActivityEvent", id: "e1" }]) { ... on ActivityEvent { id userId target { type ref text } } } }',
      served: (data: any) => data._entities[0],
      saved: { id: 'e1', userId: 'u1', target: { type: 'QUERY', ref: null, text: 'ramen' } },
      foreign: { id: 'e1', userId: 'mallory', target: { type: 'QUERY', ref: null, text: 'ramen' } },
      dropped: ['id', 'target'],
    },
  ])('saves $name records, and puts another user in, or drops, that category\'s owner fields', async ({ name, record, query, served, saved, foreign, dropped }) => {
    const subgraph = await SubgraphProcess.start(name, { token: TOKEN, demo: false });
    started.push(subgraph);
    await expect(subgraph.save([{ ...record, __typename: 'Post' }])).rejects.toThrow(/record 1/);
    expect(await subgraph.save([record])).toBe(1);
    expect(served((await subgraph.graphql(query)).body.data)).toEqual(saved);
    await subgraph.setFaults({ foreignOwner: 'mallory' });
    expect(served((await subgraph.graphql(query)).body.data)).toEqual(foreign);
    await subgraph.setFaults({ dropOwner: true });
    expect(Object.keys(served((await subgraph.graphql(query)).body.data))).toEqual(dropped);
  }, 120_000);

  it('loads a JSON-lines seed file at start, and refuses to start on a line that is not JSON', async () => {
    const records = [
      { __typename: 'Conversation', id: 'c1', participantIds: ['alice', 'bob'], createdAt: '2025-03-01T09:00:00Z' },
      { __typename: 'Message', id: 'm2', conversationId: 'c1', senderId: 'bob', text: 'Hi', sentAt: '2025-03-01T09:05:00Z' },
      { __typename: 'Message', id: 'm1', conversationId: 'c1', senderId: 'alice', text: 'Hello', sentAt: '2025-03-01T09:01:00Z' },
    ];
    const file = join(dir, 'messages.jsonl');
    await writeFile(file, `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
    const messages = await SubgraphProcess.start('messages', { demo: false, seedFile: file });
    started.push(messages);
    const { body } = await messages.graphql('{ _entities(representations: [{ __typename: "User", id: "bob" }]) { ... on User { conversations(first: 5) { edges { node { id participantIds messages(first: 5) { edges { node { id text } } } } } } } } }');
    expect(body.data._entities[0].conversations.edges).toEqual([
      { node: { id: 'c1', participantIds: ['alice', 'bob'], messages: { edges: [{ node: { id: 'm1', text: 'Hello' } }, { node: { id: 'm2', text: 'Hi' } }] } } },
    ]);

    const broken = join(dir, 'broken.jsonl');
    await writeFile(broken, `${JSON.stringify(records[0])}\n{not json\n`);
    await expect(SubgraphProcess.start('messages', { demo: false, seedFile: broken })).rejects.toThrow(/line 2 of .*broken\.jsonl is not JSON/);
  }, 120_000);
});
