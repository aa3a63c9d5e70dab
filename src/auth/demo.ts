import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import { createApp, findApp } from './apps.js';
import { hashPassword } from './passwords.js';
import { ALL_SCOPES } from './scopes.js';

/** The demo app README documents; its secret is fixed only when the store holds demo data. */
export const DEMO_APP = {
  clientId: 'demo-app',
  clientSecret: 'demo-app-secret',
  name: 'Demo backup app',
  redirectUris: ['http://127.0.0.1:8976/callback', 'http://localhost:8976/callback'],
} as const;

/** Every demo user signs in with this password. */
export const DEMO_PASSWORD = 'demo';

/**
 * Registers the approved demo app if it is missing. With demo data its secret is the documented
 * one; otherwise (an operator's CLI in production) a random secret nobody is shown.
 */
export async function ensureDemoApp(db: Kysely<Database>, options: { knownSecret: boolean }): Promise<void> {
  if (await findApp(db, DEMO_APP.clientId)) return;
  await createApp(db, {
    clientId: DEMO_APP.clientId,
    clientSecret: options.knownSecret ? DEMO_APP.clientSecret : randomBytes(32).toString('base64url'),
    name: DEMO_APP.name,
    redirectUris: [...DEMO_APP.redirectUris],
    scopes: [...ALL_SCOPES],
    contact: 'demo@example.com',
    status: 'APPROVED',
  }).catch(async (error: unknown) => {
    // Another instance registered it first.
    if (!(await findApp(db, DEMO_APP.clientId))) throw error;
  });
}

/** Gives every user without a password the demo password, and registers the demo app. */
export async function seedDemoAccess(db: Kysely<Database>): Promise<void> {
  await ensureDemoApp(db, { knownSecret: true });
  const without = await db
    .selectFrom('users')
    .leftJoin('credentials', 'credentials.userId', 'users.id')
    .select('users.id')
    .where('credentials.userId', 'is', null)
    .execute();
  if (without.length === 0) return;
  // One hash serves them all: hashing each of hundreds of demo users would cost seconds at start.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (let i = 0; i < without.length; i += 500) {
    const values = without.slice(i, i + 500).map(({ id }) => ({ userId: id, passwordHash }));
    await db.insertInto('credentials').values(values).onConflict((oc) => oc.column('userId').doNothing()).execute();
  }
}
