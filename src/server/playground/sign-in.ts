import express, { type Request, type Response } from 'express';
import { GraphQLError } from 'graphql';
import type { Kysely } from 'kysely';
import * as oauth from 'oauth4webapi';
import { CATEGORIES, DEMO_APP, findApp, grantRequest, scopesFor, type Authority } from '../../auth/index.js';
import type { Database } from '../../store/index.js';
import type { PlaygroundSession } from './page.js';

/** Where the authorization server sends the developer back; registered for the demo app in this process only. */
export const PLAYGROUND_CALLBACK_PATH = '/playground/callback';

export interface SignInOptions {
  db: Kysely<Database>;
  authority: Authority;
  /** The gateway's public URL: the issuer. */
  url: string;
  /** The port this process listens on: the code is exchanged over loopback, which works behind any proxy. */
  port: number;
  secureCookies: boolean;
  /** Shows the playground, with a session or the reason a sign-in failed. */
  render(res: Response, status: number, outcome: { session?: PlaygroundSession; error?: string }): void;
}

/** State and PKCE verifier of a sign-in in progress, for the callback; ten minutes to finish it. */
const COOKIE = 'playground_sign_in';
const COOKIE_MS = 10 * 60 * 1000;
const http = { [oauth.allowInsecureRequests]: true };

/**
 * The playground's "Sign in": the authorization code flow with PKCE for the demo app, as any
 * third-party app runs it. The gateway holds the demo app's secret and exchanges the code itself,
 * so the browser only ever sees the access token, which the page puts in the Authorization header.
 */
export function signInRoutes(options: SignInOptions): express.Router {
  const { db, authority, url, render } = options;
  const provider = authority.provider as typeof authority.provider & { urlFor(name: string): string; pathFor(name: string): string };
  const redirectUri = `${url}${PLAYGROUND_CALLBACK_PATH}`;
  const client: oauth.Client = { client_id: DEMO_APP.clientId };
  const as: oauth.AuthorizationServer = {
    issuer: url,
    authorization_endpoint: provider.urlFor('authorization'),
    token_endpoint: `http://127.0.0.1:${options.port}${provider.pathFor('token')}`,
  };
  const cookie = { httpOnly: true, sameSite: 'lax', path: '/playground', secure: options.secureCookies } as const;
  const router = express.Router();

  router.get('/playground/sign-in', async (req, res) => {
    const mode = req.query.mode ?? 'ongoing';
    if (mode !== 'ongoing' && mode !== 'single') return render(res, 400, { error: 'Choose continuous (ongoing) or one-time (single) access.' });
    // Every category by name (the consent page lets the user untick some), rather than `portability.all.*`.
    const scope = scopesFor(CATEGORIES, mode).join(' ');
    const unusable = await demoAppProblem(db);
    if (unusable) return render(res, 403, { error: unusable });
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    res.cookie(COOKIE, `${state}.${verifier}`, { ...cookie, maxAge: COOKIE_MS });
    const target = new URL(as.authorization_endpoint!);
    target.search = await authorizationParams({ client_id: client.client_id, redirect_uri: redirectUri, scope, state }, verifier);
    res.redirect(303, target.href);
  });

  router.get(PLAYGROUND_CALLBACK_PATH, async (req, res) => {
    const [state, verifier] = (readCookie(req, COOKIE) ?? '').split('.');
    res.clearCookie(COOKIE, cookie);
    if (!state || !verifier) return render(res, 400, { error: 'This sign-in expired or began in another browser. Sign in again.' });
    let tokens: oauth.TokenEndpointResponse;
    try {
      const params = oauth.validateAuthResponse(as, client, new URL(req.originalUrl, url), state);
      const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(DEMO_APP.clientSecret), params, redirectUri, verifier, http);
      tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    } catch (error) {
      return render(res, 403, { error: await failure(db, error) });
    }
    const outcome = await signedIn(authority, tokens);
    render(res, 'session' in outcome ? 200 : 403, outcome);
  });

  return router;
}

/** The authorization request's query: the code flow with PKCE (S256), asking who signs in each time. */
async function authorizationParams(request: { client_id: string; redirect_uri: string; scope: string; state: string }, verifier: string): Promise<string> {
  return new URLSearchParams({
    client_id: request.client_id,
    redirect_uri: request.redirect_uri,
    response_type: 'code',
    scope: request.scope,
    state: request.state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    // Ask who is signing in each time, so a developer can switch between demo users.
    prompt: 'login',
  }).toString();
}

/** The playground's session for the tokens a sign-in got, or why the gateway refuses them. */
async function signedIn(authority: Authority, tokens: oauth.TokenEndpointResponse): Promise<{ session: PlaygroundSession } | { error: string }> {
  try {
    const viewer = await authority.authenticate(`Bearer ${tokens.access_token}`);
    const granted = grantRequest(tokens.scope ?? '');
    const access = `${granted?.categories.join(', ')}, ${granted?.mode === 'single' ? 'one-time' : 'continuous'}`;
    return { session: { token: tokens.access_token, user: viewer!.userId, app: viewer!.grant.appName, access } };
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { error: `Signed in, but the token is refused: ${error.message}` };
  }
}

/** Why the demo app cannot sign anyone in, or undefined when it can. */
async function demoAppProblem(db: Kysely<Database>): Promise<string | undefined> {
  const app = await findApp(db, DEMO_APP.clientId);
  const approve = `An operator restores it with: npm run -s cli -- apps approve ${DEMO_APP.clientId}`;
  if (!app) return `The demo app (${DEMO_APP.clientId}) is not registered: start the gateway with DEMO_DATA=true to register it.`;
  if (app.status === 'SUSPENDED') return `Sign-in is unavailable: the demo app (${DEMO_APP.clientId}) is suspended. ${approve}`;
  if (app.status !== 'APPROVED') return `Sign-in is unavailable: the demo app (${DEMO_APP.clientId}) is not approved. ${approve}`;
  return undefined;
}

/** A failed authorization or code exchange, in words that say what to do. */
async function failure(db: Kysely<Database>, error: unknown): Promise<string> {
  if (error instanceof oauth.AuthorizationResponseError) {
    if (error.error === 'access_denied' && error.error_description?.startsWith('REGION_NOT_ELIGIBLE')) {
      return 'This user is registered outside the EEA, where data portability is not offered: sign in as alice or bob.';
    }
    if (error.error === 'access_denied' && error.error_description === 'The user denied the request.') return 'Sign-in was denied on the consent page.';
    return `Sign-in failed: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`;
  }
  if (error instanceof oauth.ResponseBodyError) {
    const unusable = await demoAppProblem(db);
    if (unusable) return unusable;
    if (error.error === 'invalid_client') return `The demo app's secret is not the documented one in this store, so the playground cannot sign in with it.`;
    return `The code exchange failed: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`;
  }
  if (error instanceof oauth.OperationProcessingError) return `Sign-in failed: ${error.message}. Sign in again.`;
  throw error;
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
