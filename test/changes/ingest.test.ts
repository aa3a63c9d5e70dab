import { pruneChanges } from '../../src/changes/index.js';
import { startTestGateway, TEST_INGEST_TOKEN, type TestGateway } from '../helpers/gateway.js';
import { dialects } from '../helpers/stores.js';

const at = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();
const CHANGES = `query Changes($after: String, $first: Int, $categories: [Category!]) {
  changes(after: $after, first: $first, categories: $categories) {
    edges { cursor node { category operation id node { id } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe.each(dialects())('ingest and the change log on %s', (dialect) => {
  let gw: TestGateway;
  let token: string;
  beforeAll(async () => {
    gw = await startTestGateway(dialect);
    token = await gw.token('alice', 'portability.all.ongoing');
  });
  afterAll(async () => {
    await gw?.close();
  });

  const changeRows = (entityId: string) => gw.store.db.selectFrom('changes').selectAll().where('entityId', '=', entityId).orderBy('position').execute();

  it('refuses a request without the ingest token, or with an app\'s token, with 401', async () => {
    const post = (authorization?: string) =>
      fetch(`${gw.gateway.url}/internal/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ events: [{ id: 'x', type: 'post.delete', data: { id: 'x' } }] }),
      });
    expect((await post()).status).toBe(401);
    expect((await post(`Bearer ${token}`)).status).toBe(401);
    expect((await post(`Bearer ${TEST_INGEST_TOKEN}x`)).status).toBe(401);
  });

  it('is closed while INGEST_TOKEN is unset', async () => {
    const closed = await startTestGateway(dialect, { INGEST_TOKEN: '' });
    try {
      expect((await closed.ingest([{ id: 'x', type: 'post.delete', data: { id: 'x' } }])).status).toBe(403);
    } finally {
      await closed.close();
    }
  });

  it('applies a post with one change for its author, readable through Query.changes', async () => {
    const { status, body } = await gw.ingest([{ id: 'i-post-1', type: 'post.upsert', data: { id: 'i-post', authorId: 'alice', caption: 'fresh', visibility: 'PUBLIC', createdAt: at() } }]);
    expect(status).toBe(200);
    expect(body).toMatchObject({ applied: 1, duplicates: 0, rejected: 0 });
    const rows = await changeRows('i-post');
    expect(rows).toEqual([expect.objectContaining({ userId: 'alice', category: 'posts', operation: 'UPSERT', entityType: 'Post' })]);
    const post = await gw.store.db.selectFrom('posts').select('caption').where('id', '=', 'i-post').executeTakeFirst();
    expect(post).toEqual({ caption: 'fresh' });
  });

  it('names every user a change affects: both people of a follow, every participant of a message', async () => {
    await gw.ingest([
      { id: 'i-follow', type: 'follow.upsert', data: { followerId: 'carol', followeeId: 'bob' } },
      { id: 'i-msg', type: 'message.upsert', data: { id: 'i-msg', conversationId: 'i-conv', senderId: 'bob', text: 'hi all', sentAt: at(), participantIds: ['alice', 'bob', 'carol'] } },
    ]);
    expect((await changeRows(JSON.stringify(['carol', 'bob']))).map((r) => r.userId).sort()).toEqual(['bob', 'carol']);
    expect((await changeRows('i-msg')).map((r) => r.userId).sort()).toEqual(['alice', 'bob', 'carol']);
    expect((await changeRows('i-conv')).map((r) => `${r.userId}:${r.entityType}`).sort()).toEqual(['alice:Conversation', 'bob:Conversation', 'carol:Conversation']);
  });

  it('acknowledges an event id seen before and does not apply it twice', async () => {
    const event = { id: 'i-dup', type: 'activity.upsert', data: { id: 'i-act', userId: 'alice', kind: 'LIKE', target: { type: 'POST', ref: 'p1' }, occurredAt: at() } };
    expect((await gw.ingest([event])).body.applied).toBe(1);
    const again = await gw.ingest([event, event]);
    expect(again.body).toMatchObject({ applied: 0, duplicates: 2 });
    expect(await changeRows('i-act')).toHaveLength(1);
  });

  it('refuses each bad event on its own, with a reason, and writes nothing of it', async () => {
    const { body } = await gw.ingest([
      { id: 'i-bad-1', type: 'post.upsert', data: { id: 'i-bad-post', authorId: 'nobody', visibility: 'PUBLIC', createdAt: at() } },
      { id: 'i-bad-2', type: 'post.upsert', data: { id: 'i-bad-post-2', authorId: 'alice', visibility: 'SECRET', createdAt: at() } },
      { id: 'i-bad-3', type: 'message.upsert', data: { id: 'i-bad-msg', conversationId: 'no-such-conv', senderId: 'bob', text: 'x', sentAt: at() } },
      { id: 'i-bad-4', type: 'follow.upsert', data: { followerId: 'alice', followeeId: 'alice' } },
      { type: 'post.delete', data: { id: 'x' } },
      { id: 'i-good', type: 'post.upsert', data: { id: 'i-good-post', authorId: 'alice', visibility: 'PUBLIC', createdAt: at() } },
    ]);
    expect(body).toMatchObject({ applied: 1, rejected: 5 });
    expect(body.results.map((r: any) => r.error?.code ?? r.status)).toEqual(['UNKNOWN_REFERENCE', 'INVALID_EVENT', 'UNKNOWN_REFERENCE', 'CONFLICT', 'INVALID_EVENT', 'applied']);
    expect(body.results[1].error.path).toBe('data.visibility');
    for (const entity of ['i-bad-post', 'i-bad-post-2', 'i-bad-msg']) expect(await changeRows(entity)).toEqual([]);
    expect(await gw.store.db.selectFrom('posts').select('id').where('id', 'in', ['i-bad-post', 'i-bad-post-2']).execute()).toEqual([]);
    expect(await gw.store.db.selectFrom('conversations').select('id').where('id', '=', 'no-such-conv').execute()).toEqual([]);
    expect(await gw.store.db.selectFrom('ingestedEvents').select('id').where('id', 'like', 'i-bad-%').execute()).toEqual([]);
  });

  it('a delete carries the id of what was removed, and no node', async () => {
    await gw.ingest([{ id: 'i-del-1', type: 'post.upsert', data: { id: 'i-del-post', authorId: 'alice', visibility: 'PUBLIC', createdAt: at() } }]);
    const before = (await gw.graphql('{ changes(first: 1) { edges { cursor } } }', { token })).body;
    expect(before.errors).toBeUndefined();
    await gw.ingest([{ id: 'i-del-2', type: 'post.delete', data: { id: 'i-del-post' } }]);
    const rows = await changeRows('i-del-post');
    expect(rows.map((r) => r.operation)).toEqual(['UPSERT', 'DELETE']);
    const { body } = await gw.graphql(CHANGES, { token, variables: { first: 100, categories: ['POSTS'] } });
    const deletes = body.data.changes.edges.filter((e: any) => e.node.operation === 'DELETE');
    expect(deletes).toEqual([{ cursor: expect.any(String), node: { category: 'POSTS', operation: 'DELETE', id: Buffer.from('Post:i-del-post').toString('base64url'), node: null } }]);
  });

  it('Query.changes pages the viewer\'s changes in order, in the granted categories only', async () => {
    const postsOnly = await gw.token('alice', 'portability.posts.ongoing');
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { body } = await gw.graphql(CHANGES, { token: postsOnly, variables: { after, first: 2 } });
      expect(body.errors).toBeUndefined();
      seen.push(...body.data.changes.edges.map((e: any) => e.node.category));
      if (!body.data.changes.pageInfo.hasNextPage) break;
      after = body.data.changes.pageInfo.endCursor;
    }
    const expected = await gw.store.db.selectFrom('changes').select('category').where('userId', '=', 'alice').where('category', '=', 'posts').orderBy('position').execute();
    expect(seen).toEqual(expected.map(() => 'POSTS'));
    expect(seen.length).toBeGreaterThan(2);
  });

  it('a one-time grant gets RECURRING_GRANT_REQUIRED', async () => {
    const { body } = await gw.graphql(CHANGES, { token: await gw.token('alice', 'portability.all.single') });
    expect(body.errors?.[0]?.extensions?.code).toBe('RECURRING_GRANT_REQUIRED');
    expect(body.data.changes).toBeNull();
  });

  it('asking for a category outside the grant gets INSUFFICIENT_SCOPE; an unknown one a validation error', async () => {
    const postsOnly = await gw.token('alice', 'portability.posts.ongoing');
    const refused = await gw.graphql(CHANGES, { token: postsOnly, variables: { categories: ['MESSAGES'] } });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'INSUFFICIENT_SCOPE', requiredScopes: ['portability.messages.ongoing'] });
    const unknown = await gw.graphql(CHANGES, { token: postsOnly, variables: { categories: ['SECRETS'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a malformed cursor gets BAD_USER_INPUT', async () => {
    const { body } = await gw.graphql(CHANGES, { token, variables: { after: 'not-a-cursor' } });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a cursor older than retention gets CURSOR_EXPIRED with the oldest cursor still available', async () => {
    const first = (await gw.graphql(CHANGES, { token, variables: { first: 1 } })).body.data.changes.edges[0].cursor;
    await gw.ingest([{ id: 'i-late', type: 'post.upsert', data: { id: 'i-late-post', authorId: 'alice', visibility: 'PUBLIC', createdAt: at() } }]);
    // Everything committed before "now" is past a retention of one millisecond, seen from a moment later.
    expect(await pruneChanges(gw.store.db, 1, Date.now() + 1000)).toBeGreaterThan(0);
    expect(await gw.store.db.selectFrom('ingestedEvents').select('id').execute()).toEqual([]);
    const { body } = await gw.graphql(CHANGES, { token, variables: { after: first } });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'CURSOR_EXPIRED', oldestCursor: expect.any(String) });
    const resumed = await gw.graphql(CHANGES, { token, variables: { after: body.errors![0]!.extensions!.oldestCursor } });
    expect(resumed.body.errors).toBeUndefined();
  });
});
