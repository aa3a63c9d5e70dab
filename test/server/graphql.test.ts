import http from 'node:http';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLSchema,
} from 'graphql';
import { sql } from 'kysely';
import { hashToken } from '../../src/auth/index.js';
import { fromGlobalId, toGlobalId } from '../../src/graph/index.js';
import { buildSchema } from '../../src/server/index.js';
import { dialects } from '../helpers/stores.js';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../helpers/gateway.js';

const FRAGMENTS = `
fragment ProfileFields on Profile { id username displayName email country createdAt }
fragment PostFields on Post { id caption visibility createdAt }
fragment EventFields on ActivityEvent { id kind occurredAt }
fragment UserFields on User { id username displayName }
fragment ConversationFields on Conversation { id createdAt }
fragment MessageFields on Message { id text sentAt sender { ...UserFields } }
`;

const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

/** The first page (default size) of every connection of the viewer. */
const FIRST_PAGES = `${FRAGMENTS}
query FirstPages {
  viewer {
    profile { ...ProfileFields }
    posts { edges { cursor node { ...PostFields } } ${PAGE_INFO} }
    followers { edges { cursor since node { ...UserFields } } ${PAGE_INFO} }
    following { edges { cursor since node { ...UserFields } } ${PAGE_INFO} }
    activity { edges { cursor node { ...EventFields } } ${PAGE_INFO} }
    conversations {
      edges { cursor node { ...ConversationFields participants { ...UserFields } messages { edges { cursor node { ...MessageFields } } } } }
      ${PAGE_INFO}
    }
  }
}`;

const NODE = `${FRAGMENTS}
query Node($id: ID!) {
  node(id: $id) { __typename ...ProfileFields ...PostFields ...EventFields ...UserFields ...ConversationFields ...MessageFields }
}`;

const PROFILE = '{ viewer { profile { username } } }';

type Connection = 'posts' | 'followers' | 'following' | 'activity' | 'conversations';

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

interface PageOf<Node> {
  edges: { cursor: string; node: Node }[];
  pageInfo: PageInfo;
}

/** The arguments-only part of a connection query: `{ viewer { <connection>(<args>) { … } } }`. */
function connectionQuery(connection: Connection, args: string): string {
  const node = connection === 'posts' ? '{ id createdAt }' : '{ id }';
  return `query Page($cursor: String) { viewer { ${connection}(${args}) { edges { cursor node ${node} } ${PAGE_INFO} } } }`;
}

/** Fails with the response when it carries errors; returns its data otherwise. */
function dataOf(response: GraphQLResponse): any {
  if (response.body.errors) throw new Error(`unexpected errors: ${JSON.stringify(response.body.errors)}`);
  expect(response.status).toBe(200);
  return response.body.data;
}

/** Every item of a connection, paging forward with `first: 100` (or backward with `last: 100`). */
async function everyItem<Node>(
  gw: TestGateway,
  token: string,
  connection: Connection,
  direction: 'forward' | 'backward',
): Promise<{ nodes: Node[]; pages: PageInfo[] }> {
  const query = connectionQuery(connection, direction === 'forward' ? 'first: 100, after: $cursor' : 'last: 100, before: $cursor');
  const nodes: Node[] = [];
  const pages: PageInfo[] = [];
  let cursor: string | null = null;
  for (let round = 0; round < 50; round++) {
    const page: PageOf<Node> = dataOf(await gw.graphql(query, { token, variables: { cursor } })).viewer[connection];
    pages.push(page.pageInfo);
    const batch = page.edges.map((e) => e.node);
    if (direction === 'forward') nodes.push(...batch);
    else nodes.unshift(...batch);
    const more = direction === 'forward' ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
    if (!more) return { nodes, pages };
    cursor = direction === 'forward' ? page.pageInfo.endCursor : page.pageInfo.startCursor;
  }
  throw new Error(`${connection} did not end after 50 pages`);
}

const byTimeThenId = (a: { time: number; id: string }, b: { time: number; id: string }) =>
  a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Requests that must each be refused with BAD_USER_INPUT at the given field path. */
const BAD_ARGUMENTS: [string, string, (string | number)[]][] = [
  ['first: 0', '{ viewer { posts(first: 0) { edges { cursor } } } }', ['viewer', 'posts']],
  ['first: 101', '{ viewer { posts(first: 101) { edges { cursor } } } }', ['viewer', 'posts']],
  ['last: 101', '{ viewer { activity(last: 101) { edges { cursor } } } }', ['viewer', 'activity']],
  ['first and last together', '{ viewer { followers(first: 5, last: 5) { edges { cursor } } } }', ['viewer', 'followers']],
  ['a malformed after', '{ viewer { posts(first: 5, after: "not a cursor!") { edges { cursor } } } }', ['viewer', 'posts']],
  ['a base64 after that is no cursor', `{ viewer { posts(after: "${Buffer.from('hello').toString('base64url')}") { edges { cursor } } } }`, ['viewer', 'posts']],
  [
    'first: 0 on a conversation\'s messages',
    '{ viewer { conversations(first: 1) { edges { node { messages(first: 0) { edges { cursor } } } } } } }',
    ['viewer', 'conversations', 'edges', 0, 'node', 'messages'],
  ],
];

function expectBadUserInput(response: GraphQLResponse, path: (string | number)[]): void {
  expect(response.status).toBe(200);
  expect(response.body.errors).toHaveLength(1);
  const [error] = response.body.errors!;
  expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
  expect(error!.path).toEqual(path);
}

/**
 * A raw POST to `/graphql`; resolves with the status, or with the socket error when there is no
 * response. Without an `agent` each request gets a fresh connection.
 */
function rawPost(
  url: string,
  body: Buffer | string,
  options: { contentType?: string; chunked?: boolean; agent?: http.Agent; timeoutMs?: number } = {},
): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const headers: http.OutgoingHttpHeaders = { 'content-type': options.contentType ?? 'application/json' };
    if (!options.chunked) headers['content-length'] = Buffer.byteLength(body);
    const req = http.request(`${url}/graphql`, { method: 'POST', headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => resolve({ status: res.statusCode!, error: e.message }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    if (options.timeoutMs) req.setTimeout(options.timeoutMs, () => req.destroy(new Error('no response in time')));
    if (options.chunked) {
      const buffer = Buffer.from(body);
      for (let at = 0; at < buffer.length; at += 64 * 1024) req.write(buffer.subarray(at, at + 64 * 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

describe.each(dialects())('GraphQL over HTTP on %s', (dialect) => {
  let gw: TestGateway;
  let alice: string;
  beforeAll(async () => {
    gw = await startTestGateway(dialect);
    alice = await gw.token('alice');
  });
  afterAll(async () => {
    await gw?.close();
  });

  describe('authentication', () => {
    it('a request without a token gets 401 with a Bearer challenge and UNAUTHENTICATED', async () => {
      const response = await gw.graphql(PROFILE);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(response.body.data?.viewer ?? null).toBeNull();
    });

    it('a bogus token gets 401 with an invalid_token challenge', async () => {
      const response = await gw.graphql(PROFILE, { token: 'pgw_not-a-real-token' });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(response.body.data?.viewer ?? null).toBeNull();
    });

    const grantOf = async (token: string) =>
      (await gw.store.db.selectFrom('oidcPayloads').select('grantId').where('idHash', '=', hashToken(token)).executeTakeFirstOrThrow()).grantId!;

    it('an expired token gets 401 with an invalid_token challenge', async () => {
      const token = await gw.token('alice', 'portability.all.single');
      await gw.store.db.updateTable('oidcPayloads').set({ expiresAt: Date.now() - 1000 }).where('idHash', '=', hashToken(token)).execute();
      const response = await gw.graphql(PROFILE, { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });

    it('a revoked token gets 401 with an invalid_token challenge', async () => {
      const token = await gw.token('alice');
      expect((await gw.graphql(PROFILE, { token })).status).toBe(200);
      expect(await gw.gateway.authority.revokeGrant(await grantOf(token))).toBe(true);
      const response = await gw.graphql(PROFILE, { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });

    it('a token whose grant expired gets 401 with an invalid_token challenge', async () => {
      const token = await gw.token('alice');
      await gw.store.db.updateTable('grants').set({ expiresAt: Date.now() - 1000 }).where('id', '=', await grantOf(token)).execute();
      const response = await gw.graphql(PROFILE, { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });

    it('an Authorization header that is not Bearer gets 401 with an invalid_token challenge', async () => {
      const response = await fetch(`${gw.gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}` },
        body: JSON.stringify({ query: PROFILE }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });

    it('a token of carol, outside the EEA, gets 403 REGION_NOT_ELIGIBLE and no data', async () => {
      const response = await gw.graphql(PROFILE, { token: await gw.token('carol') });
      expect(response.status).toBe(403);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('REGION_NOT_ELIGIBLE');
      expect(response.body.data?.viewer ?? null).toBeNull();
    });
  });

  describe("alice's first pages", () => {
    let viewer: any;
    beforeAll(async () => {
      viewer = dataOf(await gw.graphql(FIRST_PAGES, { token: alice })).viewer;
    });

    it("alice's token reads her own profile", () => {
      expect(viewer.profile).toMatchObject({ username: 'alice', email: 'alice@example.com', country: 'DE' });
    });

    it.each(['posts', 'followers', 'following', 'activity', 'conversations'] as const)(
      'the first page of %s holds the default 20 edges and says more follow',
      (connection) => {
        const page = viewer[connection] as PageOf<unknown>;
        expect(page.edges).toHaveLength(20);
        expect(page.pageInfo).toEqual({
          hasNextPage: true,
          hasPreviousPage: false,
          startCursor: page.edges[0]!.cursor,
          endCursor: page.edges[19]!.cursor,
        });
      },
    );

    it('every conversation includes alice and has messages with their senders', () => {
      for (const { node } of viewer.conversations.edges) {
        expect(node.participants.map((p: { username: string }) => p.username)).toContain('alice');
        expect(node.messages.edges.length).toBeGreaterThan(0);
        const usernames = new Set(node.participants.map((p: { username: string }) => p.username));
        for (const message of node.messages.edges) expect(usernames).toContain(message.node.sender.username);
      }
    });

    it('the followers page matches the store', async () => {
      const ids = viewer.followers.edges.map((e: { node: { id: string } }) => fromGlobalId(e.node.id).id);
      const rows = await gw.store.db.selectFrom('follows').select('followerId').where('followeeId', '=', 'alice').where('followerId', 'in', ids).execute();
      expect(rows).toHaveLength(20);
    });
    it('a follow edge carries its Follow, with the id change events name it by', async () => {
      const { body } = await gw.graphql('{ viewer { following(first: 1) { edges { since node { id } follow { id since follower { username } followee { id } } } } } }', { token: alice });
      const [edge] = body.data.viewer.following.edges;
      expect(edge.follow).toEqual({ id: toGlobalId('Follow', JSON.stringify(['alice', fromGlobalId(edge.node.id).id])), since: edge.since, follower: { username: 'alice' }, followee: edge.node });
      expect(dataOf(await gw.graphql(NODE, { token: alice, variables: { id: edge.follow.id } })).node).toMatchObject({ __typename: 'Follow' });
    });
  });

  describe('pagination', () => {
    it("paging posts forward visits each of alice's posts once, ordered by time then id", async () => {
      const { nodes } = await everyItem<{ id: string; createdAt: string }>(gw, alice, 'posts', 'forward');
      const rows = await gw.store.db.selectFrom('posts').select(['id', 'createdAt']).where('authorId', '=', 'alice').execute();
      const expected = rows.map((r) => ({ time: Number(r.createdAt), id: r.id })).sort(byTimeThenId);
      const visited = nodes.map((n) => ({ time: Date.parse(n.createdAt), id: fromGlobalId(n.id).id }));
      expect(rows.length).toBeGreaterThan(100);
      expect(new Set(visited.map((v) => v.id)).size).toBe(visited.length);
      expect(visited).toEqual(expected);
    });

    it('paging posts backward with last and before yields the same list as paging forward', async () => {
      const forward = await everyItem<{ id: string }>(gw, alice, 'posts', 'forward');
      const backward = await everyItem<{ id: string }>(gw, alice, 'posts', 'backward');
      expect(backward.nodes).toEqual(forward.nodes);
    });

    it('paging forward reports a previous page on every page but the first', async () => {
      const { pages } = await everyItem(gw, alice, 'posts', 'forward');
      expect(pages.map((p) => p.hasPreviousPage)).toEqual(pages.map((_p, i) => i > 0));
    });

    it('paging backward reports a next page on every page but the last one', async () => {
      const { pages } = await everyItem(gw, alice, 'posts', 'backward');
      expect(pages.map((p) => p.hasNextPage)).toEqual(pages.map((_p, i) => i > 0));
    });

    it('a page after the last post is empty, with null cursors and no next page', async () => {
      const last = dataOf(await gw.graphql(connectionQuery('posts', 'last: 1, before: $cursor'), { token: alice, variables: { cursor: null } })).viewer.posts;
      const response = await gw.graphql(connectionQuery('posts', 'first: 10, after: $cursor'), { token: alice, variables: { cursor: last.pageInfo.endCursor } });
      expect(dataOf(response).viewer.posts).toEqual({
        edges: [],
        pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null },
      });
    });

    it.each([
      ['followers', () => gw.store.db.selectFrom('follows').select('followerId as id').where('followeeId', '=', 'alice')],
      ['following', () => gw.store.db.selectFrom('follows').select('followeeId as id').where('followerId', '=', 'alice')],
      ['activity', () => gw.store.db.selectFrom('activityEvents').select('id').where('userId', '=', 'alice')],
      ['conversations', () => gw.store.db.selectFrom('conversationParticipants').select('conversationId as id').where('userId', '=', 'alice')],
    ] as const)('paging %s forward visits every row of alice in the store exactly once', async (connection, rows) => {
      const { nodes } = await everyItem<{ id: string }>(gw, alice, connection, 'forward');
      const visited = nodes.map((n) => fromGlobalId(n.id).id);
      const expected = (await rows().execute()).map((r) => r.id);
      expect(new Set(visited).size).toBe(visited.length);
      expect(visited.sort()).toEqual(expected.sort());
    });

    it('paging messages backward from the latest reaches the first message of the conversation', async () => {
      const conversationId = (await gw.store.db.selectFrom('conversationParticipants').select('conversationId').where('userId', '=', 'alice').orderBy('conversationId').executeTakeFirstOrThrow()).conversationId;
      const expected = (await gw.store.db.selectFrom('messages').select(['id', 'sentAt']).where('conversationId', '=', conversationId).execute())
        .map((m) => ({ time: Number(m.sentAt), id: m.id }))
        .sort(byTimeThenId)
        .map((m) => m.id);
      const query = `query($id: ID!, $cursor: String) { node(id: $id) { ... on Conversation { messages(last: 3, before: $cursor) { edges { node { id } } ${PAGE_INFO} } } } }`;
      const visited: string[] = [];
      let cursor: string | null = null;
      for (let round = 0; round < 50; round++) {
        const variables = { id: toGlobalId('Conversation', conversationId), cursor };
        const page: PageOf<{ id: string }> = dataOf(await gw.graphql(query, { token: alice, variables })).node.messages;
        visited.unshift(...page.edges.map((e) => fromGlobalId(e.node.id).id));
        if (!page.pageInfo.hasPreviousPage) break;
        cursor = page.pageInfo.startCursor;
      }
      expect(visited).toEqual(expected);
    });
  });

  describe('bad arguments', () => {
    it.each(BAD_ARGUMENTS)('%s gives BAD_USER_INPUT at that field with HTTP 200', async (_name, query, path) => {
      expectBadUserInput(await gw.graphql(query, { token: alice }), path);
    });

    it('a followers cursor passed to posts gives BAD_USER_INPUT at viewer.posts', async () => {
      const followers = dataOf(await gw.graphql('{ viewer { followers(first: 1) { pageInfo { endCursor } } } }', { token: alice }));
      const cursor = followers.viewer.followers.pageInfo.endCursor as string;
      const response = await gw.graphql('query($c: String) { viewer { posts(after: $c) { edges { cursor } } } }', {
        token: alice,
        variables: { c: cursor },
      });
      expectBadUserInput(response, ['viewer', 'posts']);
    });

    it('a variable of the wrong type gets BAD_USER_INPUT with HTTP 400', async () => {
      const response = await gw.graphql('query($n: Int) { viewer { posts(first: $n) { edges { cursor } } } }', { token: alice, variables: { n: 'ten' } });
      expect(response.status).toBe(400);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('a variable left out takes its default, a required one included, as graphql-js has it', async () => {
      const response = await gw.graphql('query($n: Int! = 2) { viewer { posts(first: $n) { edges { cursor } } } }', { token: alice });
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data.viewer.posts.edges).toHaveLength(2);
    });

    it('a bad argument on one connection leaves the other fields of the query intact', async () => {
      const response = await gw.graphql('{ viewer { profile { username } posts(first: 0) { edges { cursor } } } }', { token: alice });
      expect(response.body.data).toEqual({ viewer: { profile: { username: 'alice' }, posts: null } });
    });
  });

  describe('validation', () => {
    it('an unknown field gets GRAPHQL_VALIDATION_FAILED with HTTP 400 and reads nothing but the token', async () => {
      // Earlier requests' access-log rows are written in a batch that could otherwise land now.
      await gw.gateway.flushAccessLog();
      gw.resetStatements();
      const response = await gw.graphql('{ viewer { profile { username password } } }', { token: alice });
      expect(response.status).toBe(400);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(response.body.data).toBeUndefined();
      // Besides the token: nothing but what background pollers (the change log's tailer, archive jobs, webhook delivery) read.
      expect(gw.statements.filter((statement) => !/"(oidc_payloads|grants|changes|archives|webhook_events)"/.test(statement))).toEqual([]);
    });
  });

  describe('node', () => {
    let viewer: any;
    beforeAll(async () => {
      viewer = dataOf(await gw.graphql(FIRST_PAGES, { token: alice })).viewer;
    });

    const fetchNode = async (id: string) => gw.graphql(NODE, { token: alice, variables: { id } });

    it.each([
      ['Profile', (v: any) => v.profile],
      ['Post', (v: any) => v.posts.edges[3].node],
      ['ActivityEvent', (v: any) => v.activity.edges[5].node],
      ['Conversation', (v: any) => ({ id: v.conversations.edges[2].node.id, createdAt: v.conversations.edges[2].node.createdAt })],
      ['Message', (v: any) => v.conversations.edges[2].node.messages.edges[0].node],
      ['User', (v: any) => v.followers.edges[7].node],
      ['User', (v: any) => v.following.edges[7].node],
    ])('a %s id from alice\'s own data fetches the same object again', async (typename, pick) => {
      const expected = pick(viewer);
      expect(fromGlobalId(expected.id).type).toBe(typename);
      const response = await fetchNode(expected.id);
      expect(dataOf(response).node).toEqual({ __typename: typename, ...expected });
    });

    it('alice can fetch herself as a User', async () => {
      const response = await fetchNode(toGlobalId('User', 'alice'));
      expect(dataOf(response).node).toMatchObject({ __typename: 'User', username: 'alice' });
    });

    const outside: [string, (db: TestGateway['store']['db']) => Promise<string>][] = [
      ["bob's post", async (db) => toGlobalId('Post', (await db.selectFrom('posts').select('id').where('authorId', '=', 'bob').executeTakeFirstOrThrow()).id)],
      ["bob's Profile", async () => toGlobalId('Profile', 'bob')],
      ["a follower's Profile", async (db) => toGlobalId('Profile', (await db.selectFrom('follows').select('followerId').where('followeeId', '=', 'alice').where('followerId', 'not in', ['alice', 'bob', 'carol']).executeTakeFirstOrThrow()).followerId)],
      ["bob's activity event", async (db) => toGlobalId('ActivityEvent', (await db.selectFrom('activityEvents').select('id').where('userId', '=', 'bob').executeTakeFirstOrThrow()).id)],
      [
        'a conversation alice is not in',
        async (db) =>
          toGlobalId(
            'Conversation',
            (await db.selectFrom('conversations').select('id').where('id', 'not in', db.selectFrom('conversationParticipants').select('conversationId').where('userId', '=', 'alice')).executeTakeFirstOrThrow()).id,
          ),
      ],
      [
        'a message of a conversation alice is not in',
        async (db) =>
          toGlobalId(
            'Message',
            (await db.selectFrom('messages').select('id').where('conversationId', 'not in', db.selectFrom('conversationParticipants').select('conversationId').where('userId', '=', 'alice')).executeTakeFirstOrThrow()).id,
          ),
      ],
      [
        'a User not connected to alice',
        async (db) =>
          toGlobalId(
            'User',
            (
              await db
                .selectFrom('users')
                .select('id')
                .where('id', '!=', 'alice')
                .where('id', 'not in', db.selectFrom('follows').select('followerId').where('followeeId', '=', 'alice'))
                .where('id', 'not in', db.selectFrom('follows').select('followeeId').where('followerId', '=', 'alice'))
                .where(
                  'id',
                  'not in',
                  db
                    .selectFrom('conversationParticipants as theirs')
                    .innerJoin('conversationParticipants as mine', 'mine.conversationId', 'theirs.conversationId')
                    .select('theirs.userId')
                    .where('mine.userId', '=', 'alice'),
                )
                .executeTakeFirstOrThrow()
            ).id,
          ),
      ],
      ['a Post id that does not exist', async () => toGlobalId('Post', 'post_99999')],
      ['a User id that does not exist', async () => toGlobalId('User', 'nobody')],
      ['a Message id that does not exist', async () => toGlobalId('Message', 'msg_99999')],
    ];

    it.each(outside)('%s gives null and no error, as a non-existent id does', async (_name, idOf) => {
      const response = await fetchNode(await idOf(gw.store.db));
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({ node: null });
      expect(response.body.errors).toBeUndefined();
    });

    it.each([
      ['"xx"', 'xx'],
      ['the base64 of "Nope:1"', Buffer.from('Nope:1').toString('base64')],
      ['an empty id', ''],
    ])('the malformed id %s gives BAD_USER_INPUT at node', async (_name, id) => {
      expectBadUserInput(await fetchNode(id), ['node']);
    });
  });

  describe("other people's private fields", () => {
    it("a follower's User id asked for Profile fields resolves as a User without them", async () => {
      const viewer = dataOf(await gw.graphql('{ viewer { followers(first: 1) { edges { node { id } } } } }', { token: alice })).viewer;
      const id = viewer.followers.edges[0].node.id as string;
      const response = await gw.graphql('query($id: ID!) { node(id: $id) { __typename ... on Profile { email birthDate } } }', {
        token: alice,
        variables: { id },
      });
      expect(dataOf(response).node).toEqual({ __typename: 'User' });
    });
  });

  describe('HTTP', () => {
    it('a POST body over 1 MiB gets 413', async () => {
      const body = JSON.stringify({ query: PROFILE, variables: { pad: 'x'.repeat(1024 * 1024) } });
      const response = await rawPost(gw.gateway.url, body);
      expect(response).toMatchObject({ status: 413 });
    });

    it('a chunked POST body over 1 MiB, sent without a content-length, gets 413', async () => {
      const body = JSON.stringify({ query: PROFILE, variables: { pad: 'x'.repeat(2 * 1024 * 1024) } });
      const response = await rawPost(gw.gateway.url, body, { chunked: true });
      expect(response).toMatchObject({ status: 413 });
    });

    it('after a refused upload with a content-length, the same keep-alive connection serves the next request', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const big = JSON.stringify({ query: PROFILE, variables: { pad: 'x'.repeat(2 * 1024 * 1024) } });
        expect(await rawPost(gw.gateway.url, big, { agent })).toMatchObject({ status: 413 });
        const next = await rawPost(gw.gateway.url, JSON.stringify({ query: PROFILE }), { agent, timeoutMs: 3000 });
        expect(next).toMatchObject({ status: 401 });
      } finally {
        agent.destroy();
      }
    });

    it('after a refused chunked upload, the same keep-alive connection serves the next request', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const big = JSON.stringify({ query: PROFILE, variables: { pad: 'x'.repeat(2 * 1024 * 1024) } });
        expect(await rawPost(gw.gateway.url, big, { agent, chunked: true })).toMatchObject({ status: 413 });
        const next = await rawPost(gw.gateway.url, JSON.stringify({ query: PROFILE }), { agent, timeoutMs: 3000 });
        expect(next).toMatchObject({ status: 401 });
      } finally {
        agent.destroy();
      }
    });

    it('a body of exactly 1 MiB is still served', async () => {
      const skeleton = JSON.stringify({ query: PROFILE, variables: { pad: '' } });
      const body = JSON.stringify({ query: PROFILE, variables: { pad: 'x'.repeat(1024 * 1024 - skeleton.length) } });
      expect(Buffer.byteLength(body)).toBe(1024 * 1024);
      const response = await rawPost(gw.gateway.url, body);
      expect(response.status).toBe(401); // reached GraphQL: no token
    });

    it('a body that is not JSON gets 400', async () => {
      const response = await rawPost(gw.gateway.url, '{"query": "{ viewer {');
      expect(response.status).toBe(400);
    });

    it('a document of several operations without an operationName gets an error, not a 5xx', async () => {
      const { status, body } = await gw.graphql('query A { viewer { profile { username } } } query B { grant { mode } }', { token: await gw.token('alice') });
      expect(status).toBeLessThan(500);
      expect(body.errors?.[0]?.message).toMatch(/operation name/i);
    });

    it('a text/plain body is refused with 415, not served and not a 5xx', async () => {
      const response = await rawPost(gw.gateway.url, JSON.stringify({ query: PROFILE }), { contentType: 'text/plain' });
      expect(response.status).toBe(415);
    });

    it('an answer tells every cache not to store it', async () => {
      const response = await gw.graphql(PROFILE, { token: alice });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('/healthz gives 200', async () => {
      expect((await fetch(`${gw.gateway.url}/healthz`)).status).toBe(200);
    });

    it('/readyz gives 200 on a migrated store', async () => {
      const response = await fetch(`${gw.gateway.url}/readyz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ready' });
    });

    it('an unknown path gives 404', async () => {
      expect((await fetch(`${gw.gateway.url}/nope`)).status).toBe(404);
    });
  });
});

describe.each(dialects())('a production gateway on %s', (dialect) => {
  let gw: TestGateway;
  let alice: string;
  beforeAll(async () => {
    gw = await startTestGateway(dialect, { NODE_ENV: 'production' });
    alice = await gw.token('alice');
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('runs in production', () => {
    expect(gw.config.nodeEnv).toBe('production');
  });

  it('still serves queries', async () => {
    expect(dataOf(await gw.graphql(PROFILE, { token: alice }))).toEqual({ viewer: { profile: { username: 'alice' } } });
  });

  it.each(BAD_ARGUMENTS)('%s gives BAD_USER_INPUT without a stack trace', async (_name, query, path) => {
    const response = await gw.graphql(query, { token: alice });
    expectBadUserInput(response, path);
    expect(response.body.errors![0]!.extensions).not.toHaveProperty('stacktrace');
    expect(JSON.stringify(response.body)).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('a malformed node id gives BAD_USER_INPUT without a stack trace', async () => {
    const response = await gw.graphql(NODE, { token: alice, variables: { id: 'xx' } });
    expectBadUserInput(response, ['node']);
    expect(response.body.errors![0]!.extensions).not.toHaveProperty('stacktrace');
  });

  it('refuses introspection', async () => {
    const response = await gw.graphql('{ __schema { types { name } } }', { token: alice });
    expect(response.body.data?.__schema).toBeUndefined();
    expect(response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  // Last: it breaks this gateway's store on purpose.
  it('an internal failure is masked: no SQL, no stack trace, just INTERNAL_SERVER_ERROR', async () => {
    await sql`DROP TABLE activity_events`.execute(gw.store.db);
    const response = await gw.graphql('{ viewer { profile { username } activity(first: 1) { edges { cursor } } } }', { token: alice });
    expect(response.body.data).toEqual({ viewer: { profile: { username: 'alice' }, activity: null } });
    expect(response.body.errors).toEqual([
      {
        message: 'Internal server error',
        path: ['viewer', 'activity'],
        locations: expect.any(Array),
        extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId: expect.any(String) },
      },
    ]);
    expect(JSON.stringify(response.body)).not.toMatch(/activity_events/);
  });
});

describe('the schema', () => {
  let schema: GraphQLSchema;
  beforeAll(() => {
    schema = buildSchema();
  });

  it('User carries exactly id, username, displayName and avatarUrl', () => {
    const user = schema.getType('User');
    expect(isObjectType(user)).toBe(true);
    if (!isObjectType(user)) return;
    expect(Object.keys(user.getFields()).sort()).toEqual(['avatarUrl', 'displayName', 'id', 'username']);
  });

  it('Profile is reached only through Viewer.profile and Query.node', () => {
    const reaching: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (isIntrospectionType(type) || !(isObjectType(type) || isInterfaceType(type))) continue;
      for (const field of Object.values(type.getFields())) {
        const target = getNamedType(field.type);
        if (target.name === 'Profile' || target.name === 'Node') reaching.push(`${type.name}.${field.name}`);
      }
    }
    expect(reaching.sort()).toEqual(['Change.node', 'Query.node', 'Viewer.profile']);
  });

  /** Every type, field, argument and enum value of schema/*.graphql that lacks a description. */
  function undescribed(): string[] {
    const missing: string[] = [];
    const check = (what: string, description: string | null | undefined) => {
      if (!description?.trim()) missing.push(what);
    };
    for (const type of Object.values(schema.getTypeMap())) {
      if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
      check(type.name, type.description);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          check(`${type.name}.${field.name}`, field.description);
          for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name})`, arg.description);
        }
      } else if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field.description);
      } else if (isEnumType(type)) {
        for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
      }
    }
    return missing;
  }

  it('every type, field, argument and enum value of schema/*.graphql has a description', () => {
    expect(undescribed()).toEqual([]);
  });
});
