import { setTimeout as sleep } from 'node:timers/promises';
import { heldStore, type Hold } from '../helpers/archives.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const TIMEOUT_MS = 500;

describe('the execution timeout on /graphql', () => {
  let gw: TestGateway;
  let held: ReturnType<typeof heldStore>;
  let alice: string;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite', { EXECUTION_TIMEOUT_MS: String(TIMEOUT_MS) }, { wrapStore: (store) => (held = heldStore(store)).store });
    alice = await gw.token('alice');
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('fields that would start resolving after EXECUTION_TIMEOUT_MS fail with EXECUTION_TIMEOUT; the rest of the data still comes, with 200', async () => {
    const hold: Hold = held.hold();
    const answer = gw.graphql('{ viewer { profile { username } posts(first: 2) { edges { node { id caption } } } } }', { token: alice });
    await hold.entered;
    await sleep(TIMEOUT_MS + 200);
    hold.open();
    const response = await answer;
    expect(response.status).toBe(200);
    expect(response.body.data.viewer.profile).toEqual({ username: 'alice' });
    const timedOut = response.body.errors!.filter((error) => error.extensions?.code === 'EXECUTION_TIMEOUT');
    expect(timedOut.length).toBeGreaterThan(0);
    expect(timedOut[0]!.message).toMatch(/ran out of time \(500 ms\)/);
    for (const error of timedOut) expect(error.path!.slice(0, 2)).toEqual(['viewer', 'posts']);
  });

  it('an operation that finishes in time answers without errors', async () => {
    const response = await gw.graphql('{ viewer { profile { username } posts(first: 2) { edges { node { id caption } } } } }', { token: alice });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.viewer.posts.edges).toHaveLength(2);
  });
});
