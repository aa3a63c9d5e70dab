import { ingest, localNotifier, LogTailer } from '../../src/changes/index.js';
import { dialects, openTestStore, type TestStore } from '../helpers/stores.js';

describe.each(dialects())('LogTailer.lag on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts the changes not yet handed out, and the age of the oldest', async () => {
    const tailer = new LogTailer(t.store.sources.changes, async () => undefined, (error) => {
      throw error;
    });
    const notifier = localNotifier();
    await tailer.start(notifier);
    tailer.close(); // Read nothing more: what comes next is lag.
    const at = new Date().toISOString();
    await ingest(t.store.db, notifier, [
      { id: 'lag-1', type: 'post.upsert', data: { id: 'lag-1', authorId: 'alice', caption: 'one', visibility: 'PUBLIC', createdAt: at } },
      { id: 'lag-2', type: 'post.upsert', data: { id: 'lag-2', authorId: 'alice', caption: 'two', visibility: 'PUBLIC', createdAt: at } },
    ]);
    const oldest = await t.store.db.selectFrom('changes').select('committedAt').where('entityId', '=', 'lag-1').executeTakeFirstOrThrow();
    expect(await tailer.lag(oldest.committedAt + 1500)).toEqual({ positions: 2, seconds: 1.5 });
  });

  it('is zero once the tailer has read to the head', async () => {
    const tailer = new LogTailer(t.store.sources.changes, async () => undefined, (error) => {
      throw error;
    });
    await tailer.start(localNotifier());
    tailer.close();
    expect(await tailer.lag()).toEqual({ positions: 0, seconds: 0 });
  });
});
