import express, { type NextFunction, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { errors as oidcErrors } from 'oidc-provider';
import type { Database } from '../../store/index.js';
import type { Authority } from '../authority.js';
import { accountRoutes, type AccountOptions } from './account.js';
import { html, page } from './html.js';
import { interactionRoutes, type InteractionOptions } from './interactions.js';

export { html, page, Raw } from './html.js';

/** The pages a person sees: sign-in and consent (`/interaction/…`), and `/account`. */
export function userPages(db: Kysely<Database>, authority: Authority, options: { interactions: InteractionOptions; account: AccountOptions }): express.Express {
  return express()
    .disable('x-powered-by')
    .use(interactionRoutes(db, authority, options.interactions))
    .use(accountRoutes(db, authority, options.account))
    .use(pageError);
}

/** An expired or unknown sign-in is the user's to restart, not a server fault. */
function pageError(error: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (error instanceof oidcErrors.SessionNotFound) {
    res.status(400).type('html').send(page('Sign-in expired', html`<h1>This sign-in has expired</h1><p>Go back to the app and start again.</p>`));
    return;
  }
  req.log.error({ err: error }, 'page failed');
  res.status(500).type('html').send(page('Error', html`<h1>Something went wrong</h1><p>Try again in a moment.</p>`));
}
