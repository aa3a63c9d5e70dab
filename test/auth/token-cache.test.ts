import { hashToken, TOKEN_CACHE_MS } from '../../src/auth/index.js';
import { revokeToken } from '../helpers/oauth.js';
import { dialects } from '../helpers/stores.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const PROFILE = '{ viewer { profile { username } } }';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(dialects())('remembered access tokens on %s', (dialect) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(dialect);
  });
  afterAll(async () => {
    await gw?.close();
  });

  const grantOf = async (token: string) =>
    (await gw.store.db.selectFrom('oidcPayloads').select('grantId').where('idHash', '=', hashToken(token)).executeTakeFirstOrThrow()).grantId!;

  it('a token revoked at the revocation endpoint is refused on its very next request', async () => {
    const token = await gw.token('alice');
    expect((await gw.graphql(PROFILE, { token })).status).toBe(200);
    const revoked = await revokeToken(gw.gateway.url, token);
    expect(revoked.status).toBe(200);
    expect((await gw.graphql(PROFILE, { token })).status).toBe(401);
  });

  it('a grant revoked by another instance is refused on the very next request', async () => {
    const token = await gw.token('alice');
    expect((await gw.graphql(PROFILE, { token })).status).toBe(200);
    // What another instance's revocation leaves in the shared store.
    await gw.store.db.updateTable('grants').set({ revokedAt: Date.now() }).where('id', '=', await grantOf(token)).execute();
    expect((await gw.graphql(PROFILE, { token })).status).toBe(401);
  });

  it('a token revoked by another instance is refused once the cache time has passed', async () => {
    const token = await gw.token('alice');
    expect((await gw.graphql(PROFILE, { token })).status).toBe(200);
    await gw.store.db.deleteFrom('oidcPayloads').where('idHash', '=', hashToken(token)).execute();
    await sleep(TOKEN_CACHE_MS + 100);
    expect((await gw.graphql(PROFILE, { token })).status).toBe(401);
  });

  it('a remembered token still reads only its own grant\'s categories', async () => {
    const token = await gw.token('alice', 'portability.profile.single');
    expect((await gw.graphql(PROFILE, { token })).status).toBe(200);
    const { body } = await gw.graphql('{ viewer { posts(first: 1) { edges { cursor } } } }', { token });
    expect(body.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_SCOPE');
  });
});
