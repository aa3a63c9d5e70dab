import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

/**
 * Returns the named secret, generating it on first use. Every instance on one store reads the
 * same value, so signed cookies and tokens made by one are accepted by all.
 */
async function sharedSecret(db: Kysely<Database>, name: string, generate: () => Promise<string>): Promise<string> {
  const existing = await db.selectFrom('serverSecrets').select('value').where('name', '=', name).executeTakeFirst();
  if (existing) return existing.value;
  await db.insertInto('serverSecrets').values({ name, value: await generate() }).onConflict((oc) => oc.column('name').doNothing()).execute();
  // Another instance may have won the race: read back whichever value was stored.
  return (await db.selectFrom('serverSecrets').select('value').where('name', '=', name).executeTakeFirstOrThrow()).value;
}

/** The keys oidc-provider signs cookies with. */
export async function cookieKeys(db: Kysely<Database>): Promise<string[]> {
  return JSON.parse(await sharedSecret(db, 'cookie-keys', async () => JSON.stringify([randomBytes(32).toString('base64url')])));
}

/** The private JWK set oidc-provider signs with (ID tokens, JWT responses). */
export async function signingKeys(db: Kysely<Database>): Promise<object[]> {
  return JSON.parse(
    await sharedSecret(db, 'signing-jwks', async () => {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      return JSON.stringify([{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: randomBytes(8).toString('hex') }]);
    }),
  );
}
