import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AppRow, AppStatus, Database } from '../store/index.js';
import { hashToken } from './tokens.js';

export interface NewApp {
  name: string;
  redirectUris: string[];
  scopes: string[];
  contact?: string | undefined;
  status?: AppStatus | undefined;
  /** A fixed id and secret (the demo app); otherwise both are generated. */
  clientId?: string | undefined;
  clientSecret?: string | undefined;
}

/** Registers an app. The secret is returned once and only its SHA-256 is kept. */
export async function createApp(db: Kysely<Database>, app: NewApp): Promise<{ clientId: string; clientSecret: string }> {
  const clientId = app.clientId ?? `app_${randomBytes(9).toString('base64url')}`;
  const clientSecret = app.clientSecret ?? randomBytes(32).toString('base64url');
  await db
    .insertInto('apps')
    .values({
      id: clientId,
      name: app.name,
      secretHash: hashToken(clientSecret),
      redirectUris: JSON.stringify(app.redirectUris),
      contact: app.contact ?? null,
      scopes: app.scopes.join(' '),
      status: app.status ?? 'PENDING_REVIEW',
      webhookUrl: null,
      createdAt: Date.now(),
    })
    .execute();
  return { clientId, clientSecret };
}

export function findApp(db: Kysely<Database>, clientId: string): Promise<AppRow | undefined> {
  return db.selectFrom('apps').selectAll().where('id', '=', clientId).executeTakeFirst();
}

export function listApps(db: Kysely<Database>): Promise<AppRow[]> {
  return db.selectFrom('apps').selectAll().orderBy('createdAt').orderBy('id').execute();
}

/** Sets an app's review status; false when there is no such app. */
export async function setAppStatus(db: Kysely<Database>, clientId: string, status: AppStatus): Promise<boolean> {
  const result = await db.updateTable('apps').set({ status }).where('id', '=', clientId).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
