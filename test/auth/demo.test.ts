import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_APP } from '../../src/auth/index.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { startGateway, type Gateway } from '../../src/server/index.js';
import { Browser, formAction } from '../helpers/browser.js';
import { TEST_INGEST_TOKEN } from '../helpers/gateway.js';
import { dialects, openTestStore, type TestStore } from '../helpers/stores.js';

const DAVE = { userId: 'dave_ingested', username: 'dave', displayName: 'Dave Ingested', email: 'dave@example.com', country: 'DE' };

describe.each(dialects())('demo passwords across a restart on %s', (dialect) => {
  let testStore: TestStore;
  let config: Config;
  let gateway: Gateway | undefined;

  beforeAll(async () => {
    // An empty store: the gateway seeds it itself on its first start, as `npm start` does.
    testStore = await openTestStore(dialect, { seed: false });
    config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      DEMO_DATA: 'true',
      INGEST_TOKEN: TEST_INGEST_TOKEN,
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-demo-')),
      LOG_LEVEL: process.env.LOG_LEVEL ?? '',
    });
    gateway = await startGateway(config, { store: testStore.store });
    const response = await fetch(`${gateway.url}/internal/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_INGEST_TOKEN}` },
      body: JSON.stringify({ events: [{ id: 'demo-test-dave', type: 'profile.upsert', data: DAVE }] }),
    });
    expect(response.status).toBe(200);
    await gateway.close();
    gateway = await startGateway(config, { store: testStore.store });
  });
  afterAll(async () => {
    await gateway?.close();
    await testStore?.close();
  });

  const signInOnAccount = (username: string) =>
    fetch(`${gateway!.url}/account/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password: 'demo' }).toString(),
    });

  /** Starts the demo app's authorization and signs in on its login page; returns the page it lands on. */
  async function signInOnConsent(username: string): Promise<Response> {
    const browser = new Browser(gateway!.url);
    const authorize = new URL('/auth', gateway!.url);
    authorize.search = new URLSearchParams({
      client_id: DEMO_APP.clientId,
      redirect_uri: DEMO_APP.redirectUris[0],
      response_type: 'code',
      scope: 'portability.profile.single',
      state: 'state-1',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const login = await browser.follow(authorize.href);
    expect(login.response.status).toBe(200);
    const { response } = await browser.submit(formAction(await login.response.text(), '/login'), { username, password: 'demo' });
    return response;
  }

  it('a user ingested before the restart cannot sign in on /account with the demo password', async () => {
    const response = await signInOnAccount('dave');
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('a user ingested before the restart cannot sign in on the consent flow with the demo password', async () => {
    const response = await signInOnConsent('dave');
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('Wrong username or password.');
  });

  it('no credential is kept for the ingested user at all', async () => {
    const rows = await testStore.store.db.selectFrom('credentials').select('userId').where('userId', '=', DAVE.userId).execute();
    expect(rows).toEqual([]);
  });

  it('alice, whom the seed created, still signs in with the demo password on both', async () => {
    const account = await signInOnAccount('alice');
    expect(account.status).toBe(303);
    expect(account.headers.get('location')).toBe('/account');
    const consent = await signInOnConsent('alice');
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain('Allow');
  });
});
