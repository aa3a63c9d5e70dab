import { seedDemo } from '../../src/store/index.js';
import { demoPassword, dialects, openTestStore, type TestStore } from '../helpers/stores.js';

describe.each(dialects())('seedDemo on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(dialect, { seed: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  const seed = () => seedDemo(t.store.db, { passwordHash: demoPassword });

  it('seeds once when instances start together on an empty store: one writes, the others find it done', async () => {
    const results = await Promise.all([seed(), seed(), seed()]);
    expect(results.sort()).toEqual([false, false, true]);
    const users = await t.store.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const alice = await t.store.db.selectFrom('users').select('id').where('username', '=', 'alice').execute();
    expect(Number(users.n)).toBeGreaterThan(300);
    expect(alice).toHaveLength(1);
  });

  it('gives every user it created the password hash, and no one else', async () => {
    const users = await t.store.db.selectFrom('users').select('id').orderBy('id').execute();
    const credentials = await t.store.db.selectFrom('credentials').select(['userId', 'passwordHash']).orderBy('userId').execute();
    expect(credentials.map((c) => c.userId)).toEqual(users.map((u) => u.id));
    expect(new Set(credentials.map((c) => c.passwordHash))).toEqual(new Set([await demoPassword()]));
  });

  it('on a store with users asks for no hash and gives no one a password', async () => {
    await t.store.db
      .insertInto('users')
      .values({ id: 'late', username: 'late', displayName: 'Late', bio: null, avatarUrl: null, email: 'late@example.com', birthDate: null, country: 'DE', createdAt: 0, updatedAt: 0 })
      .execute();
    let hashed = 0;
    expect(await seedDemo(t.store.db, { passwordHash: () => (hashed++, demoPassword()) })).toBe(false);
    expect(hashed).toBe(0);
    expect(await t.store.db.selectFrom('credentials').select('userId').where('userId', '=', 'late').execute()).toEqual([]);
  });
});
