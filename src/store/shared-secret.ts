import type { Kysely } from 'kysely';
import type { Database } from './database.js';

/**
 * Returns the named secret, generating it on first use. Every instance on one store reads the
 * same value, so what one signs (cookies, tokens, download links) all accept.
 */
export async function sharedSecret(db: Kysely<Database>, name: string, generate: () => Promise<string>): Promise<string> {
  const existing = await db.selectFrom('serverSecrets').select('value').where('name', '=', name).executeTakeFirst();
  if (existing) return existing.value;
  await db.insertInto('serverSecrets').values({ name, value: await generate() }).onConflict((oc) => oc.column('name').doNothing()).execute();
  // Another instance may have won the race: read back whichever value was stored.
  return (await db.selectFrom('serverSecrets').select('value').where('name', '=', name).executeTakeFirstOrThrow()).value;
}
