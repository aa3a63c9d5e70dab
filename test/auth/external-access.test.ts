import { ALL_SCOPES, createApp, setAppStatus } from '../../src/auth/index.js';
import { Browser, formAction } from '../helpers/browser.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startTestIssuer, type TestIssuer } from '../helpers/jwt-issuer.js';
import { dialects } from '../helpers/stores.js';
import { Subscriber } from '../helpers/subscriber.js';

const POSTS = 'query Posts { viewer { posts(first: 1) { edges { cursor } } } }';
const SUBSCRIBE = 'subscription { changes { cursor } }';
const REDIRECT_URI = 'https://app.example/callback';

describe.each(dialects())('external access of an app through the platform\'s JWTs on %s', (dialect) => {
  let issuer: TestIssuer;
  let gw: TestGateway;
  const subscribers: Subscriber[] = [];
  let users = 0;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    gw = await startTestGateway(dialect, issuer.env);
    for (const clientId of ['platform-app', 'streaming-app']) {
      await createApp(gw.store.db, { clientId, name: `The ${clientId}`, redirectUris: [REDIRECT_URI], scopes: [...ALL_SCOPES], status: 'APPROVED' });
    }
  });
  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.close()));
    await gw?.close();
    await issuer?.close();
  });

  /** A new user in the EEA, ingested as the platform would, so each test has its own (user, app) pairs. */
  async function newUser(): Promise<string> {
    const userId = `ext_user_${++users}`;
    const { status } = await gw.ingest([{ id: `ext-${userId}`, type: 'profile.upsert', data: { userId, username: userId, displayName: userId, email: `${userId}@example.com`, country: 'DE' } }]);
    expect(status).toBe(200);
    return userId;
  }

  const query = async (sub: string, claims: Record<string, unknown> = {}) => gw.graphql(POSTS, { token: await issuer.sign({ sub, ...claims }) });
  const accessOf = (userId: string, appId = 'platform-app') =>
    gw.store.db.selectFrom('externalAccess').selectAll().where('userId', '=', userId).where('appId', '=', appId).executeTakeFirst();

  /** alice's /account page: signs in, returns the page and the session's cookie and CSRF token. */
  async function aliceAccount(): Promise<{ text: string; cookie: string; csrf: string }> {
    const login = await fetch(`${gw.gateway.url}/account/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'alice', password: 'demo' }).toString(),
    });
    expect(login.status).toBe(303);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';', 1)[0]!;
    const text = await (await fetch(`${gw.gateway.url}/account`, { headers: { cookie } })).text();
    return { text, cookie, csrf: /name="csrf" value="([^"]+)"/.exec(text)![1]! };
  }

  const revokeOnAccount = (appId: string, cookie: string, csrf: string) =>
    fetch(`${gw.gateway.url}/account/external/${encodeURIComponent(appId)}/revoke`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ csrf }).toString(),
    });

  /** alice consents to `clientId` through the gateway's own OAuth flow, up to the redirect back to the app. */
  async function consentAsAlice(clientId: string): Promise<URL> {
    const browser = new Browser(gw.gateway.url);
    const authorize = new URL('/auth', gw.gateway.url);
    authorize.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'portability.posts.single',
      state: 'state-1',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const login = await browser.follow(authorize.href);
    const consent = await browser.submit(formAction(await login.response.text(), '/login'), { username: 'alice', password: 'demo' });
    const done = await browser.submit(formAction(await consent.response.text(), '/consent'), { category_posts: 'on', decision: 'allow' });
    return done.url;
  }

  it('the first served token records the access, with the token\'s categories and mode', async () => {
    const userId = await newUser();
    expect(await accessOf(userId)).toBeUndefined();
    const before = Date.now();
    expect((await query(userId, { scope: 'portability.posts.ongoing portability.profile.ongoing' })).status).toBe(200);
    expect(await accessOf(userId)).toEqual({
      userId,
      appId: 'platform-app',
      categories: 'profile posts',
      mode: 'ongoing',
      firstUsedAt: expect.any(Number),
      lastUsedAt: expect.any(Number),
      revokedAt: null,
    });
    expect((await accessOf(userId))!.firstUsedAt).toBeGreaterThanOrEqual(before);
  });

  it('a refused token records nothing', async () => {
    const userId = await newUser();
    await setAppStatus(gw.store.db, 'streaming-app', 'SUSPENDED');
    try {
      expect((await query(userId, { client_id: 'streaming-app' })).status).toBe(403);
    } finally {
      await setAppStatus(gw.store.db, 'streaming-app', 'APPROVED');
    }
    expect(await accessOf(userId, 'streaming-app')).toBeUndefined();
  });

  it('a request with a recorded access reads one row about it and writes none', async () => {
    const userId = await newUser();
    expect((await query(userId)).status).toBe(200);
    const token = await issuer.sign({ sub: userId });
    gw.resetStatements();
    expect((await gw.graphql(POSTS, { token })).status).toBe(200);
    const authReads = gw.statements.filter((sql) => /"external_access"|from "apps"|from "users"/.test(sql));
    expect(authReads).toHaveLength(1);
    expect(authReads[0]).toMatch(/^select /);
    expect(gw.statements.filter((sql) => /^(insert|update)/.test(sql) && /"external_access"/.test(sql))).toEqual([]);
  });

  it('/account lists the app with its categories, mode, first and last use, and a Revoke button', async () => {
    expect((await query('alice', { scope: 'portability.posts.single' })).status).toBe(200);
    const { text } = await aliceAccount();
    const section = text.slice(text.indexOf('Apps with access through the platform'));
    expect(section).toMatch(/<strong>The platform-app<\/strong><\/td>\s*<td>Posts<\/td>\s*<td>one-time copy<\/td>\s*<td><time[^>]*>[^<]+<\/time><\/td>\s*<td><time[^>]*>[^<]+<\/time><\/td>\s*<td>active<\/td>/);
    expect(section).toMatch(/<form method="post" action="\/account\/external\/platform-app\/revoke">/);
    expect(section).toContain('aria-label="Revoke The platform-app&#39;s access through the platform"');
  });

  it('Revoke on /account refuses that app\'s tokens for that user with 401, until a new consent to it here', async () => {
    expect((await query('alice')).status).toBe(200);
    const { cookie, csrf } = await aliceAccount();
    const revoked = await revokeOnAccount('platform-app', cookie, csrf);
    expect(revoked.status).toBe(303);

    const refused = await query('alice');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(refused.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect((await query('bob')).status).toBe(200);
    expect((await query('alice', { client_id: 'streaming-app' })).status).toBe(200);
    expect((await aliceAccount()).text).toMatch(/<strong>The platform-app<\/strong>[\s\S]*?<td>revoked on <time/);

    const callback = await consentAsAlice('platform-app');
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));
    expect((await query('alice')).status).toBe(200);
  });

  it('a served access is then checked from memory, and a Revoke on /account is refused on the very next request', async () => {
    await createApp(gw.store.db, { clientId: 'remembered-app', name: 'The remembered-app', redirectUris: [REDIRECT_URI], scopes: [...ALL_SCOPES], status: 'APPROVED' });
    const claims = { client_id: 'remembered-app' };
    expect((await query('alice', claims)).status).toBe(200);
    // Recording the access is a write of this instance: on PostgreSQL memory is trusted again a heartbeat later.
    let authReads = Infinity;
    for (let i = 0; i < 20 && authReads > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, i === 0 ? 0 : 50));
      gw.resetStatements();
      expect((await query('alice', claims)).status).toBe(200);
      authReads = gw.statements.filter((sql) => /"external_access"|from "apps"|from "users"/.test(sql)).length;
    }
    expect(authReads).toBe(0);
    const { cookie, csrf } = await aliceAccount();
    expect((await revokeOnAccount('remembered-app', cookie, csrf)).status).toBe(303);
    expect((await query('alice', claims)).status).toBe(401);
  });

  it('the access log keeps recording each JWT request', async () => {
    const userId = await newUser();
    const token = await issuer.sign({ sub: userId, jti: `log-${userId}` });
    for (let i = 0; i < 3; i++) expect((await gw.graphql(POSTS, { token })).status).toBe(200);
    await gw.gateway.flushAccessLog();
    const rows = await gw.store.db.selectFrom('accessLog').select(['appId', 'grantId', 'operationName']).where('userId', '=', userId).execute();
    expect(rows).toEqual(Array(3).fill({ appId: 'platform-app', grantId: `jwt:log-${userId}`, operationName: 'Posts' }));
  });

  it('a Revoke without the session\'s CSRF token is refused, and one for an app without access is 404', async () => {
    const { cookie, csrf } = await aliceAccount();
    expect((await revokeOnAccount('streaming-app', cookie, 'wrong')).status).toBe(403);
    expect((await revokeOnAccount('no-such-app', cookie, csrf)).status).toBe(404);
    expect((await query('alice', { client_id: 'streaming-app' })).status).toBe(200);
  });

  describe('a stream opened with such a token ends with close code 4403 within 5 s', () => {
    async function openStream(userId: string): Promise<Subscriber> {
      const token = await issuer.sign({ sub: userId, client_id: 'streaming-app', scope: 'portability.posts.ongoing' });
      const subscriber = new Subscriber(gw.gateway.url, `Bearer ${token}`, SUBSCRIBE);
      subscribers.push(subscriber);
      // The stream is live once a change reaches it; one posted before it subscribed never does.
      for (let i = 0; subscriber.events.length === 0; i++) {
        const id = `ext-post-${userId}-${i}`;
        await gw.ingest([{ id, type: 'post.upsert', data: { id, authorId: userId, caption: 'x', visibility: 'PUBLIC', createdAt: new Date().toISOString() } }]);
        const deadline = Date.now() + 500;
        await subscriber.until(() => subscriber.events.length > 0 || subscriber.closed !== undefined || Date.now() >= deadline);
        if (subscriber.closed || i === 20) throw new Error(`the stream never went live (closed ${JSON.stringify(subscriber.closed)})`);
      }
      return subscriber;
    }

    async function expectEnded(subscriber: Subscriber, since: number): Promise<void> {
      await subscriber.until(() => subscriber.closed !== undefined, 6000);
      expect(subscriber.closed?.code).toBe(4403);
      expect(Date.now() - since).toBeLessThan(5000);
    }

    it('when the user revokes the app\'s external access on /account', async () => {
      const subscriber = await openStream('alice');
      const other = await openStream(await newUser());
      const { cookie, csrf } = await aliceAccount();
      const since = Date.now();
      expect((await revokeOnAccount('streaming-app', cookie, csrf)).status).toBe(303);
      await expectEnded(subscriber, since);
      expect(other.closed).toBeUndefined();
    });

    it('when the user leaves the region', async () => {
      const userId = await newUser();
      const subscriber = await openStream(userId);
      const since = Date.now();
      await gw.ingest([{ id: `ext-move-${userId}`, type: 'profile.upsert', data: { userId, username: userId, displayName: userId, email: `${userId}@example.com`, country: 'US' } }]);
      await expectEnded(subscriber, since);
    });

    it('when the app is suspended', async () => {
      const subscriber = await openStream(await newUser());
      const since = Date.now();
      await setAppStatus(gw.store.db, 'streaming-app', 'SUSPENDED');
      try {
        await expectEnded(subscriber, since);
      } finally {
        await setAppStatus(gw.store.db, 'streaming-app', 'APPROVED');
      }
    });
  });
});
