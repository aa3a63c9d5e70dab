import { dialects } from '../helpers/stores.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Subscriber } from '../helpers/subscriber.js';
import { SubgraphProcess } from '../helpers/subgraph-process.js';

const CHANGES = `subscription { changes(categories: [POSTS, MESSAGES]) {
  category operation id node { id ... on Post { caption } ... on Message { text } ... on Conversation { participants { username } } }
} }`;

let posts: SubgraphProcess;
let messages: SubgraphProcess;

beforeAll(async () => {
  [posts, messages] = await Promise.all([SubgraphProcess.start('posts', { demo: false }), SubgraphProcess.start('messages', { demo: false })]);
});
afterAll(async () => {
  await Promise.all([posts?.stop(), messages?.stop()]);
});

let sequence = 0;
const at = () => new Date(Date.UTC(2026, 5, 1) + ++sequence * 1000).toISOString();

/** A post in the subgraph's store, and the ids-only event that tells the gateway it changed. */
async function publishPost(gw: TestGateway, caption: string) {
  const id = `fed-post-${++sequence}`;
  const time = at();
  await posts.save([{ __typename: 'Post', id, authorId: 'alice', caption, media: null, visibility: 'PUBLIC', counts: { likes: 0, comments: 0, shares: 0, views: 0 }, createdAt: time, updatedAt: time }]);
  const { body } = await gw.ingest([{ id: `evt-${id}`, type: 'post.upsert', data: { id, authorId: 'alice' } }]);
  expect(body).toMatchObject({ applied: 1 });
  return id;
}

describe.each(dialects())('change streams of categories on their subgraphs, on %s', (dialect) => {
  let gw: TestGateway;
  let subscriber: Subscriber | undefined;
  beforeAll(async () => {
    gw = await startTestGateway(dialect, { SUBGRAPHS: `posts=${posts.url},messages=${messages.url}`, SUBGRAPH_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    await gw?.close();
  });
  afterEach(async () => {
    await subscriber?.close();
    await Promise.all([posts.setFaults({}), messages.setFaults({})]);
  });

  async function subscribe(): Promise<Subscriber> {
    subscriber = new Subscriber(gw.gateway.url, `Bearer ${await gw.token('alice', 'portability.all.ongoing')}`, CHANGES);
    // The subscription starts at the present once the server has it: give it the time to.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return subscriber;
  }

  it('delivers a change ingested by ids alone, with its node read from the subgraph', async () => {
    const stream = await subscribe();
    await publishPost(gw, 'from the platform');
    await stream.until(() => stream.events.length === 1);
    expect(stream.events[0].changes).toMatchObject({ category: 'POSTS', operation: 'UPSERT', node: { caption: 'from the platform' } });
    expect(stream.errors).toEqual([]);
    // The gateway stored nothing of the post.
    expect(await gw.store.db.selectFrom('posts').select('id').where('caption', '=', 'from the platform').execute()).toEqual([]);
  });

  it('starts a conversation with the first message the log has not seen, for every participant', async () => {
    const stream = await subscribe();
    const conversationId = `fed-conversation-${++sequence}`;
    const time = at();
    await messages.save([
      { __typename: 'Conversation', id: conversationId, participantIds: ['alice', 'bob'], createdAt: time },
      { __typename: 'Message', id: `${conversationId}-1`, conversationId, senderId: 'bob', text: 'hello over federation', sentAt: time },
      { __typename: 'Message', id: `${conversationId}-2`, conversationId, senderId: 'alice', text: 'hello back', sentAt: time },
    ]);
    const event = (n: number, senderId: string) => ({ id: `evt-${conversationId}-${n}`, type: 'message.upsert', data: { id: `${conversationId}-${n}`, conversationId, senderId, participantIds: ['alice', 'bob'] } });
    expect((await gw.ingest([event(1, 'bob'), event(2, 'alice')])).body).toMatchObject({ applied: 2 });
    await stream.until(() => stream.events.length === 3);
    expect(stream.events.map((e) => [e.changes.operation, e.changes.node])).toEqual([
      ['UPSERT', expect.objectContaining({ participants: [{ username: 'alice' }, { username: 'bob' }] })],
      ['UPSERT', expect.objectContaining({ text: 'hello over federation' })],
      ['UPSERT', expect.objectContaining({ text: 'hello back' })],
    ]);
  });

  it('holds the changes back while the subgraph fails, then delivers every one, in order, once', async () => {
    const stream = await subscribe();
    await posts.setFaults({ answer: 'http-500' });
    const ids = [await publishPost(gw, 'during the outage 1'), await publishPost(gw, 'during the outage 2')];
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(stream.events).toEqual([]);
    await posts.setFaults({});
    ids.push(await publishPost(gw, 'after the outage'));
    await stream.until(() => stream.events.length >= 3, 40_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stream.events.map((e) => e.changes.node.caption)).toEqual(['during the outage 1', 'during the outage 2', 'after the outage']);
    expect(stream.errors).toEqual([]);
  });

  it('delivers a delete without asking the subgraph anything', async () => {
    const stream = await subscribe();
    const id = await publishPost(gw, 'soon gone');
    await stream.until(() => stream.events.length === 1);
    await posts.setFaults({ answer: 'http-500' });
    await gw.ingest([{ id: `evt-${id}-delete`, type: 'post.delete', data: { id, authorId: 'alice' } }]);
    await stream.until(() => stream.events.length === 2);
    expect(stream.events[1].changes).toMatchObject({ operation: 'DELETE', node: null });
  });

  it('refuses an event of a federated category without the ids that place it, and stores nothing of it', async () => {
    const { body } = await gw.ingest([
      { id: 'evt-no-author', type: 'post.upsert', data: { id: 'orphan', caption: 'who wrote me?' } },
      { id: 'evt-no-participants', type: 'message.upsert', data: { id: 'm-orphan', conversationId: 'c-orphan', senderId: 'bob' } },
      { id: 'evt-unknown-user', type: 'post.upsert', data: { id: 'p-stranger', authorId: 'nobody-at-all' } },
    ]);
    expect(body.results).toEqual([
      expect.objectContaining({ status: 'rejected', error: expect.objectContaining({ code: 'INVALID_EVENT', path: 'data.authorId' }) }),
      expect.objectContaining({ status: 'rejected', error: expect.objectContaining({ code: 'INVALID_EVENT', path: 'data.participantIds' }) }),
      expect.objectContaining({ status: 'rejected', error: expect.objectContaining({ code: 'UNKNOWN_REFERENCE' }) }),
    ]);
    const changed = await gw.store.db.selectFrom('changes').select('entityId').where('entityId', 'in', ['orphan', 'm-orphan', 'p-stranger']).execute();
    expect(changed).toEqual([]);
  });
});
