import { checkCredentials } from '../../../src/auth/accounts.js';
import { DEMO_PASSWORD } from '../../../src/auth/index.js';
import { demoRows } from '../../../src/store/index.js';
import { SEEDED_USER_IDS } from '../../../src/store/migrations/0008-leaked-demo-credentials.js';
import { demoPassword, dialects, openTestStore } from '../../helpers/stores.js';

describe.each(dialects())('0008: demo passwords taken from users the seed did not create, on %s', (dialect) => {
  it('names exactly the users the demo seed creates', async () => {
    expect(SEEDED_USER_IDS).toEqual((await demoRows()).users.map((user) => user.id));
  });

  it('deletes the demo password an older start gave an ingested user, and keeps the demo users\' own', async () => {
    const { store, close } = await openTestStore(dialect, { migratedThrough: '0007-standing-signals' });
    try {
      // What seedDemoAccess did before 2026-12-01: every user without a credential got `demo`.
      const now = Date.now();
      await store.db.insertInto('users').values({ id: 'plat_42', username: 'ingested', displayName: 'Ingested', bio: null, avatarUrl: null, email: 'i@example.com', birthDate: null, country: 'DE', createdAt: now, updatedAt: now }).execute();
      await store.db.insertInto('credentials').values({ userId: 'plat_42', passwordHash: await demoPassword() }).execute();
      expect(await checkCredentials(store.db, 'ingested', DEMO_PASSWORD)).toBe('plat_42');

      await store.migrate();

      expect(await checkCredentials(store.db, 'ingested', DEMO_PASSWORD)).toBeUndefined();
      expect(await checkCredentials(store.db, 'alice', DEMO_PASSWORD)).toBe('alice');
      const left = await store.db.selectFrom('credentials').select('userId').execute();
      expect(left.map((row) => row.userId).sort()).toEqual([...SEEDED_USER_IDS].sort());
      expect(await store.db.selectFrom('users').select('id').where('id', '=', 'plat_42').executeTakeFirst()).toEqual({ id: 'plat_42' });
    } finally {
      await close();
    }
  }, 60_000);
});
