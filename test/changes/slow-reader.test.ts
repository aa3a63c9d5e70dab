import { ChangeStream, ingest, localNotifier, LogTailer, MAX_PENDING } from '../../src/changes/index.js';
import type { ChangesSource } from '../../src/store/index.js';
import { dialects, openTestStore, type TestStore } from '../helpers/stores.js';

describe.each(dialects())('a stream whose reader falls behind the live flow, on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('holds at most MAX_PENDING live batches, then catches up from the table, missing and repeating nothing', async () => {
    const fail = (error: unknown) => {
      throw error;
    };
    const tailer = new LogTailer(t.store.sources.changes, async () => undefined, fail);
    const notifier = localNotifier();
    await tailer.start(notifier);
    const changes = t.store.sources.changes;
    const tableReads: number[] = [];
    const source: ChangesSource = {
      ...changes,
      changesAfter(userId, position, categories, limit) {
        tableReads.push(position);
        return changes.changesAfter(userId, position, categories, limit);
      },
    };
    const start = await changes.headPosition();
    const stream = new ChangeStream(source, tailer, { userId: 'alice', after: start, categories: ['posts'], events: (rows) => rows, expired: () => new Error('expired') });
    // The reader asks once (the stream replays the empty log, then waits for the live flow) and no more.
    const first = stream.next();

    // Each post its own commit and its own live batch, and nobody reading the stream.
    let delivered = 0;
    const detach = tailer.attach('alice', () => delivered++);
    const ids: string[] = [];
    const createdAt = new Date().toISOString();
    for (let n = 0; n < MAX_PENDING + 20; n++) {
      const id = `slow-reader-${dialect}-${n}`;
      ids.push(id);
      await ingest(t.store.db, notifier, [{ id, type: 'post.upsert', data: { id, authorId: 'alice', caption: String(n), visibility: 'PUBLIC', createdAt } }]);
      while (delivered <= n) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    detach();
    expect(tableReads).toEqual([start]);

    const received = [(await first).value!.entityId];
    while (received.length < ids.length) received.push((await stream.next()).value!.entityId);
    await stream.return();
    tailer.close();
    expect(received).toEqual(ids);
    // The live batches past the bound were dropped, and the rest was read from the table.
    expect(tableReads.length).toBeGreaterThan(1);
    expect(tableReads[1]).toBeGreaterThan(start);
  });
});
