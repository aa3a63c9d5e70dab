import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { dialects } from '../helpers/stores.js';
import { Subscriber } from '../helpers/subscriber.js';

// Live changes are executed once for every subscription that would get the same answer; these
// pin that each subscription still gets exactly its own answer, its own order and its own log entry.

const SUBSCRIBE = `subscription Changes($after: String, $withCaption: Boolean!) {
  changes(after: $after, categories: [POSTS]) { cursor node { __typename id ... on Post { caption @include(if: $withCaption) } } }
}`;
let sequence = 0;
const post = () => {
  const id = `sr-post-${++sequence}`;
  return { id: `sr-${id}`, type: 'post.upsert', data: { id, authorId: 'alice', caption: id, visibility: 'PUBLIC', createdAt: new Date().toISOString() } };
};
const message = () => {
  const id = `sr-msg-${++sequence}`;
  return { id: `sr-${id}`, type: 'message.upsert', data: { id, conversationId: `sr-conv-${sequence}`, senderId: 'bob', text: 'private', sentAt: new Date().toISOString(), participantIds: ['alice', 'bob'] } };
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const positionOf = (cursor: string) => Number(Buffer.from(cursor, 'base64url').toString().split(':')[1]);

describe.each(dialects())('live changes shared between subscriptions on %s', (dialect) => {
  let gw: TestGateway;
  const subscribers: Subscriber[] = [];
  let after: string;
  const subscribe = (token: string, variables: Record<string, unknown> = {}) => {
    const subscriber = new Subscriber(gw.gateway.url, `Bearer ${token}`, SUBSCRIBE, { after, withCaption: true, ...variables });
    subscribers.push(subscriber);
    return subscriber;
  };
  /** Gives the subscriptions time to go live: what commits next reaches them from the tailer (from the log, were they late). */
  const live = () => sleep(500);

  beforeAll(async () => {
    gw = await startTestGateway(dialect);
  });
  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.close()));
    await gw?.close();
  });

  it('subscriptions of one grant each receive every change of their categories once, in order', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    after = (await gw.graphql('{ changeCursor }', { token })).body.data.changeCursor;
    const group = [subscribe(token), subscribe(token), subscribe(token)];
    await live();
    const sent = [post(), message(), post(), post()];
    await gw.ingest(sent.slice(0, 2));
    await gw.ingest(sent.slice(2));
    for (const subscriber of group) await subscriber.until(() => subscriber.events.length >= 3);
    await sleep(300);
    const captions = group.map((s) => s.events.map((e) => e.changes.node.caption));
    expect(captions).toEqual(group.map(() => [sent[0]!.data.id, sent[2]!.data.id, sent[3]!.data.id]));
    for (const subscriber of group) {
      const positions = subscriber.events.map((e) => positionOf(e.changes.cursor));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(subscriber.errors).toEqual([]);
    }
    await Promise.all(group.map((s) => s.close()));
  });

  it('subscriptions that differ only in their variables each get the answer their own variables ask for', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    after = (await gw.graphql('{ changeCursor }', { token })).body.data.changeCursor;
    const withCaption = subscribe(token, { withCaption: true });
    const without = subscribe(token, { withCaption: false });
    await live();
    const change = post();
    await gw.ingest([change]);
    await withCaption.until(() => withCaption.events.length >= 1);
    await without.until(() => without.events.length >= 1);
    expect(withCaption.events[0].changes.node).toEqual({ __typename: 'Post', id: expect.any(String), caption: change.data.id });
    expect(without.events[0].changes.node).toEqual({ __typename: 'Post', id: expect.any(String) });
    await Promise.all([withCaption.close(), without.close()]);
  });

  it('subscriptions of one grant each write their own access-log entry, with the items each delivered', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    after = (await gw.graphql('{ changeCursor }', { token })).body.data.changeCursor;
    const grantId = (await gw.graphql('{ grant { id } }', { token })).body.data.grant.id;
    const pair = [subscribe(token), subscribe(token)];
    await live();
    await gw.ingest([post(), message(), post()]);
    for (const subscriber of pair) await subscriber.until(() => subscriber.events.length >= 2);
    await Promise.all(pair.map((s) => s.close()));
    const log = () => gw.store.db.selectFrom('accessLog').selectAll().where('grantId', '=', grantId).execute();
    for (let i = 0; i < 50 && (await log()).length < 2; i++) await sleep(100);
    expect(await log()).toEqual([
      expect.objectContaining({ operationName: 'Changes', categories: 'posts', items: 2 }),
      expect.objectContaining({ operationName: 'Changes', categories: 'posts', items: 2 }),
    ]);
  });

  it('revoking the grant ends every subscription that shares its executions', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    after = (await gw.graphql('{ changeCursor }', { token })).body.data.changeCursor;
    const grantId = (await gw.graphql('{ grant { id } }', { token })).body.data.grant.id;
    const pair = [subscribe(token), subscribe(token)];
    await live();
    await gw.ingest([post()]);
    for (const subscriber of pair) await subscriber.until(() => subscriber.events.length >= 1);
    expect(await gw.gateway.authority.revokeGrant(grantId)).toBe(true);
    for (const subscriber of pair) await subscriber.until(() => subscriber.closed !== undefined, 6000);
    expect(pair.map((s) => s.closed?.code)).toEqual([4403, 4403]);
  });
  it('a variable the subscription left out takes its default, a required one included', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    // No variable sent: the stream starts at the log's head.
    const subscriber = new Subscriber(gw.gateway.url, `Bearer ${token}`, 'subscription($withCaption: Boolean! = true) { changes(categories: [POSTS]) { node { ... on Post { caption @include(if: $withCaption) } } } }');
    subscribers.push(subscriber);
    await live();
    const sent = post();
    await gw.ingest([sent]);
    await subscriber.until(() => subscriber.events.length >= 1 || subscriber.errors.length > 0);
    expect(subscriber.errors).toEqual([]);
    expect(subscriber.events.map((e) => e.changes.node.caption)).toEqual([sent.data.id]);
  });
});
