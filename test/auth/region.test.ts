import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { dialects } from '../helpers/stores.js';

const PROFILE = '{ viewer { profile { username } } }';

describe.each(dialects())('the eligible region on %s', (dialect) => {
  let gw: TestGateway;
  let widened: TestGateway;
  beforeAll(async () => {
    [gw, widened] = await Promise.all([startTestGateway(dialect), startTestGateway(dialect, { EXTRA_ELIGIBLE_COUNTRIES: 'GB,US' })]);
  });
  afterAll(async () => {
    await Promise.all([gw?.close(), widened?.close()]);
  });

  it('a user who moves out of the EEA stops being served on their next request', async () => {
    const token = await gw.token('bob');
    expect((await gw.graphql(PROFILE, { token })).body.data.viewer.profile.username).toBe('bob');
    await gw.store.db.updateTable('users').set({ country: 'US' }).where('id', '=', 'bob').execute();
    const after = await gw.graphql(PROFILE, { token });
    expect(after.status).toBe(403);
    expect(after.body.errors?.[0]?.extensions?.code).toBe('REGION_NOT_ELIGIBLE');
    expect(after.body.data).toBeUndefined();
  });

  it('a configured extra country is served like the EEA', async () => {
    const response = await widened.graphql(PROFILE, { token: await widened.token('carol') });
    expect(response.status).toBe(200);
    expect(response.body.data.viewer.profile.username).toBe('carol');
  });
});
