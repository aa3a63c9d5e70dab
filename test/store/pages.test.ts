import type { Page, PageRequest } from '../../src/store/index.js';
import { dialects, openTestStore, type TestStore } from '../helpers/stores.js';

describe.each(dialects())('keyset pages on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function walk<Row>(
    fetch: (request: PageRequest) => Promise<Page<Row>>,
    position: (row: Row) => { time: number; id: string },
    direction: 'forward' | 'backward',
    size: number,
  ): Promise<Row[]> {
    const rows: Row[] = [];
    let request: PageRequest = direction === 'forward' ? { first: size } : { last: size };
    for (;;) {
      const page = await fetch(request);
      if (direction === 'forward') rows.push(...page.rows);
      else rows.unshift(...page.rows);
      const more = direction === 'forward' ? page.hasNextPage : page.hasPreviousPage;
      if (!more) return rows;
      request =
        direction === 'forward'
          ? { first: size, after: position(page.rows.at(-1)!) }
          : { last: size, before: position(page.rows[0]!) };
    }
  }

  it('walking alice\'s messages forward or backward visits each row once, in (time, id) order', async () => {
    const { messages } = t.store.sources;
    const [conversation] = (await messages.conversationPages(['alice'], { first: 1 })).get('alice')!.rows;
    const all = await t.store.db
      .selectFrom('messages')
      .selectAll()
      .where('conversationId', '=', conversation!.conversationId)
      .orderBy('sentAt')
      .orderBy('id')
      .execute();
    const fetch = async (request: PageRequest) =>
      (await messages.messagePages([conversation!.conversationId], request)).get(conversation!.conversationId)!;
    const position = (m: { sentAt: number; id: string }) => ({ time: m.sentAt, id: m.id });
    expect(all.length).toBeGreaterThan(3);
    expect((await walk(fetch, position, 'forward', 3)).map((m) => m.id)).toEqual(all.map((m) => m.id));
    expect((await walk(fetch, position, 'backward', 3)).map((m) => m.id)).toEqual(all.map((m) => m.id));
  });

  it('one statement pages many parents exactly as it pages each alone', async () => {
    const { messages } = t.store.sources;
    const conversationIds = (await messages.conversationPages(['alice'], { first: 30 })).get('alice')!.rows.map((r) => r.conversationId);
    for (const request of [{ first: 4 }, { last: 4 }] satisfies PageRequest[]) {
      t.resetStatements();
      const together = await messages.messagePages(conversationIds, request);
      expect(t.statements).toHaveLength(1);
      for (const id of conversationIds) {
        expect(together.get(id)).toEqual((await messages.messagePages([id], request)).get(id));
      }
    }
  });

  it('a page past the end is empty and says nothing follows', async () => {
    const page = (await t.store.sources.posts.postPages(['alice'], { first: 10, after: { time: 8.64e15, id: '' } })).get('alice')!;
    expect(page).toEqual({ rows: [], hasNextPage: false, hasPreviousPage: true });
  });

  it('a parent with no rows gets an empty page', async () => {
    const pages = await t.store.sources.posts.postPages(['alice', 'nobody'], { first: 5 });
    expect(pages.get('nobody')).toEqual({ rows: [], hasNextPage: false, hasPreviousPage: false });
    expect(pages.get('alice')!.rows).toHaveLength(5);
  });

  it('the demo seed gives alice several pages of every connection, and is the same every time', async () => {
    const posts = await t.store.db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).where('authorId', '=', 'alice').executeTakeFirstOrThrow();
    expect(Number(posts.n)).toBeGreaterThan(200);
    const events = await t.store.db.selectFrom('activityEvents').select((eb) => eb.fn.countAll().as('n')).where('userId', '=', 'alice').executeTakeFirstOrThrow();
    expect(Number(events.n)).toBeGreaterThan(200);
    const followers = await t.store.db.selectFrom('follows').select((eb) => eb.fn.countAll().as('n')).where('followeeId', '=', 'alice').executeTakeFirstOrThrow();
    expect(Number(followers.n)).toBeGreaterThan(200);
    const users = await t.store.db.selectFrom('users').select(['id', 'country']).where('id', 'in', ['alice', 'bob', 'carol']).orderBy('id').execute();
    expect(users).toEqual([
      { id: 'alice', country: 'DE' },
      { id: 'bob', country: 'FR' },
      { id: 'carol', country: 'US' },
    ]);

    const again = await openTestStore('sqlite');
    try {
      const snapshot = (s: TestStore) => s.store.db.selectFrom('messages').selectAll().orderBy('id').limit(50).execute();
      expect(await snapshot(again)).toEqual(await snapshot(t));
    } finally {
      await again.close();
    }
  });
});
