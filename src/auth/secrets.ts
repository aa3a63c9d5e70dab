import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { Kysely } from 'kysely';
import { sharedSecret, type Database } from '../store/index.js';

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
