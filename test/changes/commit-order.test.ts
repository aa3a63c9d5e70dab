import { ingest, localNotifier } from '../../src/changes/index.js';
import { lockChangeLog } from '../../src/store/index.js';
import { dialects, openTestStore, type TestStore } from '../helpers/stores.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// SQLite has one writer, and Kysely runs every statement on its one connection: a reader waits for
// an open transaction, so the hazard this guards against cannot arise there.
const concurrent = dialects().filter((d) => d === 'postgres');

(concurrent.length > 0 ? describe.each(concurrent) : describe.skip.each(['postgres' as const]))('change log positions on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a reader never sees a change before an earlier-numbered one that is still committing', async () => {
    const { changes } = t.store.sources;
    const head = await changes.headPosition();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));

    // Writer A appends a change and holds its transaction open.
    const writerA = t.store.db.transaction().execute(async (trx) => {
      await lockChangeLog(trx);
      await trx
        .insertInto('changes')
        .values({ userId: 'alice', category: 'posts', operation: 'UPSERT', entityType: 'Post', entityId: 'slow', occurredAt: 0, committedAt: Date.now() })
        .execute();
      await held;
    });
    await sleep(100);
    // Writer B starts later and would commit first if nothing ordered them.
    const writerB = ingest(t.store.db, localNotifier(), [
      { id: 'order-b', type: 'post.upsert', data: { id: 'fast', authorId: 'alice', visibility: 'PUBLIC', createdAt: new Date().toISOString() } },
    ]);
    await sleep(300);
    // While A is open, a reader must not be able to pass it by seeing B.
    expect(await changes.changesAfter('alice', head, ['posts'], 10)).toEqual([]);

    release();
    await writerA;
    expect((await writerB)[0]?.status).toBe('applied');
    const rows = await changes.changesAfter('alice', head, ['posts'], 10);
    expect(rows.map((r) => r.entityId)).toEqual(['slow', 'fast']);
    expect(rows[0]!.position).toBeLessThan(rows[1]!.position);
  });
});
