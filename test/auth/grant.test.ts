import { toGlobalId } from '../../src/graph/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { dialects } from '../helpers/stores.js';

const DAY = 86_400_000;
const GRANT = '{ grant { id app { id name } categories mode scopes createdAt expiresAt } }';

describe.each(dialects())('the grant and the access log on %s', (dialect) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(dialect);
  });
  afterAll(async () => {
    await gw?.close();
  });

  const logOf = async (grantId: string) => {
    await gw.gateway.flushAccessLog();
    return gw.store.db.selectFrom('accessLog').selectAll().where('grantId', '=', grantId).execute();
  };

  it('Query.grant describes a recurring grant: app, categories, mode and a 180-day expiry', async () => {
    const { body } = await gw.graphql(GRANT, { token: await gw.token('alice', 'portability.posts.ongoing portability.profile.ongoing') });
    const { grant } = body.data;
    expect(grant).toMatchObject({
      app: { id: 'demo-app', name: 'Demo backup app' },
      categories: ['PROFILE', 'POSTS'],
      mode: 'RECURRING',
      scopes: ['portability.profile.ongoing', 'portability.posts.ongoing'],
    });
    expect(Date.parse(grant.expiresAt) - Date.parse(grant.createdAt)).toBe(180 * DAY);
  });

  it('Query.grant describes a one-time grant, usable for 24 hours', async () => {
    const { body } = await gw.graphql(GRANT, { token: await gw.token('alice', 'portability.all.single') });
    expect(body.data.grant.mode).toBe('ONE_TIME');
    expect(body.data.grant.categories).toEqual(['PROFILE', 'POSTS', 'FOLLOWS', 'ACTIVITY', 'MESSAGES']);
    expect(Date.parse(body.data.grant.expiresAt) - Date.parse(body.data.grant.createdAt)).toBe(DAY);
  });

  it('a data request is logged with its app, grant, categories touched, operation name and item count', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing portability.profile.ongoing');
    const grantId = (await gw.graphql(GRANT, { token })).body.data.grant.id;
    await gw.graphql('query Backup { viewer { profile { username } posts(first: 3) { edges { node { id } } } } }', { token });
    expect(await logOf(grantId)).toEqual([
      expect.objectContaining({ userId: 'alice', appId: 'demo-app', operationName: 'Backup', categories: 'posts profile', items: 4 }),
    ]);
  });

  it('a category refused for want of scope is not logged as touched', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    const grantId = (await gw.graphql(GRANT, { token })).body.data.grant.id;
    const { body } = await gw.graphql('{ viewer { posts(first: 2) { edges { node { id } } } conversations(first: 2) { edges { cursor } } } }', { token });
    expect(body.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_SCOPE');
    expect(await logOf(grantId)).toEqual([expect.objectContaining({ categories: 'posts', items: 2 })]);
  });

  it('a User read through node(id:) is logged under the category that allowed it, and one out of reach is not logged', async () => {
    const db = gw.store.db;
    const hers = db.selectFrom('conversationParticipants').select('conversationId').where('userId', '=', 'alice');
    const partners = db.selectFrom('conversationParticipants').select('userId').where('conversationId', 'in', hers);
    const followers = db.selectFrom('follows').select('followerId').where('followeeId', '=', 'alice');
    const following = db.selectFrom('follows').select('followeeId').where('followerId', '=', 'alice');
    const people = {
      Follower: (await followers.where('followerId', 'not in', partners).executeTakeFirstOrThrow()).followerId,
      Partner: (await partners.where('userId', '!=', 'alice').where('userId', 'not in', followers).where('userId', 'not in', following).executeTakeFirstOrThrow()).userId,
      Herself: 'alice',
    };
    const token = await gw.token('alice', 'portability.profile.ongoing portability.follows.ongoing portability.messages.ongoing');
    const grantId = (await gw.graphql(GRANT, { token })).body.data.grant.id;
    for (const [name, userId] of Object.entries({ ...people, Nobody: 'nobody' })) {
      const { body } = await gw.graphql(`query ${name}($id: ID!) { node(id: $id) { id } }`, { token, variables: { id: toGlobalId('User', userId) } });
      expect(body.data.node).toEqual(userId === 'nobody' ? null : { id: toGlobalId('User', userId) });
    }
    const rows = (await logOf(grantId)).sort((a, b) => String(a.operationName).localeCompare(String(b.operationName)));
    expect(rows).toEqual([
      expect.objectContaining({ operationName: 'Follower', categories: 'follows', items: 1 }),
      expect.objectContaining({ operationName: 'Herself', categories: 'profile', items: 1 }),
      expect.objectContaining({ operationName: 'Partner', categories: 'messages', items: 1 }),
    ]);
  });

  it('a request that reads no category leaves no log row', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    const grantId = (await gw.graphql(GRANT, { token })).body.data.grant.id;
    expect(await logOf(grantId)).toEqual([]);
  });
});
