import type { Kysely, Migration } from 'kysely';

/**
 * The users the demo seed creates, as it named them when this migration shipped: alice, bob,
 * carol and `usr_0001` … `usr_0300`. Written out here, not imported, so the migration keeps its
 * meaning whatever the seed becomes.
 */
export const SEEDED_USER_IDS: readonly string[] = ['alice', 'bob', 'carol', ...Array.from({ length: 300 }, (_, i) => `usr_${String(i + 1).padStart(4, '0')}`)];

/**
 * Takes the demo password away from users the demo seed did not create. Until 2026-12-01, every
 * start with demo data gave each user without a credential the password `demo`, users the platform
 * had ingested included, so anyone could sign in as them. Only the demo seed writes credentials,
 * so a credential of any other user is one of those.
 */
export const leakedDemoCredentials: Migration = {
  async up(db: Kysely<any>) {
    await db.deleteFrom('credentials').where('userId', 'not in', SEEDED_USER_IDS).execute();
  },
};
