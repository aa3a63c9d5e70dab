import { seedDemo } from '../../src/store/index.js';
import { dialects, openTestStore, type TestStore } from '../helpers/stores.js';

describe.each(dialects())('seedDemo on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(dialect, { seed: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('seeds once when instances start together on an empty store: one writes, the others find it done', async () => {
    const results = await Promise.all([seedDemo(t.store.db), seedDemo(t.store.db), seedDemo(t.store.db)]);
    expect(results.sort()).toEqual([false, false, true]);
    const users = await t.store.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const alice = await t.store.db.selectFrom('users').select('id').where('username', '=', 'alice').execute();
    expect(Number(users.n)).toBeGreaterThan(300);
    expect(alice).toHaveLength(1);
  });
});
