import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { storedCategories } from '../../graph/index.js';
import type { SignInThrottle } from '../../limits/index.js';
import type { AccessLogRow, Database, ExternalAccessRow, GrantMode, GrantRow } from '../../store/index.js';
import type { Authority } from '../authority.js';
import { listExternalAccess, revokeExternalAccess } from '../external-access.js';
import { listGrants } from '../grants.js';
import { checkCredentials } from '../accounts.js';
import { isEligibleCountry } from '../region.js';
import { hashToken } from '../tokens.js';
import { html, page, signInForm, tooManySignInsPage, type Raw } from './html.js';
import { CATEGORY_LABELS } from './interactions.js';

export interface AccountOptions {
  /** The gateway's public origin (`PUBLIC_URL`'s): a sign-in posted from any other is refused. */
  origin: string;
  /** Mark the session cookie `Secure` (the gateway is served over https). */
  secureCookies: boolean;
  extraCountries: ReadonlySet<string>;
  /** Stores the access-log rows still waiting to be written, so the page shows every request answered. */
  flushAccessLog: () => Promise<void>;
  /** Refuses sign-ins after too many failures (429). */
  signIn: SignInThrottle;
}

interface Session {
  idHash: string;
  userId: string;
  csrfToken: string;
}

/** What every account handler works with. */
interface Account {
  db: Kysely<Database>;
  authority: Authority;
  options: AccountOptions;
}

const COOKIE = 'account_session';
const SESSION_MS = 8 * 60 * 60 * 1000;
const LOG_ROWS = 100;
// Inline <style> only; no scripts, no framing (the Revoke button must not be clickjacked).
const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The user's own account page at `/account`: sign in with username and password, see which apps
 * hold which grants, which reach the data with the platform's own tokens (external access), and
 * what they fetched (the access log), revoke a grant or an external access, sign out. Sessions
 * live in `accountSessions` under the SHA-256 of the cookie value, with a CSRF token for forms.
 */
export function accountRoutes(db: Kysely<Database>, authority: Authority, options: AccountOptions): express.Router {
  const parts: Account = { db, authority, options };
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  router.get('/account', (req, res) => showAccount(parts, req, res));
  router.post('/account/login', form, (req, res) => signIn(parts, req, res));
  router.post('/account/grants/:id/revoke', form, (req, res) =>
    revokeFromForm(parts, req, res, (userId) => authority.revokeGrant(String(req.params.id), userId), 'You have no active grant with this id.'),
  );
  router.post('/account/external/:appId/revoke', form, (req, res) =>
    revokeFromForm(parts, req, res, (userId) => revokeExternalAccess(db, userId, String(req.params.appId)), 'No app holds active access of this kind to your data.'),
  );
  router.post('/account/logout', form, (req, res) => signOut(parts, req, res));
  return router;
}

async function sessionOf(db: Kysely<Database>, req: Request): Promise<Session | undefined> {
  const id = readCookie(req.headers.cookie, COOKIE);
  if (!id) return undefined;
  return db
    .selectFrom('accountSessions')
    .select(['idHash', 'userId', 'csrfToken'])
    .where('idHash', '=', hashToken(id))
    .where('expiresAt', '>', Date.now())
    .executeTakeFirst();
}

async function showAccount({ db, options }: Account, req: Request, res: Response): Promise<void> {
  const session = await sessionOf(db, req);
  if (!session) return send(res, 200, signInPage());
  await options.flushAccessLog();
  const [user, grants, external, log] = await Promise.all([
    db.selectFrom('users').select(['username', 'displayName', 'country']).where('id', '=', session.userId).executeTakeFirst(),
    listGrants(db, session.userId),
    listExternalAccess(db, session.userId),
    db
      .selectFrom('accessLog')
      .leftJoin('apps', 'apps.id', 'accessLog.appId')
      .selectAll('accessLog')
      .select('apps.name as appName')
      .where('accessLog.userId', '=', session.userId)
      .orderBy('accessLog.at', 'desc')
      .orderBy('accessLog.id', 'desc')
      .limit(LOG_ROWS)
      .execute(),
  ]);
  if (!user) return send(res, 200, signInPage());
  const eligible = isEligibleCountry(user.country, options.extraCountries);
  send(res, 200, accountPage(user.displayName, eligible, session.csrfToken, { grants, external, log }));
}

async function signIn({ db, options }: Account, req: Request, res: Response): Promise<void> {
  // Login CSRF: another site must not sign the browser in to an account of its choosing. There
  // is no session yet to hold a token, so the browser's own word on where the form came from
  // decides (`Origin`, which a sandboxed frame sends as "null"; `Sec-Fetch-Site`).
  const from = req.headers.origin;
  if ((from !== undefined && from !== options.origin) || req.headers['sec-fetch-site'] === 'cross-site') return send(res, 403, FORM_EXPIRED);
  const username = String(req.body?.username ?? '');
  const { userId, retryAfterSeconds } = await options.signIn.attempt(req, username, () => checkCredentials(db, username, String(req.body?.password ?? '')));
  if (retryAfterSeconds !== undefined) return send(res.set('retry-after', String(retryAfterSeconds)), 429, tooManySignInsPage(retryAfterSeconds));
  if (!userId) return send(res, 401, signInPage('Wrong username or password.', username));
  const now = Date.now();
  const previous = readCookie(req.headers.cookie, COOKIE);
  // Drop the user's expired sessions and any session this browser held before.
  await db
    .deleteFrom('accountSessions')
    .where((eb) => eb.or([eb.and([eb('userId', '=', userId), eb('expiresAt', '<=', now)]), eb('idHash', '=', hashToken(previous ?? ''))]))
    .execute();
  const id = randomBytes(32).toString('base64url');
  await db
    .insertInto('accountSessions')
    .values({ idHash: hashToken(id), userId, csrfToken: randomBytes(32).toString('base64url'), expiresAt: now + SESSION_MS })
    .execute();
  res.cookie(COOKIE, id, { httpOnly: true, sameSite: 'lax', path: '/account', secure: options.secureCookies, maxAge: SESSION_MS });
  res.redirect(303, '/account');
}

/** A Revoke button's form: with the session's CSRF token, `revoke` ends the access; false from it is a 404 saying `notFound`. */
async function revokeFromForm({ db }: Account, req: Request, res: Response, revoke: (userId: string) => Promise<boolean>, notFound: string): Promise<void> {
  const session = await sessionOf(db, req);
  if (!session || !sameToken(String(req.body?.csrf ?? ''), session.csrfToken)) {
    return send(res, 403, FORM_EXPIRED);
  }
  if (!(await revoke(session.userId))) {
    return send(res, 404, messagePage('Not found', notFound));
  }
  res.redirect(303, '/account');
}

async function signOut({ db, options }: Account, req: Request, res: Response): Promise<void> {
  // Another site must not be able to sign the user out either.
  const session = await sessionOf(db, req);
  if (session && !sameToken(String(req.body?.csrf ?? ''), session.csrfToken)) {
    return send(res, 403, FORM_EXPIRED);
  }
  if (session) await db.deleteFrom('accountSessions').where('idHash', '=', session.idHash).execute();
  res.clearCookie(COOKIE, { httpOnly: true, sameSite: 'lax', path: '/account', secure: options.secureCookies });
  res.redirect(303, '/account');
}

function send(res: Response, status: number, body: string): void {
  res.status(status).set({ 'cache-control': 'no-store', 'content-security-policy': CSP }).type('html').send(body);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function when(ms: number): Raw {
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

function categoryNames(categories: string): string {
  // A stored list may name a category this version does not know: it shows as stored.
  return storedCategories(categories)
    .map((c) => CATEGORY_LABELS[c]?.name ?? c)
    .join(', ');
}

function signInPage(error?: string, username = ''): string {
  return page(
    'Your account',
    html`<h1>Your account</h1>
<p>Sign in to see which apps can copy your data, what they took, and to revoke their access.</p>
${signInForm('/account/login', error, username)}`,
  );
}

function messagePage(title: string, message: string): string {
  return page(title, html`<h1>${title}</h1><p>${message}</p><p><a href="/account">Back to your account</a></p>`);
}

/** A form without the session's CSRF token: stale, or posted from another site. */
const FORM_EXPIRED = messagePage('Not allowed', 'This form has expired. Open your account page and try again.');

/** One row of the connected-apps tables: a grant made here, or an access through the platform's tokens. */
interface AccessRow {
  appName: string;
  categories: string;
  mode: GrantMode;
  /** Created and expires for a grant; first and last used for an external access. */
  times: [number, number];
  state: string;
  revokedAt: number | null;
  /** Where the Revoke button posts, and its accessible name; none once the access has ended. */
  revoke: { action: string; label: string } | undefined;
}

function accessRow(row: AccessRow, csrf: string): Raw {
  const action = row.revoke
    ? html`<form method="post" action="${row.revoke.action}">
      <input type="hidden" name="csrf" value="${csrf}">
      <button type="submit" aria-label="${row.revoke.label}">Revoke</button></form>`
    : '';
  return html`<tr>
  <td><strong>${row.appName}</strong></td>
  <td>${categoryNames(row.categories)}</td>
  <td>${row.mode === 'single' ? 'one-time copy' : 'continuous access'}</td>
  <td>${when(row.times[0])}</td>
  <td>${when(row.times[1])}</td>
  <td>${row.state}${row.revokedAt !== null ? html` on ${when(row.revokedAt)}` : ''}</td>
  <td>${action}</td>
</tr>`;
}

function grantRow(grant: GrantRow & { appName: string }, csrf: string, now: number): Raw {
  const state = grant.revokedAt !== null ? 'revoked' : grant.expiresAt <= now ? 'expired' : 'active';
  const revoke = { action: `/account/grants/${encodeURIComponent(grant.id)}/revoke`, label: `Revoke ${grant.appName}'s access` };
  return accessRow({ ...grant, times: [grant.createdAt, grant.expiresAt], state, revoke: state === 'active' ? revoke : undefined }, csrf);
}

function externalRow(access: ExternalAccessRow & { appName: string }, csrf: string): Raw {
  const active = access.revokedAt === null;
  const revoke = { action: `/account/external/${encodeURIComponent(access.appId)}/revoke`, label: `Revoke ${access.appName}'s access through the platform` };
  return accessRow({ ...access, times: [access.firstUsedAt, access.lastUsedAt], state: active ? 'active' : 'revoked', revoke: active ? revoke : undefined }, csrf);
}

function logRow(row: AccessLogRow & { appName: string | null }): Raw {
  return html`<tr>
  <td>${when(row.at)}</td>
  <td>${row.appName ?? row.appId}</td>
  <td><code>${row.grantId}</code></td>
  <td>${categoryNames(row.categories)}</td>
  <td>${row.operationName ?? '(unnamed)'}</td>
  <td>${row.items}</td>
</tr>`;
}

interface AccountData {
  grants: (GrantRow & { appName: string })[];
  external: (ExternalAccessRow & { appName: string })[];
  log: (AccessLogRow & { appName: string | null })[];
}

function accountPage(name: string, eligible: boolean, csrf: string, { grants, external, log }: AccountData): string {
  const now = Date.now();
  return page(
    'Your account',
    html`<h1>Your account: ${name}</h1>
${eligible ? '' : html`<p class="error">Data portability is offered to users in the EEA only, so apps cannot use these grants from your country. You can still see and revoke them here.</p>`}
<h2>Connected apps</h2>
${grants.length === 0
  ? html`<p>${external.length === 0 ? 'No app has been given access to your data.' : 'You have granted no app access here.'}</p>`
  : html`<table>
<thead><tr><th scope="col">App</th><th scope="col">Categories</th><th scope="col">Mode</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col">Action</th></tr></thead>
<tbody>${grants.map((g) => grantRow(g, csrf, now))}</tbody>
</table>`}
${external.length === 0
  ? ''
  : html`<h2>Apps with access through the platform</h2>
<p>These apps use access tokens the platform gave them, not a grant you made here. Revoking one refuses its tokens for your data until you grant it access here again.</p>
<table>
<thead><tr><th scope="col">App</th><th scope="col">Categories</th><th scope="col">Mode</th><th scope="col">First used</th><th scope="col">Last used</th><th scope="col">State</th><th scope="col">Action</th></tr></thead>
<tbody>${external.map((x) => externalRow(x, csrf))}</tbody>
</table>`}
<h2>Access log</h2>
${log.length === 0
  ? html`<p>No app has fetched your data yet.</p>`
  : html`<p>The latest ${LOG_ROWS} requests at most, newest first.</p>
<table>
<thead><tr><th scope="col">Time</th><th scope="col">App</th><th scope="col">Grant</th><th scope="col">Categories</th><th scope="col">Operation</th><th scope="col">Items</th></tr></thead>
<tbody>${log.map(logRow)}</tbody>
</table>`}
<form method="post" action="/account/logout">
  <input type="hidden" name="csrf" value="${csrf}">
  <button type="submit">Sign out</button>
</form>`,
  );
}
