import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { seedDemo, type Database } from '../store/index.js';
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

/** Every user the demo seed creates signs in with this password. */
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

/**
 * Seeds an empty store with the demo data, the users it creates signing in with
 * {@link DEMO_PASSWORD}, and registers the demo app. On a store that already has users it only
 * registers the app: no user the seed did not create, such as one the platform ingested, ever
 * gets the demo password, at this start or any later one.
 */
export async function seedDemoAccess(db: Kysely<Database>): Promise<void> {
  await seedDemo(db, { passwordHash: () => hashPassword(DEMO_PASSWORD) });
  await ensureDemoApp(db, { knownSecret: true });
}
