import { createServer } from 'node:http';
import * as oauth from 'oauth4webapi';

/** The app's OAuth registration: what `apps create --json` printed, and the redirect URI registered. */
export interface AppCredentials {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** Tokens as the backup keeps them between runs. */
export interface Tokens {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds after which the access token is treated as expired. */
  expiresAt: number;
}

// Refresh a little early, so a token never expires on its way to the server.
const EXPIRY_MARGIN_MS = 60_000;

/**
 * An OAuth client session with the gateway: discovery, consent through a loopback redirect
 * (authorization code with PKCE S256 and state), and refresh when the access token expires.
 */
export class Session {
  readonly #client: oauth.Client;
  readonly #auth: oauth.ClientAuth;
  // The gateway's issuer is plain http on a developer's machine; drop this in production.
  readonly #http: { [oauth.allowInsecureRequests]: boolean };

  private constructor(
    readonly server: oauth.AuthorizationServer,
    readonly app: AppCredentials,
    public tokens: Tokens | undefined,
    readonly onTokens: (tokens: Tokens) => Promise<void>,
  ) {
    this.#client = { client_id: app.clientId };
    this.#auth = oauth.ClientSecretBasic(app.clientSecret);
    this.#http = { [oauth.allowInsecureRequests]: new URL(server.issuer).protocol === 'http:' };
  }

  /** Reads the server's RFC 8414 metadata at `/.well-known/oauth-authorization-server`. */
  static async discover(issuer: URL, app: AppCredentials, tokens: Tokens | undefined, onTokens: (tokens: Tokens) => Promise<void>): Promise<Session> {
    const options = { algorithm: 'oauth2' as const, [oauth.allowInsecureRequests]: issuer.protocol === 'http:' };
    const server = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, options));
    return new Session(server, app, tokens, onTokens);
  }

  /**
   * Sends the user to consent: prints the authorization URL, waits for the redirect on the
   * loopback redirect URI, and exchanges the code for tokens.
   */
  async authorize(scope: string, print: (url: string) => void): Promise<void> {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(this.server.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: this.app.clientId,
      redirect_uri: this.app.redirectUri,
      response_type: 'code',
      scope,
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const callback = await receiveRedirect(new URL(this.app.redirectUri), () => print(url.href));
    const params = oauth.validateAuthResponse(this.server, this.#client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(this.server, this.#client, this.#auth, params, this.app.redirectUri, verifier, this.#http);
    await this.#keep(await oauth.processAuthorizationCodeResponse(this.server, this.#client, response));
  }

  /** A usable access token, refreshed first when it has expired. */
  async accessToken(): Promise<string> {
    if (!this.tokens) throw new Error('not authorized yet');
    if (Date.now() >= this.tokens.expiresAt - EXPIRY_MARGIN_MS) await this.refresh();
    return this.tokens.accessToken;
  }

  /** Trades the refresh token for a new access token (a one-time grant has none: consent again). */
  async refresh(): Promise<void> {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) throw new Error('The access token expired and the grant has no refresh token: run again with --reauthorize.');
    const response = await oauth.refreshTokenGrantRequest(this.server, this.#client, this.#auth, refreshToken, this.#http);
    await this.#keep(await oauth.processRefreshTokenResponse(this.server, this.#client, response));
  }

  async #keep(response: oauth.TokenEndpointResponse): Promise<void> {
    this.tokens = {
      accessToken: response.access_token,
      // A refresh may or may not rotate the refresh token; keep the old one when it does not.
      refreshToken: response.refresh_token ?? this.tokens?.refreshToken,
      expiresAt: Date.now() + (response.expires_in ?? 3600) * 1000,
    };
    await this.onTokens(this.tokens);
  }
}

/** Listens on the redirect URI's loopback port until the authorization server redirects the browser there. */
function receiveRedirect(redirectUri: URL, listening: () => void): Promise<URL> {
  return new Promise((resolve, reject) => {
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', redirectUri);
      if (url.pathname !== redirectUri.pathname) {
        response.writeHead(404).end();
        return;
      }
      const denied = url.searchParams.get('error');
      response.writeHead(denied ? 400 : 200, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      response.end(denied ? `Access was not granted (${denied}). You can close this tab.` : 'Access granted: the backup is running. You can close this tab.');
      server.close();
      resolve(url);
    });
    server.once('error', reject);
    server.listen(Number(redirectUri.port || 80), redirectUri.hostname, listening);
  });
}
