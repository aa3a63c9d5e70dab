import { randomBytes } from 'node:crypto';
import { Browser, demoAuthorizationUrl, formAction } from '../helpers/browser.js';
import { startTestGateway, startTwoInstances, type TestGateway, type TwoInstances } from '../helpers/gateway.js';

const PER_USER = 3;
const PER_ADDRESS = 5;
const LIMITS = { RATE_LIMIT_SIGN_IN_FAILURES: String(PER_USER), RATE_LIMIT_SIGN_IN_FAILURES_PER_ADDRESS: String(PER_ADDRESS) };

/** Signs in on `/account/login` from `from` (X-Forwarded-For, which TRUST_PROXY=on believes). */
function accountSignIn(base: string, username: string, password: string, from?: string): Promise<Response> {
  return fetch(`${base}/account/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(from ? { 'x-forwarded-for': from } : {}) },
    body: new URLSearchParams({ username, password }).toString(),
  });
}

async function expectThrottled(response: Response): Promise<void> {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60 * 60);
  expect(response.headers.get('content-type')).toMatch(/text\/html/);
  expect(response.headers.get('set-cookie')).toBeNull();
  const text = await response.text();
  expect(text).toContain('<h1>Too many sign-in attempts</h1>');
  expect(text).toMatch(/Wait (\d+ seconds|a minute|\d+ minutes), then try again\./);
}

describe('sign-in throttling', () => {
  let gw: TestGateway;
  let base: string;
  let next = 0;
  /** An address of the test's own, so that each test starts with no failures counted. */
  const address = () => `203.0.113.${++next}`;

  beforeAll(async () => {
    gw = await startTestGateway('sqlite', { TRUST_PROXY: 'on', ...LIMITS });
    base = gw.gateway.url;
  });
  afterAll(async () => {
    await gw?.close();
  });

  /** The consent flow's sign-in page for a new authorization by the demo app. */
  async function consentSignIn(): Promise<{ browser: Browser; action: string }> {
    const browser = new Browser(base);
    const login = await browser.follow(await demoAuthorizationUrl(base));
    expect(login.response.status).toBe(200);
    return { browser, action: formAction(await login.response.text(), '/login') };
  }

  function postConsentSignIn(flow: { browser: Browser; action: string }, username: string, password: string, from: string) {
    return flow.browser.follow(flow.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': from },
      body: new URLSearchParams({ username, password }).toString(),
    });
  }

  it(`after ${PER_USER} wrong passwords for a username from one address, its next attempt gets 429 with Retry-After, even with the right password`, async () => {
    const from = address();
    for (let i = 0; i < PER_USER; i++) expect((await accountSignIn(base, 'alice', 'wrong', from)).status).toBe(401);
    await expectThrottled(await accountSignIn(base, 'alice', 'wrong', from));
    const right = await accountSignIn(base, 'alice', 'demo', from);
    await expectThrottled(right);
  });

  it('the 429 page keeps the account page\'s headers: no caching, no framing', async () => {
    const from = address();
    for (let i = 0; i < PER_USER; i++) await accountSignIn(base, 'bob', 'wrong', from);
    const refused = await accountSignIn(base, 'bob', 'wrong', from);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(refused.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('refuses that username from that address only: from another address it still signs in', async () => {
    const from = address();
    for (let i = 0; i < PER_USER; i++) await accountSignIn(base, 'alice', 'wrong', from);
    expect((await accountSignIn(base, 'alice', 'demo', from)).status).toBe(429);
    expect((await accountSignIn(base, 'alice', 'demo', address())).status).toBe(303);
  });

  it("a successful sign-in clears the username's failures", async () => {
    const from = address();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < PER_USER - 1; i++) expect((await accountSignIn(base, 'alice', 'wrong', from)).status).toBe(401);
      expect((await accountSignIn(base, 'alice', 'demo', from)).status).toBe(303);
    }
  });

  it(`one address is refused after ${PER_ADDRESS} failures whatever the usernames, and its successes do not count`, async () => {
    const from = address();
    expect((await accountSignIn(base, 'carol', 'demo', from)).status).toBe(303);
    for (let i = 0; i < PER_ADDRESS; i++) expect((await accountSignIn(base, `nobody-${i}`, 'wrong', from)).status).toBe(401);
    await expectThrottled(await accountSignIn(base, 'nobody-else', 'wrong', from));
    await expectThrottled(await accountSignIn(base, 'bob', 'demo', from));
  });

  it("the consent flow's sign-in is throttled the same way, with a readable 429 page that cannot be framed", async () => {
    const from = address();
    const flow = await consentSignIn();
    for (let i = 0; i < PER_USER; i++) expect((await postConsentSignIn(flow, 'bob', 'wrong', from)).response.status).toBe(401);
    const { response } = await postConsentSignIn(flow, 'bob', 'demo', from);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    await expectThrottled(response);
  });

  it('failures on the account page and in the consent flow count together', async () => {
    const from = address();
    for (let i = 0; i < PER_USER; i++) await accountSignIn(base, 'bob', 'wrong', from);
    const { response } = await postConsentSignIn(await consentSignIn(), 'bob', 'demo', from);
    expect(response.status).toBe(429);
  });
});

describe('sign-in throttling with TRUST_PROXY off', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite', LIMITS);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('X-Forwarded-For is ignored: a new one each time does not reset the count', async () => {
    for (let i = 0; i < PER_USER; i++) expect((await accountSignIn(gw.gateway.url, 'alice', 'wrong', `192.0.2.${i}`)).status).toBe(401);
    expect((await accountSignIn(gw.gateway.url, 'alice', 'demo', '192.0.2.200')).status).toBe(429);
  });
});

describe('sign-in throttling with RATE_LIMITS=off', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite', { RATE_LIMITS: 'off', ...LIMITS });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('counts nothing', async () => {
    for (let i = 0; i < PER_ADDRESS + 1; i++) expect((await accountSignIn(gw.gateway.url, 'alice', 'wrong')).status).toBe(401);
    expect((await accountSignIn(gw.gateway.url, 'alice', 'demo')).status).toBe(303);
  });
});

const redisUrl = process.env.TEST_REDIS_URL;

(redisUrl ? describe : describe.skip)('sign-in throttling in Redis, across two instances', () => {
  const env = { REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:`, ...LIMITS };
  let instances: TwoInstances;
  beforeAll(async () => {
    instances = await startTwoInstances(env);
  });
  afterAll(async () => {
    await instances?.close();
  });

  it('failures at one instance count at the other', async () => {
    const [a, b] = instances.urls;
    for (let i = 0; i < PER_USER; i++) expect((await accountSignIn(i % 2 ? a : b, 'alice', 'wrong')).status).toBe(401);
    await expectThrottled(await accountSignIn(a, 'alice', 'demo'));
    await expectThrottled(await accountSignIn(b, 'alice', 'demo'));
  });
});
