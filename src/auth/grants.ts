import type { Kysely } from 'kysely';
import type Provider from 'oidc-provider';
import { enqueueWebhook } from '../webhooks/index.js';
import type { Database, GrantMode, GrantRow } from '../store/index.js';
import { restoreExternalAccess } from './external-access.js';
import { scopeOf, scopesFor, type Category } from './scopes.js';

export interface GrantTerms {
  userId: string;
  appId: string;
  categories: readonly Category[];
  mode: GrantMode;
  /** How long the grant lasts, from now. */
  lifetimeMs: number;
  /** The scope the app asked for; what of it is not granted is recorded as declined, so consent is not asked again. */
  requestedScope?: string | undefined;
}

/**
 * Records a user's grant: an oidc-provider Grant holding the scopes for the API resource, and the
 * gateway's own row that the account page lists and every request checks. Consenting again also
 * lifts the user's revocation of the app's external tokens. Returns the grant id.
 */
export async function createGrant(db: Kysely<Database>, provider: Provider, resource: string, terms: GrantTerms): Promise<string> {
  const grant = new provider.Grant({ accountId: terms.userId, clientId: terms.appId });
  // The portability scopes are registered with oidc-provider (so it enforces each app's approved
  // list), which makes them OpenID scopes as well as the API's: record them on both sides.
  // An app that asked for `portability.all.<mode>` gets that scope on its tokens even when the user
  // unticked some categories: a token can carry only scopes that were asked for. The grant row
  // records the ticked categories, and the viewer holds only what both allow (Authority).
  const requested = (terms.requestedScope ?? '').split(' ').filter((s) => s !== '');
  const all = scopeOf('all', terms.mode);
  const granted = [...scopesFor(terms.categories, terms.mode), ...(requested.includes(all) ? [all] : [])].join(' ');
  grant.addOIDCScope(granted);
  grant.addResourceScope(resource, granted);
  const declined = requested.filter((s) => !granted.split(' ').includes(s));
  if (declined.length > 0) {
    grant.rejectOIDCScope(declined.join(' '));
    grant.rejectResourceScope(resource, declined.join(' '));
  }
  const grantId = await grant.save();
  const now = Date.now();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('grants')
      .values({
        id: grantId,
        userId: terms.userId,
        appId: terms.appId,
        categories: terms.categories.join(' '),
        mode: terms.mode,
        createdAt: now,
        expiresAt: now + terms.lifetimeMs,
        revokedAt: null,
      })
      .execute();
    await restoreExternalAccess(trx, terms.userId, terms.appId);
  });
  return grantId;
}

/**
 * Revokes a grant at once: marks it revoked (every instance checks this on each request; see
 * StandingCache for how a remembered grant learns of it) and deletes its tokens, codes and
 * oidc-provider grant. False when it is unknown or already revoked.
 */
export async function revokeGrant(db: Kysely<Database>, provider: Provider, grantId: string, userId?: string): Promise<boolean> {
  // The app's `grant.revoked` webhook is queued in the same transaction: sent exactly when the revocation holds.
  const revoked = await db.transaction().execute(async (trx) => {
    const revokedAt = Date.now();
    let update = trx.updateTable('grants').set({ revokedAt }).where('id', '=', grantId).where('revokedAt', 'is', null);
    if (userId !== undefined) update = update.where('userId', '=', userId);
    const { numUpdatedRows } = await update.executeTakeFirst();
    if (numUpdatedRows === 0n) return false;
    const grant = await trx.selectFrom('grants').select('appId').where('id', '=', grantId).executeTakeFirstOrThrow();
    await enqueueWebhook(trx, grant.appId, 'grant.revoked', { grant: { id: grantId, revokedAt: new Date(revokedAt).toISOString() } });
    return true;
  });
  if (!revoked) return false;
  await provider.AccessToken.adapter.revokeByGrantId(grantId);
  return true;
}

/** What decides whether a grant is served, with what it names: its row, its app and its user's country; one query. */
export function readGrantStanding(db: Kysely<Database>, grantId: string) {
  return db
    .selectFrom('grants')
    .innerJoin('apps', 'apps.id', 'grants.appId')
    .innerJoin('users', 'users.id', 'grants.userId')
    .select(['grants.mode', 'grants.categories', 'grants.createdAt', 'grants.expiresAt', 'grants.revokedAt', 'apps.name', 'apps.status', 'users.country'])
    .where('grants.id', '=', grantId)
    .executeTakeFirst();
}

/** What {@link readGrantStanding} reads. */
export type GrantStanding = NonNullable<Awaited<ReturnType<typeof readGrantStanding>>>;

/** A user's grants, newest first, with the app's name. */
export function listGrants(db: Kysely<Database>, userId: string): Promise<(GrantRow & { appName: string })[]> {
  return db
    .selectFrom('grants')
    .innerJoin('apps', 'apps.id', 'grants.appId')
    .selectAll('grants')
    .select('apps.name as appName')
    .where('grants.userId', '=', userId)
    .orderBy('grants.createdAt', 'desc')
    .execute();
}
