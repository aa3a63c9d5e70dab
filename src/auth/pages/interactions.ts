import express, { type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import type Provider from 'oidc-provider';
import type { SignInThrottle } from '../../limits/index.js';
import type { Database } from '../../store/index.js';
import type { Authority } from '../authority.js';
import { createGrant } from '../grants.js';
import { checkCredentials } from '../accounts.js';
import { isEligibleCountry } from '../region.js';
import { CATEGORIES, grantRequest, type Category } from '../scopes.js';
import { html, page, signInForm, tooManySignInsPage } from './html.js';

export interface InteractionOptions {
  oneTimeSeconds: number;
  recurringSeconds: number;
  extraCountries: ReadonlySet<string>;
  /** Refuses sign-ins after too many failures (429). */
  signIn: SignInThrottle;
}

// Inline <style> only, and no framing: another site must not overlay Sign in or Allow (clickjacking).
// No form-action: Allow's redirects end at the app's redirect URI, and browsers apply form-action to them.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

/** Plain-words names of the categories, as the consent page shows them. */
export const CATEGORY_LABELS: Record<Category, { name: string; detail: string }> = {
  profile: { name: 'Profile', detail: 'your name, bio, picture, e-mail address, birth date and country' },
  posts: { name: 'Posts', detail: 'everything you published, with its media and reactions' },
  follows: { name: 'Follows', detail: 'who follows you and whom you follow' },
  activity: { name: 'Activity', detail: 'your likes, comments, shares, searches, watches and sign-ins' },
  messages: { name: 'Messages', detail: 'your conversations and direct messages' },
};

/** What every interaction handler works with. */
interface Interactions {
  db: Kysely<Database>;
  authority: Authority;
  options: InteractionOptions;
}

/**
 * The sign-in and consent pages oidc-provider sends the user to. Rendered here, loading nothing
 * from elsewhere, every input labelled.
 */
export function interactionRoutes(db: Kysely<Database>, authority: Authority, options: InteractionOptions): express.Router {
  const parts: Interactions = { db, authority, options };
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  router.use('/interaction', (_req, res, next) => {
    res.set('content-security-policy', CSP);
    next();
  });
  router.get('/interaction/:uid', (req, res) => showInteraction(parts, req, res));
  router.post('/interaction/:uid/login', form, (req, res) => submitSignIn(parts, req, res));
  router.post('/interaction/:uid/consent', form, (req, res) => submitConsent(parts, req, res));
  return router;
}

/** The step oidc-provider is at: sign-in, or consent to what the app asks for. */
async function showInteraction({ authority: { provider }, options, db }: Interactions, req: Request, res: Response): Promise<void> {
  const { uid, prompt, params, session } = await provider.interactionDetails(req, res);
  const client = await provider.Client.find(String(params.client_id));
  const appName = client?.clientName ?? String(params.client_id);
  if (prompt.name === 'login') {
    res.type('html').send(loginPage(uid, appName));
    return;
  }
  const request = grantRequest(String(params.scope ?? ''));
  if (!request) {
    await finishWithError(provider, req, res, 'invalid_scope', 'Request portability scopes of one mode: portability.<category>.<single|ongoing>.');
    return;
  }
  if (!session?.accountId || !(await eligible(db, options, session.accountId))) {
    await finishWithError(provider, req, res, 'access_denied', 'REGION_NOT_ELIGIBLE: data portability is offered to users in the EEA only.');
    return;
  }
  const until = new Date(Date.now() + options.recurringSeconds * 1000);
  res.type('html').send(consentPage(uid, appName, request.categories, request.mode === 'single' ? undefined : until));
}

async function submitSignIn({ authority: { provider }, options, db }: Interactions, req: Request, res: Response): Promise<void> {
  const { uid, prompt, params } = await provider.interactionDetails(req, res);
  if (prompt.name !== 'login') {
    res.status(400).type('html').send(page('Sign in', html`<h1>Sign in</h1><p class="error">This step is already done.</p>`));
    return;
  }
  const username = String(req.body?.username ?? '');
  const { userId, retryAfterSeconds } = await options.signIn.attempt(req, username, () => checkCredentials(db, username, String(req.body?.password ?? '')));
  if (retryAfterSeconds !== undefined) {
    res.status(429).set('retry-after', String(retryAfterSeconds)).type('html').send(tooManySignInsPage(retryAfterSeconds));
    return;
  }
  if (!userId) {
    const client = await provider.Client.find(String(params.client_id));
    res.status(401).type('html').send(loginPage(uid, client?.clientName ?? String(params.client_id), 'Wrong username or password.', username));
    return;
  }
  if (!(await eligible(db, options, userId))) {
    await finishWithError(provider, req, res, 'access_denied', 'REGION_NOT_ELIGIBLE: data portability is offered to users in the EEA only.');
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: userId } }, { mergeWithLastSubmission: false });
}

async function submitConsent({ authority, options, db }: Interactions, req: Request, res: Response): Promise<void> {
  const { provider } = authority;
  const { prompt, params, session } = await provider.interactionDetails(req, res);
  const request = grantRequest(String(params.scope ?? ''));
  if (prompt.name !== 'consent' || !session?.accountId || !request) {
    res.status(400).type('html').send(page('Consent', html`<h1>Consent</h1><p class="error">This request cannot be approved here.</p>`));
    return;
  }
  const ticked = request.categories.filter((c) => req.body?.[`category_${c}`] === 'on');
  if (req.body?.decision !== 'allow' || ticked.length === 0) {
    await finishWithError(provider, req, res, 'access_denied', 'The user denied the request.');
    return;
  }
  const lifetimeMs = (request.mode === 'single' ? options.oneTimeSeconds : options.recurringSeconds) * 1000;
  const grantId = await createGrant(db, provider, authority.resource, {
    userId: session.accountId,
    appId: String(params.client_id),
    categories: ticked,
    mode: request.mode,
    lifetimeMs,
    requestedScope: String(params.scope),
  });
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

function finishWithError(provider: Provider, req: Request, res: Response, error: string, description: string) {
  return provider.interactionFinished(req, res, { error, error_description: description }, { mergeWithLastSubmission: false });
}

async function eligible(db: Kysely<Database>, options: InteractionOptions, userId: string): Promise<boolean> {
  const user = await db.selectFrom('users').select('country').where('id', '=', userId).executeTakeFirst();
  return user !== undefined && isEligibleCountry(user.country, options.extraCountries);
}

function loginPage(uid: string, appName: string, error?: string, username?: string): string {
  return page(
    'Sign in',
    html`<h1>Sign in</h1>
<p><strong>${appName}</strong> asks for a copy of your data. Sign in to decide what it may have.</p>
${signInForm(`/interaction/${uid}/login`, error, username)}`,
  );
}

function consentPage(uid: string, appName: string, categories: readonly Category[], until: Date | undefined): string {
  const mode = until
    ? `continuous access until you revoke it, at most until ${until.toISOString().slice(0, 10)}`
    : 'a one-time copy';
  const boxes = CATEGORIES.filter((c) => categories.includes(c)).map(
    (c) => html`<label for="category_${c}"><input id="category_${c}" name="category_${c}" type="checkbox" checked>
      <span><strong>${CATEGORY_LABELS[c].name}</strong>: ${CATEGORY_LABELS[c].detail}</span></label>`,
  );
  return page(
    `${appName} asks for your data`,
    html`<h1><strong>${appName}</strong> asks for your data</h1>
<p>It asks for <strong>${mode}</strong> of these categories. Untick any you want to keep back.</p>
<form method="post" action="/interaction/${uid}/consent">
  <fieldset><legend>Categories</legend>${boxes}</fieldset>
  <p>You can see and revoke this access at any time on your <a href="/account">account page</a>.</p>
  <button class="primary" type="submit" name="decision" value="allow">Allow</button>
  <button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</form>`,
  );
}
