import { DEMO_APP, seedDemoAccess } from '../../src/auth/index.js';
import { loadConfig } from '../../src/config/index.js';
import { startGateway } from '../../src/server/index.js';
import { dialects, openTestStore } from '../helpers/stores.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const PROFILE = 'query Mine { viewer { profile { username } } }';

describe.each(dialects())('the access log on %s', (dialect) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(dialect);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('requests answered together are written with one insert', async () => {
    const token = await gw.token('alice');
    await gw.gateway.flushAccessLog();
    gw.resetStatements();
    await Promise.all(Array.from({ length: 5 }, () => gw.graphql(PROFILE, { token })));
    await gw.gateway.flushAccessLog();
    expect(gw.statements.filter((sql) => /into "access_log"/.test(sql))).toHaveLength(1);
    const rows = await gw.store.db.selectFrom('accessLog').select('operationName').where('userId', '=', 'alice').where('operationName', '=', 'Mine').execute();
    expect(rows).toHaveLength(5);
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
