import { Browser, demoAuthorizationUrl, formAction } from '../helpers/browser.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** The cookies an authorization request sets, sent as the load balancer would after TLS offloading. */
async function cookiesBehindTls(gw: TestGateway): Promise<string[]> {
  const response = await fetch(await demoAuthorizationUrl(gw.gateway.url), { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
  expect(response.status).toBe(303);
  const cookies = response.headers.getSetCookie();
  expect(cookies.length).toBeGreaterThan(0);
  return cookies;
}

describe('the sign-in and consent pages', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("forbid framing with a content security policy of frame-ancestors 'none'", async () => {
    const browser = new Browser(gw.gateway.url);
    const login = await browser.follow(await demoAuthorizationUrl(gw.gateway.url));
    expect(login.response.status).toBe(200);
    const loginPage = await login.response.text();
    expect(loginPage).toContain('Sign in');
    const consent = await browser.submit(formAction(loginPage, '/login'), { username: 'alice', password: 'demo' });
    expect(consent.response.status).toBe(200);
    expect(await consent.response.text()).toContain('Allow');
    for (const response of [login.response, consent.response]) {
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(response.headers.get('content-security-policy')).toMatch(/(^|;)\s*frame-ancestors 'none'\s*(;|$)/);
    }
  });

  it('a wrong password answers with the same policy', async () => {
    const browser = new Browser(gw.gateway.url);
    const login = await browser.follow(await demoAuthorizationUrl(gw.gateway.url));
    const refused = await browser.submit(formAction(await login.response.text(), '/login'), { username: 'alice', password: 'wrong' });
    expect(refused.response.status).toBe(401);
    expect(refused.response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('with TRUST_PROXY off, X-Forwarded-Proto is not believed: no Secure cookie over plain http', async () => {
    for (const cookie of await cookiesBehindTls(gw)) expect(cookie).not.toMatch(/;\s*secure/i);
  });
});

describe('behind a TLS-offloading load balancer with TRUST_PROXY=on', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite', { TRUST_PROXY: 'on' });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('the sign-in cookies are Secure when X-Forwarded-Proto says https', async () => {
    for (const cookie of await cookiesBehindTls(gw)) expect(cookie).toMatch(/;\s*secure/i);
  });

  it('and not when the request came over plain http', async () => {
    const response = await fetch(await demoAuthorizationUrl(gw.gateway.url), { redirect: 'manual' });
    expect(response.status).toBe(303);
    for (const cookie of response.headers.getSetCookie()) expect(cookie).not.toMatch(/;\s*secure/i);
  });
});
