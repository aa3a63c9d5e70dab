import { readdirSync, readFileSync } from 'node:fs';
import { composeServices } from '@theguild/federation-composition';
import { parse, print, type DocumentNode } from 'graphql';
import { demoRows, type DemoRows } from '../../src/store/index.js';
import { SubgraphProcess } from '../helpers/subgraph-process.js';

const TOKEN = 'reference-subgraph-token';
const contractDir = new URL('../../schema/subgraphs/', import.meta.url);
const contract = (name: string) => parse(readFileSync(new URL(`${name}.graphql`, contractDir), 'utf8'));

/** The gateway's side of a composition: a query root that reaches users by key, as the gateway does. */
const entryPoint = {
  name: 'gateway',
  typeDefs: parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
    type Query { viewer: User }
    type User @key(fields: "id", resolvable: false) { id: ID! }
  `),
};

/** Every field of every object type, with its arguments and type, as `Type.field(args): Type`. */
function fieldSignatures(document: DocumentNode): Set<string> {
  const signatures = new Set<string>();
  for (const definition of document.definitions) {
    if (definition.kind !== 'ObjectTypeDefinition' && definition.kind !== 'ObjectTypeExtension') continue;
    for (const field of definition.fields ?? []) {
      const args = (field.arguments ?? []).map((arg) => `${arg.name.value}: ${print(arg.type)}`).join(', ');
      signatures.add(`${definition.name.value}.${field.name.value}(${args}): ${print(field.type)}`);
    }
  }
  return signatures;
}

const entities = (subgraph: SubgraphProcess, representations: object[], selection: string) =>
  subgraph.graphql(`query ($representations: [_Any!]!) { _entities(representations: $representations) { ${selection} } }`, { representations });

/** The rows of one owner, in the contract's order: oldest first by time, then id. */
const inOrder = <Row>(rows: Row[], time: (row: Row) => number, id: (row: Row) => string) =>
  [...rows].sort((a, b) => time(a) - time(b) || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));

const iso = (millis: number) => new Date(millis).toISOString();

describe('the published subgraph contract', () => {
  const names = readdirSync(contractDir).map((file) => file.replace(/\.graphql$/, ''));

  it('has one file per category', () => {
    expect(names.sort()).toEqual(['activity', 'follows', 'messages', 'posts', 'profile']);
  });

  it.each(['activity', 'follows', 'messages', 'posts', 'profile'])('composes the %s file behind the gateway\'s entry point', (name) => {
    expect(composeServices([entryPoint, { name, typeDefs: contract(name) }]).errors).toBeUndefined();
  });

  it('composes all five categories together, as a platform federating every one', () => {
    const result = composeServices([entryPoint, ...names.map((name) => ({ name, typeDefs: contract(name) }))]);
    expect(result.errors).toBeUndefined();
  });
});

describe('the reference subgraphs', () => {
  const subgraphs: Record<'posts' | 'messages', SubgraphProcess> = {} as never;
  let demo: DemoRows;

  beforeAll(async () => {
    [subgraphs.posts, subgraphs.messages, demo] = await Promise.all([
      SubgraphProcess.start('posts', { token: TOKEN }),
      SubgraphProcess.start('messages', { token: TOKEN }),
      demoRows(),
    ]);
  }, 120_000);
  afterAll(() => Promise.all(Object.values(subgraphs).map((subgraph) => subgraph.stop())));
  beforeEach(() => Promise.all(Object.values(subgraphs).map((subgraph) => subgraph.resetCounters())));

  describe.each(['posts', 'messages'] as const)('the %s subgraph', (name) => {
    it('serves its category\'s contract as `_service { sdl }`, composable behind the gateway\'s entry point', async () => {
      const { body } = await subgraphs[name].graphql('{ _service { sdl } }');
      const served = parse(body.data._service.sdl);
      expect(composeServices([entryPoint, { name, typeDefs: served }]).errors).toBeUndefined();
      const missing = [...fieldSignatures(contract(name))].filter((field) => !fieldSignatures(served).has(field));
      expect(missing).toEqual([]);
    });

    it('refuses a request without its bearer token, or with another, with 401', async () => {
      for (const token of [null, 'not-the-token']) {
        const { status, body } = await subgraphs[name].graphql('{ _service { sdl } }', undefined, token);
        expect(status).toBe(401);
        expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      }
      expect((await subgraphs[name].counters()).requests).toBe(0);
    });
  });

  describe('posts', () => {
    const postFields = 'id authorId caption media { url type durationSeconds } visibility counts { likes comments shares views } createdAt updatedAt';
    const asServed = (row: DemoRows['posts'][number]) => ({
      id: row.id,
      authorId: row.authorId,
      caption: row.caption ?? null,
      media: row.mediaType ? { url: row.mediaUrl, type: row.mediaType, durationSeconds: row.mediaDurationMs == null ? null : row.mediaDurationMs / 1000 } : null,
      visibility: row.visibility,
      counts: { likes: row.likeCount, comments: row.commentCount, shares: row.shareCount, views: row.viewCount },
      createdAt: iso(row.createdAt),
      updatedAt: iso(row.updatedAt),
    });
    const alicesPosts = () => inOrder(demo.posts.filter((post) => post.authorId === 'alice'), (post) => post.createdAt, (post) => post.id);

    it('resolves 50 Post representations, the demo data\'s own, in one SQL statement, null for an unknown id', async () => {
      const rows = demo.posts.slice(100, 149);
      const { body } = await entities(subgraphs.posts, [...rows, { id: 'post_unknown' }].map(({ id }) => ({ __typename: 'Post', id })), `... on Post { ${postFields} }`);
      expect(body.errors).toBeUndefined();
      expect(body.data._entities).toEqual([...rows.map(asServed), null]);
      expect(await subgraphs.posts.counters()).toMatchObject({ requests: 1, statements: 1 });
    });

    it('pages alice\'s posts oldest first, forward with first/after and backward with last/before', async () => {
      const page = async (args: string) => {
        const { body } = await entities(subgraphs.posts, [{ __typename: 'User', id: 'alice' }],
          `... on User { posts(${args}) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`);
        expect(body.errors).toBeUndefined();
        return body.data._entities[0].posts;
      };
      const forward: string[] = [];
      for (let after = '', more = true; more; ) {
        const { edges, pageInfo } = await page(`first: 70${after ? `, after: "${after}"` : ''}`);
        forward.push(...edges.map((edge: any) => edge.node.id));
        expect(pageInfo.hasPreviousPage).toBe(after !== '');
        expect(pageInfo.endCursor).toBe(edges.at(-1).cursor);
        [after, more] = [pageInfo.endCursor, pageInfo.hasNextPage];
      }
      const backward: string[] = [];
      for (let before = '', more = true; more; ) {
        const { edges, pageInfo } = await page(`last: 70${before ? `, before: "${before}"` : ''}`);
        backward.unshift(...edges.map((edge: any) => edge.node.id));
        expect(pageInfo.hasNextPage).toBe(before !== '');
        expect(pageInfo.startCursor).toBe(edges[0].cursor);
        [before, more] = [pageInfo.startCursor, pageInfo.hasPreviousPage];
      }
      const expected = alicesPosts().map((post) => post.id);
      expect(expected).toHaveLength(300);
      expect(forward).toEqual(expected);
      expect(backward).toEqual(expected);
    });

    it('takes page sizes 1 and 1000 and refuses 0, 1001, both first and last, and a cursor it did not issue', async () => {
      const ask = (args: string) => entities(subgraphs.posts, [{ __typename: 'User', id: 'alice' }], `... on User { posts(${args}) { edges { node { id } } } }`);
      expect((await ask('first: 1')).body.data._entities[0].posts.edges).toHaveLength(1);
      expect((await ask('last: 1000')).body.data._entities[0].posts.edges).toHaveLength(300);
      const gatewayCursor = Buffer.from('post:1700000000000:post_00001').toString('base64url');
      for (const args of ['first: 0', 'first: 1001', 'last: 0', 'last: 1001', 'first: 5, last: 5', `first: 5, after: "${gatewayCursor}"`, 'last: 5, before: "%%"']) {
        const { body } = await ask(args);
        expect([args, body.errors?.[0]?.extensions?.code]).toEqual([args, 'BAD_USER_INPUT']);
        expect(body.data._entities).toEqual([null]);
      }
    });
  });

  describe('messages', () => {
    const messagesOf = (conversationId: string) =>
      inOrder(demo.messages.filter((message) => message.conversationId === conversationId), (message) => message.sentAt, (message) => message.id);
    const participantsOf = (conversationId: string) => demo.participants.filter((p) => p.conversationId === conversationId).map((p) => p.userId).sort();

    it('resolves 50 Message and 10 Conversation representations with one SQL statement per type', async () => {
      const messages = demo.messages.slice(0, 50);
      const conversations = demo.conversations.slice(0, 10);
      const { body } = await entities(subgraphs.messages,
        [...messages.map(({ id }) => ({ __typename: 'Message', id })), ...conversations.map(({ id }) => ({ __typename: 'Conversation', id }))],
        '... on Message { id conversationId senderId text sentAt } ... on Conversation { id participantIds createdAt }');
      expect(body.errors).toBeUndefined();
      expect(body.data._entities.slice(0, 50)).toEqual(messages.map((m) => ({ ...m, sentAt: iso(m.sentAt) })));
      expect(body.data._entities.slice(50).map((c: any) => ({ ...c, participantIds: [...c.participantIds].sort() })))
        .toEqual(conversations.map((c) => ({ id: c.id, participantIds: participantsOf(c.id), createdAt: iso(c.createdAt) })));
      // Messages, conversations, and the conversations' participants.
      expect(await subgraphs.messages.counters()).toMatchObject({ requests: 1, statements: 3 });
    });

    it('pages the conversations of 50 users and their messages in one SQL statement per level', async () => {
      const users = ['alice', 'bob', 'carol', ...Array.from({ length: 47 }, (_, i) => `usr_${String(i + 1).padStart(4, '0')}`)];
      const { body } = await entities(subgraphs.messages, users.map((id) => ({ __typename: 'User', id })),
        '... on User { id conversations(first: 50) { edges { node { id messages(first: 3) { edges { node { id } } pageInfo { hasNextPage } } } } } }');
      expect(body.errors).toBeUndefined();
      expect(await subgraphs.messages.counters()).toMatchObject({ requests: 1, statements: 2 });
      const alice = body.data._entities[0].conversations.edges.map((edge: any) => edge.node);
      const joined = inOrder(demo.participants.filter((p) => p.userId === 'alice'), (p) => p.joinedAt, (p) => p.conversationId);
      expect(alice.map((c: any) => c.id)).toEqual(joined.map((p) => p.conversationId));
      for (const conversation of alice) {
        expect(conversation.messages.edges.map((edge: any) => edge.node.id)).toEqual(messagesOf(conversation.id).slice(0, 3).map((m) => m.id));
        expect(conversation.messages.pageInfo.hasNextPage).toBe(messagesOf(conversation.id).length > 3);
      }
    });

    it('pages a conversation\'s messages backward with last/before, then forward again from a cursor', async () => {
      const conversationId = demo.conversations[0]!.id;
      const page = async (args: string) => {
        const { body } = await entities(subgraphs.messages, [{ __typename: 'Conversation', id: conversationId }],
          `... on Conversation { messages(${args}) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage } } }`);
        expect(body.errors).toBeUndefined();
        return body.data._entities[0].messages;
      };
      const expected = messagesOf(conversationId).map((m) => m.id);
      const latest = await page('last: 3');
      expect(latest.edges.map((edge: any) => edge.node.id)).toEqual(expected.slice(-3));
      expect(latest.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
      const earlier = await page(`last: 2, before: "${latest.edges[0].cursor}"`);
      expect(earlier.edges.map((edge: any) => edge.node.id)).toEqual(expected.slice(-5, -3));
      const after = await page(`first: 1000, after: "${earlier.edges[0].cursor}"`);
      expect(after.edges.map((edge: any) => edge.node.id)).toEqual(expected.slice(-4));
      expect(after.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
    });
  });
});
