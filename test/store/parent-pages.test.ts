import { CompiledQuery } from 'kysely';
import type { Cursor, MessageRow, PageRequest } from '../../src/store/index.js';

/** A page request in the embedded store's own positions. */
type KeysetRequest = PageRequest & { after?: Cursor; before?: Cursor };
import { dialects, openTestStore, type TestStore } from '../helpers/stores.js';

/** Messages added to each long conversation, three to a millisecond so ties fall to the id. */
const HISTORY = 150;

describe.each(dialects())('pages of many parents with long histories on %s', (dialect) => {
  let t: TestStore;
  /** Alice's conversations, most with long histories, one with only its demo messages. */
  let conversations: string[];
  /** Each conversation's messages in the connection's order, read without the pager. */
  const histories = new Map<string, MessageRow[]>();

  beforeAll(async () => {
    t = await openTestStore(dialect);
    const { db, sources } = t.store;
    conversations = (await sources.messages.conversationPages(['alice'], { first: 13 })).get('alice')!.rows.map((r) => r.conversationId);
    for (const conversationId of conversations.slice(1)) {
      // Ids out of insertion order, so a page in id order within a tie proves the tiebreak.
      const rows = Array.from({ length: HISTORY }, (_, i) => ({
        id: `hist_${conversationId}_${String((i * 37) % HISTORY).padStart(3, '0')}`,
        conversationId,
        senderId: 'alice',
        text: `message ${i}`,
        sentAt: 1_780_000_000_000 + Math.floor(i / 3) * 1000,
      }));
      await db.insertInto('messages').values(rows).execute();
    }
    for (const conversationId of conversations) {
      histories.set(conversationId, await db.selectFrom('messages').selectAll().where('conversationId', '=', conversationId).orderBy('sentAt').orderBy('id').execute());
    }
    t.resetStatements();
  });
  afterAll(async () => {
    await t?.close();
  });

  const position = (m: MessageRow): Cursor => ({ time: m.sentAt, id: m.id });
  const compare = (a: Cursor, b: Cursor) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  /** What a page of one conversation must be, worked out from its whole history. */
  function expectedPage(conversationId: string, request: KeysetRequest) {
    const within = histories
      .get(conversationId)!
      .filter((m) => (!request.after || compare(position(m), request.after) > 0) && (!request.before || compare(position(m), request.before) < 0));
    if (request.last !== undefined) {
      return { rows: within.slice(-request.last), hasNextPage: request.before !== undefined, hasPreviousPage: within.length > request.last };
    }
    return { rows: within.slice(0, request.first), hasNextPage: within.length > request.first!, hasPreviousPage: request.after !== undefined };
  }

  async function expectPagesOfAll(request: KeysetRequest) {
    t.resetStatements();
    const pages = await t.store.sources.messages.messagePages(conversations, request);
    expect(t.statements).toHaveLength(1);
    expect([...pages.keys()].sort()).toEqual([...conversations].sort());
    for (const conversationId of conversations) expect(pages.get(conversationId)).toEqual(expectedPage(conversationId, request));
  }

  it('the first and last pages of every parent hold its first and last rows, whatever its history', async () => {
    expect(histories.get(conversations[1]!)!.length).toBeGreaterThan(HISTORY);
    expect(histories.get(conversations[0]!)!.length).toBeLessThan(HISTORY);
    for (const size of [1, 7, 100]) {
      await expectPagesOfAll({ first: size });
      await expectPagesOfAll({ last: size });
    }
  });

  it('pages after and before a cursor continue each parent from there, in both directions', async () => {
    // A cursor inside a run of equal times: the id decides which of the tied rows come next.
    const middle = histories.get(conversations[1]!)!.find((m) => m.id.startsWith('hist_') && m.sentAt === 1_780_000_000_000 + 20_000)!;
    const cursor = { time: middle.sentAt, id: middle.id };
    for (const size of [1, 7, 100]) {
      await expectPagesOfAll({ first: size, after: cursor });
      await expectPagesOfAll({ last: size, before: cursor });
    }
    const later = { time: cursor.time + 10_000, id: '' };
    await expectPagesOfAll({ first: 5, after: cursor, before: later });
    await expectPagesOfAll({ last: 5, after: cursor, before: later });
  });

  it('walking every parent backward, each from its own cursor, visits each row once', async () => {
    const { messages } = t.store.sources;
    for (const conversationId of conversations.slice(0, 4)) {
      const seen: MessageRow[] = [];
      let request: KeysetRequest = { last: 9 };
      for (;;) {
        // Each parent shares its statement with others, as the loaders batch them.
        const page = (await messages.messagePages([conversationId, ...conversations.filter((c) => c !== conversationId)], request)).get(conversationId)!;
        seen.unshift(...page.rows);
        if (!page.hasPreviousPage) break;
        request = { last: 9, before: position(page.rows[0]!) };
      }
      expect(seen.map((m) => m.id)).toEqual(histories.get(conversationId)!.map((m) => m.id));
    }
  });

  it('names a parent twice or not at all without harm', async () => {
    const [one] = conversations;
    const pages = await t.store.sources.messages.messagePages([one!, 'conv_none', one!], { first: 3 });
    expect(pages.get(one!)).toEqual(expectedPage(one!, { first: 3 }));
    expect(pages.get('conv_none')).toEqual({ rows: [], hasNextPage: false, hasPreviousPage: false });
  });

  it('reads each parent through the (parent, time, id) index, never scanning the table', async () => {
    const { db, sources } = t.store;
    for (const request of [{ first: 20 }, { last: 20, before: { time: 1_780_000_000_000 + 20_000, id: 'hist_' } }] satisfies KeysetRequest[]) {
      t.resetStatements();
      await sources.messages.messagePages(conversations, request);
      const [statement] = t.statements;
      const values = [request.before ? [request.before.time, request.before.id] : [], 21].flat();
      const plan =
        dialect === 'sqlite'
          ? (await db.withoutPlugins().executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${statement}`, [JSON.stringify(conversations), ...values]))).rows.map((r) => r.detail)
          : (await db.withoutPlugins().executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN ${statement}`, [conversations, ...values]))).rows.map((r) => r['QUERY PLAN']);
      // Per parent: a LIMIT over a search of the index by that parent. (Whether PostgreSQL then
      // walks the index in order or sorts a bitmap's rows depends on how many rows it expects.)
      const perParent =
        dialect === 'sqlite'
          ? [/CORRELATED LIST SUBQUERY/, /SEARCH t USING (COVERING )?INDEX messages_by_conversation \(conversation_id=\?/]
          : [/Function Scan on unnest p/, /Limit/, /Index (Scan|Scan Backward|Only Scan) (using|on) messages_by_conversation[^\n]*\n(.*\n)*\s*Index Cond: \(\(?conversation_id = p\.id\)/];
      for (const pattern of perParent) expect(plan.join('\n')).toMatch(pattern);
      expect(plan.join('\n')).not.toMatch(/SCAN (t|r|messages)\b(?! USING)|Seq Scan on messages/);
    }
  });
});
