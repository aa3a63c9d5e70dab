import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oauth from 'oauth4webapi';
import { ALL_SCOPES, createApp } from '../../src/auth/index.js';
import { browserSuite, screenshot, signIn } from '../helpers/chromium.js';

const insecure = { [oauth.allowInsecureRequests]: true };

describe('consent in a browser', () => {
  const suite = browserSuite();
  let as: oauth.AuthorizationServer;
  let client: oauth.Client;
  let clientSecret: string;
  // The app's loopback redirect URI: it only tells the user the app has the code.
  const app = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('The app has the code.'));
  let redirectUri: string;

  beforeAll(async () => {
    const { gw } = suite;
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    redirectUri = `http://127.0.0.1:${(app.address() as AddressInfo).port}/callback`;
    const registered = await createApp(gw.store.db, { name: 'Backup app', redirectUris: [redirectUri], scopes: [...ALL_SCOPES], status: 'APPROVED' });
    client = { client_id: registered.clientId };
    clientSecret = registered.clientSecret;
    const issuer = new URL(gw.gateway.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  });
  afterAll(() => {
    app.close();
  });

  it('grants only the categories left ticked when the user unticks one and clicks Allow', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const authorize = new URL(as.authorization_endpoint!);
    authorize.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'portability.profile.ongoing portability.posts.ongoing portability.messages.ongoing',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();

    const { page, close } = await suite.open();

    await page.goto(authorize.href);
    await screenshot(page, 'consent-1-sign-in');
    await signIn(page, 'alice');
    await page.getByRole('checkbox', { name: /Messages/ }).uncheck();
    expect(await page.getByRole('checkbox', { name: /Profile/ }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /Posts/ }).isChecked()).toBe(true);
    await screenshot(page, 'consent-2-messages-unticked');
    await Promise.all([page.waitForURL((url) => url.href.startsWith(redirectUri)), page.getByRole('button', { name: 'Allow' }).click()]);
    const callback = new URL(page.url());
    await close();

    const params = oauth.validateAuthResponse(as, client, callback, state);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(clientSecret), params, redirectUri, verifier, insecure),
    );
    expect(tokens.scope?.split(' ').sort()).toEqual(['portability.posts.ongoing', 'portability.profile.ongoing']);
    const { body } = await suite.gw.graphql('{ grant { categories } viewer { conversations(first: 1) { edges { node { id } } } } }', { token: tokens.access_token });
    expect(body.data.grant.categories).toEqual(['PROFILE', 'POSTS']);
    expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['viewer', 'conversations'], 'INSUFFICIENT_SCOPE']]);
  });
});
