import { hashToken } from '../../src/auth/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { dialects } from '../helpers/stores.js';

const POSTS = '{ viewer { posts(first:1) { edges { cursor } } } }';

describe.each(dialects())('account page (%s)', (dialect) => {
  let gw: TestGateway;
  let base: string;

  beforeAll(async () => {
    gw = await startTestGateway(dialect);
    base = gw.gateway.url;
  });
  afterAll(async () => {
    await gw?.close();
  });

  function post(path: string, form: Record<string, string>, cookie?: string): Promise<Response> {
    return fetch(`${base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
      body: new URLSearchParams(form).toString(),
    });
  }

  async function accountPage(cookie?: string): Promise<{ status: number; text: string; headers: Headers }> {
    const response = await fetch(`${base}/account`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    return { status: response.status, text: await response.text(), headers: response.headers };
  }

  /** Signs in; returns the `name=value` cookie pair and the raw Set-Cookie header. */
  async function signIn(username: string, password = 'demo'): Promise<{ cookie: string; setCookie: string }> {
    const response = await post('/account/login', { username, password });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/account');
    const setCookie = response.headers.get('set-cookie') ?? '';
    return { cookie: setCookie.split(';', 1)[0]!, setCookie };
  }

  function csrfOf(text: string): string {
    const match = /name="csrf" value="([^"]+)"/.exec(text);
    expect(match).not.toBeNull();
    return match![1]!;
  }

  async function grantIdOf(token: string): Promise<string> {
    const { grantId } = await gw.store.db.selectFrom('oidcPayloads').select('grantId').where('idHash', '=', hashToken(token)).executeTakeFirstOrThrow();
    return grantId!;
  }

  const grantState = async (id: string) =>
    (await gw.store.db.selectFrom('grants').select('revokedAt').where('id', '=', id).executeTakeFirstOrThrow()).revokedAt;

  it('without a session shows a sign-in form with labelled inputs, posting to /account/login', async () => {
    const { status, text, headers } = await accountPage();
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/text\/html/);
    expect(text).toMatch(/<form method="post" action="\/account\/login">/);
    expect(text).toMatch(/<label for="username">Username<\/label>\s*<input id="username" name="username"/);
    expect(text).toMatch(/<label for="password">Password<\/label>\s*<input id="password" name="password" type="password"/);
    expect(text).toMatch(/<button class="primary" type="submit">Sign in<\/button>/);
    expect(text).not.toMatch(/<(script|link|img)\b/);
  });

  it('a wrong password or unknown user gets 401, the sign-in page with an error, and no cookie', async () => {
    for (const [username, password] of [['alice', 'wrong'], ['nobody', 'demo']] as const) {
      const response = await post('/account/login', { username, password });
      expect(response.status).toBe(401);
      expect(response.headers.get('set-cookie')).toBeNull();
      const text = await response.text();
      expect(text).toContain('Wrong username or password.');
      expect(text).toContain('<label for="password">Password</label>');
    }
  });

  it('refuses a sign-in posted from another site (login CSRF), and takes one from its own page', async () => {
    const form = new URLSearchParams({ username: 'alice', password: 'demo' }).toString();
    const postFrom = (headers: Record<string, string>) =>
      fetch(`${base}/account/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form });
    for (const headers of [{ origin: 'https://attacker.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
      const response = await postFrom(headers);
      expect([headers, response.status, response.headers.get('set-cookie')]).toEqual([headers, 403, null]);
      expect(await response.text()).toContain('This form has expired.');
    }
    const own = await postFrom({ origin: new URL(base).origin, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(303);
    expect(own.headers.get('set-cookie')).toMatch(/^account_session=/);
  });

  it('signs alice in with a hashed, HttpOnly, SameSite=Lax session and lists her grant', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    const { cookie, setCookie } = await signIn('alice');
    expect(setCookie).toMatch(/^account_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Lax/i);
    expect(setCookie).toMatch(/; Path=\/account/i);
    expect(setCookie).not.toMatch(/; Secure/i);

    const id = cookie.split('=')[1]!;
    const sessions = await gw.store.db.selectFrom('accountSessions').selectAll().execute();
    expect(JSON.stringify(sessions)).not.toContain(id);
    expect(sessions.find((s) => s.idHash === hashToken(id))).toMatchObject({ userId: 'alice' });

    const { status, text, headers } = await accountPage(cookie);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    const grantId = await grantIdOf(token);
    const row = new RegExp(`<tr>((?:(?!</tr>)[\\s\\S])*grants/${grantId}/revoke[\\s\\S]*?)</tr>`).exec(text)?.[1] ?? '';
    expect(row).toContain('Demo backup app');
    expect(row).toContain('Posts');
    expect(row).toContain('continuous access');
    expect(row).toContain('active');
    expect(row).toMatch(/<button type="submit"[^>]*>Revoke<\/button>/);
    expect(text).toMatch(/<form method="post" action="\/account\/logout">[\s\S]*Sign out<\/button>/);
    expect(text).not.toMatch(/<(script|link|img)\b/);
  });

  it('revoking needs the session and its CSRF token; then the grant ends and its token gets 401', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    const grantId = await grantIdOf(token);
    expect((await gw.graphql(POSTS, { token })).status).toBe(200);
    const { cookie } = await signIn('alice');
    const csrf = csrfOf((await accountPage(cookie)).text);
    const path = `/account/grants/${grantId}/revoke`;

    expect((await post(path, {}, cookie)).status).toBe(403);
    expect((await post(path, { csrf: 'x'.repeat(csrf.length) }, cookie)).status).toBe(403);
    expect((await post(path, { csrf: 'short' }, cookie)).status).toBe(403);
    expect((await post(path, { csrf })).status).toBe(403);
    expect(await grantState(grantId)).toBeNull();
    expect((await gw.graphql(POSTS, { token })).status).toBe(200);

    const response = await post(path, { csrf }, cookie);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/account');
    expect(await grantState(grantId)).not.toBeNull();
    expect((await gw.graphql(POSTS, { token })).status).toBe(401);

    const { text } = await accountPage(cookie);
    expect(text).not.toContain(`grants/${grantId}/revoke`);
    expect(text).toMatch(/revoked on/);
    // Revoking it again finds no active grant.
    expect((await post(path, { csrf }, cookie)).status).toBe(404);
  });

  it('bob cannot revoke alice\'s grant, nor an unknown one', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    const grantId = await grantIdOf(token);
    const { cookie } = await signIn('bob');
    const { text } = await accountPage(cookie);
    expect(text).not.toContain(grantId);
    const csrf = csrfOf(text);
    expect((await post(`/account/grants/${grantId}/revoke`, { csrf }, cookie)).status).toBe(404);
    expect((await post('/account/grants/no-such-grant/revoke', { csrf }, cookie)).status).toBe(404);
    expect(await grantState(grantId)).toBeNull();
    expect((await gw.graphql(POSTS, { token })).status).toBe(200);
  });

  it('shows alice her own access log and not bob', async () => {
    await gw.store.db
      .insertInto('accessLog')
      .values({ id: `log-${dialect}`, at: Date.now(), userId: 'alice', appId: 'demo-app', grantId: 'grant-xyz', operationName: 'BackupPosts<1>', categories: 'posts', items: 42 })
      .execute();
    const alice = (await accountPage((await signIn('alice')).cookie)).text;
    const row = /<tr>((?:(?!<\/tr>)[\s\S])*BackupPosts[\s\S]*?)<\/tr>/.exec(alice)?.[1] ?? '';
    expect(row).toContain('Demo backup app');
    expect(row).toContain('grant-xyz');
    expect(row).toContain('Posts');
    expect(row).toContain('BackupPosts&lt;1&gt;');
    expect(row).toContain('<td>42</td>');
    const bob = (await accountPage((await signIn('bob')).cookie)).text;
    expect(bob).not.toContain('BackupPosts');
    expect(bob).not.toContain('grant-xyz');
  });

  it('carol, outside the EEA, may still sign in and see a notice', async () => {
    const { text } = await accountPage((await signIn('carol')).cookie);
    expect(text).toContain('EEA only');
    expect(text).toMatch(/Sign out/);
  });

  it('signing out without the form\'s CSRF token is refused and keeps the session', async () => {
    const { cookie } = await signIn('alice');
    expect((await post('/account/logout', {}, cookie)).status).toBe(403);
    expect((await accountPage(cookie)).text).toMatch(/Sign out/);
  });

  it('signing out deletes the session and clears the cookie', async () => {
    const { cookie } = await signIn('alice');
    const idHash = hashToken(cookie.split('=')[1]!);
    const csrf = csrfOf((await accountPage(cookie)).text);
    const response = await post('/account/logout', { csrf }, cookie);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/account');
    expect(response.headers.get('set-cookie')).toMatch(/^account_session=;.*Path=\/account.*Expires=Thu, 01 Jan 1970/i);
    expect(await gw.store.db.selectFrom('accountSessions').select('idHash').where('idHash', '=', idHash).executeTakeFirst()).toBeUndefined();
    const { text } = await accountPage(cookie);
    expect(text).toContain('<button class="primary" type="submit">Sign in</button>');
  });

  it('an expired session is no session', async () => {
    const { cookie } = await signIn('alice');
    await gw.store.db.updateTable('accountSessions').set({ expiresAt: Date.now() - 1 }).where('idHash', '=', hashToken(cookie.split('=')[1]!)).execute();
    expect((await accountPage(cookie)).text).toContain('>Sign in</button>');
  });
});

describe('account cookie over https', () => {
  it('is Secure when PUBLIC_URL is https', async () => {
    const gw = await startTestGateway('sqlite', { PUBLIC_URL: 'https://gateway.example' });
    try {
      const response = await fetch(`http://localhost:${(gw.gateway.httpServer.address() as { port: number }).port}/account/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'username=alice&password=demo',
      });
      expect(response.status).toBe(303);
      expect(response.headers.get('set-cookie')).toMatch(/; Secure/i);
    } finally {
      await gw.close();
    }
  });
});
