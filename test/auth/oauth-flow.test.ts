import * as oauth from 'oauth4webapi';
import { DEMO_APP, createApp, setAppStatus } from '../../src/auth/index.js';
import { Browser, formAction } from '../helpers/browser.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { dialects } from '../helpers/stores.js';

const REDIRECT_URI = DEMO_APP.redirectUris[0];
const http = { [oauth.allowInsecureRequests]: true };
const QUERY = '{ viewer { profile { username } posts(first: 2) { edges { node { id } } } conversations(first: 2) { edges { node { id } } } } }';

describe.each(dialects())('the OAuth flow on %s', (dialect) => {
  let gw: TestGateway;
  let as: oauth.AuthorizationServer;
  const client: oauth.Client = { client_id: DEMO_APP.clientId };
  const clientAuth = oauth.ClientSecretBasic(DEMO_APP.clientSecret);

  beforeAll(async () => {
    gw = await startTestGateway(dialect);
    const issuer = new URL(gw.gateway.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...http }));
  });
  afterAll(async () => {
    await gw?.close();
  });

  interface Authorization {
    browser: Browser;
    verifier: string;
    state: string;
    url: URL;
  }

  async function authorize(scope: string, options: { clientId?: string; redirectUri?: string; pkce?: boolean } = {}): Promise<Authorization> {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: options.clientId ?? client.client_id,
      redirect_uri: options.redirectUri ?? REDIRECT_URI,
      response_type: 'code',
      scope,
      state,
      ...(options.pkce === false ? {} : { code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' }),
    }).toString();
    return { browser: new Browser(gw.gateway.url), verifier, state, url };
  }

  /** Signs in on the login page the authorization lands on; returns the consent page (or where it ended). */
  async function signIn(auth: Authorization, username: string, password = 'demo') {
    const login = await auth.browser.follow(auth.url.href);
    expect(login.response.status).toBe(200);
    const page = await login.response.text();
    expect(page).toMatch(/<label for="username">Username<\/label>/);
    expect(page).toMatch(/<label for="password">Password<\/label>/);
    return auth.browser.submit(formAction(page, '/login'), { username, password });
  }

  async function consent(auth: Authorization, consentPage: Response, ticked: string[], decision = 'allow') {
    const page = await consentPage.text();
    return auth.browser.submit(formAction(page, '/consent'), {
      ...Object.fromEntries(ticked.map((c) => [`category_${c}`, 'on'])),
      decision,
    });
  }

  async function exchange(auth: Authorization, callback: URL, verifier = auth.verifier) {
    const params = oauth.validateAuthResponse(as, client, callback, auth.state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, REDIRECT_URI, verifier, http);
    return oauth.processAuthorizationCodeResponse(as, client, response);
  }

  async function grantTokens(scope: string, ticked: string[]) {
    const auth = await authorize(scope);
    const consentPage = await signIn(auth, 'alice');
    const callback = await consent(auth, consentPage.response, ticked);
    return exchange(auth, callback.url);
  }

  it('publishes RFC 8414 metadata whose issuer is the public URL exactly, with PKCE S256, revocation and introspection', () => {
    expect(as.issuer).toBe(gw.gateway.url);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.revocation_endpoint).toMatch(/^http:\/\/localhost:\d+\//);
    expect(as.introspection_endpoint).toMatch(/^http:\/\/localhost:\d+\//);
  });

  it('portability.all with every category ticked grants all five', async () => {
    const tokens = await grantTokens('portability.all.single', ['profile', 'posts', 'follows', 'activity', 'messages']);
    const { body } = await gw.graphql(QUERY, { token: tokens.access_token });
    expect(body.errors).toBeUndefined();
    expect(body.data.viewer.conversations.edges.length).toBeGreaterThan(0);
  });

  it('portability.all with a category unticked grants the others and not that one', async () => {
    const tokens = await grantTokens('portability.all.single', ['profile', 'posts', 'follows', 'activity']);
    const { body } = await gw.graphql(QUERY, { token: tokens.access_token });
    expect(body.data.viewer.profile.username).toBe('alice');
    expect(body.data.viewer.conversations).toBeNull();
    expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['viewer', 'conversations'], 'INSUFFICIENT_SCOPE']]);
    const grant = await gw.graphql('{ grant { categories } }', { token: tokens.access_token });
    expect(grant.body.data.grant.categories).toEqual(['PROFILE', 'POSTS', 'FOLLOWS', 'ACTIVITY']);
  });

  it('authorize, sign in, consent with a category unticked, code, token, query, refresh, revoke, 401', async () => {
    const auth = await authorize('portability.profile.ongoing portability.posts.ongoing portability.messages.ongoing');
    const consentPage = await signIn(auth, 'alice');
    const html = await consentPage.response.clone().text();
    expect(html).toContain('Demo backup app');
    expect(html).toMatch(/continuous access until you revoke it, at most until \d{4}-\d{2}-\d{2}/);
    for (const name of ['Profile', 'Posts', 'Messages']) expect(html).toMatch(new RegExp(`<label for="category_\\w+">.*<strong>${name}</strong>`, 's'));

    const callback = await consent(auth, consentPage.response, ['profile', 'posts']);
    expect(callback.url.href).toContain(REDIRECT_URI);
    const tokens = await exchange(auth, callback.url);
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const first = await gw.graphql(QUERY, { token: tokens.access_token });
    expect(first.body.data.viewer.profile.username).toBe('alice');
    expect(first.body.data.viewer.posts.edges).toHaveLength(2);
    expect(first.body.data.viewer.conversations).toBeNull();
    expect(first.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['viewer', 'conversations'], 'INSUFFICIENT_SCOPE']]);

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token!, http),
    );
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect((await gw.graphql(QUERY, { token: refreshed.access_token })).body.data.viewer.profile.username).toBe('alice');

    const introspected = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, clientAuth, refreshed.access_token, http),
    );
    expect(introspected).toMatchObject({ active: true, sub: 'alice', client_id: DEMO_APP.clientId });

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, clientAuth, refreshed.access_token, http));
    const revoked = await gw.graphql(QUERY, { token: refreshed.access_token });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('stores no session id: an interaction names its session by uid only', async () => {
    const auth = await authorize('portability.posts.single');
    await signIn(auth, 'alice');
    const sessionId = auth.browser.cookie('_session');
    expect(sessionId).toEqual(expect.any(String));
    const interactions = await gw.store.db.selectFrom('oidcPayloads').select('payload').where('model', '=', 'Interaction').execute();
    const sessions = interactions.map((row) => JSON.parse(row.payload).session).filter(Boolean);
    expect(sessions).toContainEqual(expect.objectContaining({ accountId: 'alice', uid: expect.any(String) }));
    const payloads = await gw.store.db.selectFrom('oidcPayloads').select('payload').execute();
    expect(payloads.filter((row) => row.payload.includes(sessionId!))).toEqual([]);
  });

  it('an app cannot introspect another app\'s token', async () => {
    const other = await createApp(gw.store.db, { name: 'Nosy app', redirectUris: [REDIRECT_URI], scopes: ['portability.posts.single'], status: 'APPROVED' });
    const token = await gw.token('alice', 'portability.posts.single');
    const nosy: oauth.Client = { client_id: other.clientId };
    const response = await oauth.introspectionRequest(as, nosy, oauth.ClientSecretBasic(other.clientSecret), token, http);
    expect(await oauth.processIntrospectionResponse(as, nosy, response)).toEqual({ active: false });
  });

  it('a one-time grant gets an access token and no refresh token', async () => {
    const tokens = await grantTokens('portability.posts.single', ['posts']);
    expect(tokens.refresh_token).toBeUndefined();
    expect((await gw.graphql(QUERY, { token: tokens.access_token })).body.data.viewer.posts.edges).toHaveLength(2);
  });

  it('Deny returns error=access_denied to the app and records no grant', async () => {
    const before = await gw.store.db.selectFrom('grants').select('id').execute();
    const auth = await authorize('portability.posts.single');
    const consentPage = await signIn(auth, 'alice');
    const callback = await consent(auth, consentPage.response, ['posts'], 'deny');
    expect(callback.url.searchParams.get('error')).toBe('access_denied');
    expect(callback.url.searchParams.get('state')).toBe(auth.state);
    expect(await gw.store.db.selectFrom('grants').select('id').execute()).toEqual(before);
  });

  it('a wrong password shows the sign-in page again with 401', async () => {
    const auth = await authorize('portability.posts.single');
    const result = await signIn(auth, 'alice', 'not-the-password');
    expect(result.response.status).toBe(401);
    expect(await result.response.text()).toContain('Wrong username or password');
  });

  it('carol, outside the EEA, is refused with REGION_NOT_ELIGIBLE and gets no grant', async () => {
    const auth = await authorize('portability.posts.single');
    const result = await signIn(auth, 'carol');
    expect(result.url.searchParams.get('error')).toBe('access_denied');
    expect(result.url.searchParams.get('error_description')).toMatch(/^REGION_NOT_ELIGIBLE/);
    expect(await gw.store.db.selectFrom('grants').select('id').where('userId', '=', 'carol').execute()).toEqual([]);
  });

  it('a user who left the EEA between consent and token exchange gets no token', async () => {
    const auth = await authorize('portability.posts.single');
    const consentPage = await signIn(auth, 'bob');
    const callback = await consent(auth, consentPage.response, ['posts']);
    await gw.store.db.updateTable('users').set({ country: 'CH' }).where('id', '=', 'bob').execute();
    try {
      await expect(exchange(auth, callback.url)).rejects.toMatchObject({ error: 'invalid_grant' });
    } finally {
      await gw.store.db.updateTable('users').set({ country: 'FR' }).where('id', '=', 'bob').execute();
    }
  });

  it('a wrong PKCE verifier gets invalid_grant', async () => {
    const auth = await authorize('portability.posts.single');
    const consentPage = await signIn(auth, 'alice');
    const callback = await consent(auth, consentPage.response, ['posts']);
    await expect(exchange(auth, callback.url, oauth.generateRandomCodeVerifier())).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('an authorization without PKCE is refused', async () => {
    const auth = await authorize('portability.posts.single', { pkce: false });
    const result = await auth.browser.follow(auth.url.href);
    expect(result.url.searchParams.get('error')).toBe('invalid_request');
  });

  it('a reused authorization code gets invalid_grant and revokes the tokens issued from it', async () => {
    const auth = await authorize('portability.posts.ongoing');
    const consentPage = await signIn(auth, 'alice');
    const callback = await consent(auth, consentPage.response, ['posts']);
    const tokens = await exchange(auth, callback.url);
    expect((await gw.graphql(QUERY, { token: tokens.access_token })).status).toBe(200);
    await expect(exchange(auth, callback.url)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await gw.graphql(QUERY, { token: tokens.access_token })).status).toBe(401);
  });

  /** The gateway's own record of a grant, once it says revoked (oidc-provider's revocation reaches it a moment later). */
  async function revokedGrantRow(token: string) {
    const grantId = (await gw.graphql('{ grant { id } }', { token })).body.data.grant.id;
    return async () => {
      for (let i = 0; i < 50; i++) {
        const row = await gw.store.db.selectFrom('grants').select('revokedAt').where('id', '=', grantId).executeTakeFirstOrThrow();
        if (row.revokedAt !== null) return row;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`grant ${grantId} is still live in the store`);
    };
  }

  it('a replayed code revokes the grant in the gateway\'s store too, so the account page and streams follow', async () => {
    const auth = await authorize('portability.posts.ongoing');
    const consentPage = await signIn(auth, 'alice');
    const callback = await consent(auth, consentPage.response, ['posts']);
    const tokens = await exchange(auth, callback.url);
    const revoked = await revokedGrantRow(tokens.access_token);
    await expect(exchange(auth, callback.url)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await revoked()).revokedAt).toEqual(expect.any(Number));
  });

  it('revoking the refresh token (RFC 7009) ends the whole grant, in the gateway\'s store too', async () => {
    const tokens = await grantTokens('portability.posts.ongoing', ['posts']);
    const revoked = await revokedGrantRow(tokens.access_token);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, clientAuth, tokens.refresh_token!, http));
    expect((await revoked()).revokedAt).toEqual(expect.any(Number));
    expect((await gw.graphql(QUERY, { token: tokens.access_token })).status).toBe(401);
  });

  it('a redirect URI that does not match exactly is refused without redirecting', async () => {
    const auth = await authorize('portability.posts.single', { redirectUri: `${REDIRECT_URI}/extra` });
    const result = await auth.browser.follow(auth.url.href);
    expect(result.response.status).toBe(400);
    expect(result.url.origin).toBe(gw.gateway.url);
  });

  it('an unknown client is refused without redirecting', async () => {
    const auth = await authorize('portability.posts.single', { clientId: 'no-such-app' });
    const result = await auth.browser.follow(auth.url.href);
    expect(result.response.status).toBe(400);
    expect(result.url.origin).toBe(gw.gateway.url);
  });

  it('a scope the app was not approved for gets invalid_scope', async () => {
    const app = await createApp(gw.store.db, {
      name: 'Posts-only app',
      redirectUris: [REDIRECT_URI],
      scopes: ['portability.posts.single'],
      status: 'APPROVED',
    });
    const auth = await authorize('portability.messages.single', { clientId: app.clientId });
    const result = await auth.browser.follow(auth.url.href);
    expect(result.url.searchParams.get('error')).toBe('invalid_scope');
  });

  it('an unknown scope gets invalid_scope', async () => {
    const auth = await authorize('portability.posts.single portability.everything.forever');
    const consentPage = await signIn(auth, 'alice');
    expect(consentPage.url.searchParams.get('error')).toBe('invalid_scope');
  });

  it('an app pending review obtains no token', async () => {
    const app = await createApp(gw.store.db, { name: 'Unreviewed', redirectUris: [REDIRECT_URI], scopes: ['portability.posts.single'] });
    const auth = await authorize('portability.posts.single', { clientId: app.clientId });
    expect((await auth.browser.follow(auth.url.href)).response.status).toBe(400);
  });

  it('a suspended app gets APP_SUSPENDED with 403 for a token it already holds', async () => {
    const app = await createApp(gw.store.db, { name: 'Soon suspended', redirectUris: [REDIRECT_URI], scopes: ['portability.posts.single'], status: 'APPROVED' });
    const token = await gw.gateway.authority.issueToken('alice', app.clientId, 'portability.posts.single');
    expect((await gw.graphql(QUERY, { token })).status).toBe(200);
    await setAppStatus(gw.store.db, app.clientId, 'SUSPENDED');
    const response = await gw.graphql(QUERY, { token });
    expect(response.status).toBe(403);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('APP_SUSPENDED');
  });
});
