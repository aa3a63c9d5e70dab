import { DEMO_APP, seedDemoAccess } from '../../src/auth/index.js';
import { loadConfig } from '../../src/config/index.js';
import { AccessLogWriter, startGateway } from '../../src/server/index.js';
import { archiveWhen, requestArchive } from '../helpers/archives.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { dialects, openTestStore, type TestStore } from '../helpers/stores.js';

const PROFILE = 'query Mine { viewer { profile { username } } }';

describe.each(dialects())('the access-log writer on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('rows added together are written with one insert', async () => {
    const writer = new AccessLogWriter(t.store.db, (error) => {
      throw error;
    });
    const row = (i: number) => ({ id: `batch-${i}`, at: Date.now(), userId: 'alice', appId: 'demo-app', grantId: 'g', operationName: 'Mine', categories: 'profile', items: 1 });
    for (let i = 0; i < 5; i++) writer.add(row(i));
    expect(t.statements).toEqual([]);
    await writer.flush();
    expect(t.statements.filter((sql) => /into "access_log"/.test(sql))).toHaveLength(1);
    expect(await t.store.db.selectFrom('accessLog').select('id').where('id', 'like', 'batch-%').execute()).toHaveLength(5);
  });
});

describe.each(dialects())('a gateway shutting down on %s', (dialect) => {
  it('writes the access-log rows still waiting for their batch', async () => {
    const testStore = await openTestStore(dialect);
    try {
      await seedDemoAccess(testStore.store.db);
      const gateway = await startGateway(loadConfig({ NODE_ENV: 'test', PORT: '0', DEMO_DATA: 'false' }), { store: testStore.store });
      const token = await gateway.authority.issueToken('alice', DEMO_APP.clientId, 'portability.profile.single');
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: PROFILE }),
      });
      expect(response.status).toBe(200);
      await gateway.close();
      const rows = await testStore.store.db.selectFrom('accessLog').select('operationName').where('operationName', '=', 'Mine').execute();
      expect(rows).toHaveLength(1);
    } finally {
      await testStore.close();
    }
  });
});

describe.each(dialects())('what the access log records on %s', (dialect) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(dialect);
  });
  afterAll(async () => {
    await gw?.close();
  });

  const grantOf = async (token: string) => (await gw.graphql('{ grant { id } }', { token })).body.data.grant.id as string;
  const logOf = async (grantId: string) => {
    await gw.gateway.flushAccessLog();
    return gw.store.db.selectFrom('accessLog').selectAll().where('grantId', '=', grantId).orderBy('at').orderBy('id').execute();
  };
  let sequence = 0;
  const at = () => new Date(Date.now() + ++sequence).toISOString();
  const post = () => ({ id: `log-post-event-${++sequence}`, type: 'post.upsert', data: { id: `log-post-${sequence}`, authorId: 'alice', caption: 'x', visibility: 'PUBLIC', createdAt: at() } });

  it('a changes page is logged with the categories of its changes and one item per change, deletes included, its nodes asked for or not', async () => {
    const token = await gw.token('alice', 'portability.all.ongoing');
    const grantId = await grantOf(token);
    const message = { id: `log-msg-${dialect}`, conversationId: `log-conv-${dialect}`, senderId: 'bob', text: 'private', sentAt: at(), participantIds: ['alice', 'bob'] };
    expect((await gw.ingest([{ id: `log-msg-event-${dialect}`, type: 'message.upsert', data: message }])).body.rejected).toBe(0);
    const after = (await gw.graphql('{ changeCursor }', { token })).body.data.changeCursor;
    const events = [post(), post(), post(), { id: `log-msg-delete-${dialect}`, type: 'message.delete', data: { id: message.id } }];
    expect((await gw.ingest(events)).body.rejected).toBe(0);
    for (const [name, selection] of [['WithNodes', 'node { id }'], ['IdsOnly', '']]) {
      const { body } = await gw.graphql(`query ${name}($after: String) { changes(after: $after, first: 10) { edges { node { category operation id ${selection} } } } }`, { token, variables: { after } });
      expect(body.data.changes.edges.map((e: any) => `${e.node.category} ${e.node.operation}`)).toEqual(['POSTS UPSERT', 'POSTS UPSERT', 'POSTS UPSERT', 'MESSAGES DELETE']);
    }
    expect(await logOf(grantId)).toEqual([
      expect.objectContaining({ userId: 'alice', appId: 'demo-app', operationName: 'WithNodes', categories: 'messages posts', items: 4 }),
      expect.objectContaining({ userId: 'alice', appId: 'demo-app', operationName: 'IdsOnly', categories: 'messages posts', items: 4 }),
    ]);
  });

  it('an empty changes page is logged with the categories it asked for and no items', async () => {
    const token = await gw.token('alice', 'portability.all.ongoing');
    const grantId = await grantOf(token);
    const after = (await gw.graphql('{ changeCursor }', { token })).body.data.changeCursor;
    const { body } = await gw.graphql('query Poll($after: String) { changes(after: $after, categories: [POSTS, FOLLOWS]) { edges { cursor } } }', { token, variables: { after } });
    expect(body.data.changes.edges).toEqual([]);
    expect(await logOf(grantId)).toEqual([expect.objectContaining({ operationName: 'Poll', categories: 'follows posts', items: 0 })]);
  });

  describe('archives', () => {
    let token: string;
    let grantId: string;
    let archive: { id: string; downloadUrl: string; progress: { records: number } };
    beforeAll(async () => {
      token = await gw.token('alice', 'portability.posts.ongoing portability.follows.ongoing');
      grantId = await grantOf(token);
      const requested = await requestArchive(gw, token, ['POSTS', 'FOLLOWS']);
      expect(requested.errors).toBeUndefined();
      archive = await archiveWhen(gw, token, requested.archive.id, ['READY']);
    }, 60_000);

    it('requesting, reading and listing archives are logged under their categories, one item per archive', async () => {
      const rows = await logOf(grantId);
      expect(rows[0]).toEqual(expect.objectContaining({ userId: 'alice', appId: 'demo-app', operationName: null, categories: 'follows posts', items: 1 }));
      await gw.graphql('query One($id: ID!) { archive(id: $id) { status } }', { token, variables: { id: archive.id } });
      await gw.graphql('query All { archives { status } }', { token });
      await gw.graphql('query Again($id: ID!) { node(id: $id) { id } }', { token, variables: { id: archive.id } });
      expect((await logOf(grantId)).filter((row) => ['One', 'All', 'Again'].includes(row.operationName ?? ''))).toEqual(
        ['One', 'All', 'Again'].map((operationName) => expect.objectContaining({ operationName, categories: 'follows posts', items: 1 })),
      );
    });

    const downloads = async (count: number) => {
      for (let i = 0; i < 50; i++) {
        const rows = (await logOf(grantId)).filter((row) => row.operationName === 'Archive download');
        if (rows.length >= count) return rows;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`fewer than ${count} downloads logged`);
    };

    it("a download through the signed link, with no token, is logged under the archive's user, app and grant, with its record count", async () => {
      expect(archive.progress.records).toBeGreaterThan(10);
      const response = await fetch(archive.downloadUrl);
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      expect(await downloads(1)).toEqual([expect.objectContaining({ userId: 'alice', appId: 'demo-app', categories: 'follows posts', items: archive.progress.records })]);
    });

    it('the rest of a resumed download is logged with no items, a range from the start with all, and HEAD not at all', async () => {
      const before = (await downloads(1)).length;
      const head = await fetch(archive.downloadUrl, { method: 'HEAD' });
      expect(head.status).toBe(200);
      for (const range of ['bytes=100-', 'bytes=0-99']) {
        const response = await fetch(archive.downloadUrl, { headers: { range } });
        expect(response.status).toBe(206);
        await response.arrayBuffer();
      }
      const rows = (await downloads(before + 2)).slice(before);
      expect(rows.map((row) => row.items)).toEqual([0, archive.progress.records]);
      expect(rows.every((row) => row.categories === 'follows posts' && row.userId === 'alice')).toBe(true);
    });
  });
});
