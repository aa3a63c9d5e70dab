import { DEMO_APP, seedDemoAccess } from '../../src/auth/index.js';
import { loadConfig } from '../../src/config/index.js';
import { AccessLogWriter, startGateway } from '../../src/server/index.js';
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
