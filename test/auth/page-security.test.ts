import * as oauth from 'oauth4webapi';
import { DEMO_APP } from '../../src/auth/index.js';
import { Browser, formAction } from '../helpers/browser.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** Where the demo app sends a user to consent to `portability.posts.single`. */
async function authorizationUrl(gw: TestGateway): Promise<string> {
  const metadata = (await (await fetch(`${gw.gateway.url}/.well-known/oauth-authorization-server`)).json()) as { authorization_endpoint: string };
  const url = new URL(metadata.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: DEMO_APP.clientId,
    redirect_uri: DEMO_APP.redirectUris[0],
    response_type: 'code',
    scope: 'portability.posts.single',
    state: oauth.generateRandomState(),
    code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
    code_challenge_method: 'S256',
  }).toString();
  return url.href;
}

/** The cookies an authorization request sets, sent as the load balancer would after TLS offloading. */
async function cookiesBehindTls(gw: TestGateway): Promise<string[]> {
  const response = await fetch(await authorizationUrl(gw), { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
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
    const login = await browser.follow(await authorizationUrl(gw));
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
    const login = await browser.follow(await authorizationUrl(gw));
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
    const response = await fetch(await authorizationUrl(gw), { redirect: 'manual' });
    expect(response.status).toBe(303);
    for (const cookie of response.headers.getSetCookie()) expect(cookie).not.toMatch(/;\s*secure/i);
  });
});
