import { followId } from '../../src/changes/index.js';
import { toGlobalId } from '../../src/graph/index.js';
import { createClient as createSseClient } from 'graphql-sse';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { revokeToken } from '../helpers/oauth.js';
import { Subscriber } from '../helpers/subscriber.js';

const USERS = ['alice', 'bob', 'carol'];
const CATEGORIES = ['profile', 'posts', 'follows', 'activity', 'messages'];
const SAMPLE = 4;

/** Every path into a viewer's data: the profile, each connection (messages included), and the change log. */
const EVERYTHING = `{
  viewer {
    profile { id }
    posts(first: 100) { edges { node { id } } }
    followers(first: 100) { edges { node { id } } }
    following(first: 100) { edges { node { id } } }
    activity(first: 100) { edges { node { id } } }
    conversations(first: 10) { edges { node { id messages(last: 100) { edges { node { id } } } } } }
  }
  changes(first: 100) { edges { node { id node { id } } } }
}`;

/** Every `id` anywhere in a response. */
function idsIn(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) idsIn(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'id' && typeof item === 'string') into.add(item);
      else idsIn(item, into);
    }
  }
  return into;
}

describe('the authorization matrix: no demo user\'s token reads another\'s private data, by any path', () => {
  let gw: TestGateway;
  /** For each ordered pair "viewer>owner", the global ids of the owner's data the viewer has no share in. */
  const privateIds = new Map<string, string[]>();

  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
    const db = gw.store.db;
    // Fresh changes for every user, so the change log has something of each to leak.
    const now = Date.now();
    const events = USERS.map((user, i) => ({
      id: `matrix-${user}`,
      type: 'post.upsert',
      data: { id: `matrix-post-${user}`, authorId: user, caption: `private to ${user}`, visibility: 'PRIVATE', createdAt: new Date(now + i).toISOString() },
    }));
    expect((await gw.ingest(events)).status).toBe(200);
    for (const owner of USERS) {
      const posts = await db.selectFrom('posts').select('id').where('authorId', '=', owner).limit(SAMPLE).execute();
      const activity = await db.selectFrom('activityEvents').select('id').where('userId', '=', owner).limit(SAMPLE).execute();
      for (const viewer of USERS.filter((u) => u !== owner)) {
        const follows = await db
          .selectFrom('follows')
          .select(['followerId', 'followeeId'])
          .where((eb) => eb.or([eb('followerId', '=', owner), eb('followeeId', '=', owner)]))
          .where('followerId', '!=', viewer)
          .where('followeeId', '!=', viewer)
          .limit(SAMPLE)
          .execute();
        const theirs = db.selectFrom('conversationParticipants').select('conversationId').where('userId', '=', viewer);
        const conversations = await db
          .selectFrom('conversationParticipants')
          .select('conversationId')
          .where('userId', '=', owner)
          .where('conversationId', 'not in', theirs)
          .limit(SAMPLE)
          .execute();
        const messages = conversations.length
          ? await db.selectFrom('messages').select('id').where('conversationId', 'in', conversations.map((c) => c.conversationId)).limit(SAMPLE).execute()
          : [];
        privateIds.set(`${viewer}>${owner}`, [
          toGlobalId('Profile', owner),
          toGlobalId('Post', `matrix-post-${owner}`),
          ...posts.map((p) => toGlobalId('Post', p.id)),
          ...activity.map((a) => toGlobalId('ActivityEvent', a.id)),
          ...follows.map((f) => toGlobalId('Follow', followId(f.followerId, f.followeeId))),
          ...conversations.map((c) => toGlobalId('Conversation', c.conversationId)),
          ...messages.map((m) => toGlobalId('Message', m.id)),
        ]);
      }
    }
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('found private data of every user to try', () => {
    for (const ids of privateIds.values()) expect(ids.length).toBeGreaterThan(5);
  });

  it('the same paths do reach the owner\'s data under the owner\'s own token', async () => {
    const token = await gw.token('alice', 'portability.all.ongoing');
    const own = privateIds.get('bob>alice')!;
    const seen = idsIn((await gw.graphql(EVERYTHING, { token })).body.data);
    expect(own.filter((id) => seen.has(id)).length).toBeGreaterThan(0);
    const found = await gw.graphql('query($id: ID!) { node(id: $id) { id } }', { token, variables: { id: own[1] } });
    expect(found.body.data).toEqual({ node: { id: own[1] } });
  });

  const cases = USERS.flatMap((viewer) => CATEGORIES.flatMap((category) => USERS.filter((owner) => owner !== viewer).map((owner) => [viewer, category, owner] as const)));

  it.each(cases)("%s's token for %s reads nothing of %s's private data", async (viewer, category, owner) => {
    const token = await gw.token(viewer, `portability.${category}.ongoing`);
    const secret = new Set(privateIds.get(`${viewer}>${owner}`));
    const everything = await gw.graphql(EVERYTHING, { token });
    expect(everything.status).toBeLessThan(500);
    const seen = idsIn(everything.body.data);
    const ids = [...secret];
    for (let i = 0; i < ids.length; i += 10) {
      const batch = ids.slice(i, i + 10);
      const query = `query(${batch.map((_, j) => `$i${j}: ID!`).join(', ')}) { ${batch.map((_, j) => `n${j}: node(id: $i${j}) { id }`).join(' ')} }`;
      const response = await gw.graphql(query, { token, variables: Object.fromEntries(batch.map((id, j) => [`i${j}`, id])) });
      expect(response.status).toBeLessThan(500);
      for (const value of Object.values(response.body.data ?? {})) expect(value).toBeNull();
    }
    expect([...seen].filter((id) => secret.has(id))).toEqual([]);
  });
});

/** A live subscription over one transport, recording the ids of the changes it receives. */
interface Stream {
  ids: string[];
  ended: () => boolean;
  close(): Promise<void>;
}

const STREAM = 'subscription { changes { id category node { id } } }';

function overWebSocket(gw: TestGateway, token: string): Stream {
  const subscriber = new Subscriber(gw.gateway.url, `Bearer ${token}`, STREAM);
  return {
    get ids() {
      return subscriber.events.map((e) => e.changes.id as string);
    },
    ended: () => subscriber.closed !== undefined,
    close: () => subscriber.close(),
  };
}

function overSse(gw: TestGateway, token: string, singleConnection: boolean): Stream {
  const client = createSseClient({ url: `${gw.gateway.url}/graphql/stream`, headers: { authorization: `Bearer ${token}` }, singleConnection, retryAttempts: 0 });
  const ids: string[] = [];
  let ended = false;
  client.subscribe({ query: STREAM }, { next: (result) => void ids.push((result.data as any).changes.id), error: () => (ended = true), complete: () => (ended = true) });
  return { ids, ended: () => ended, close: async () => client.dispose() };
}

const TRANSPORTS = {
  'graphql-ws': (gw: TestGateway, token: string) => overWebSocket(gw, token),
  'SSE, distinct connections': (gw: TestGateway, token: string) => overSse(gw, token, false),
  'SSE, single connection': (gw: TestGateway, token: string) => overSse(gw, token, true),
};

describe.each(Object.entries(TRANSPORTS).map(([name, open], index) => [name, open, index] as const))('the authorization matrix over %s', (_name, open, index) => {
  let gw: TestGateway;
  let sequence = 0;
  const streams: Stream[] = [];
  /** A private post of alice's and of bob's, and a message between bob and carol. */
  const privateEvents = () => {
    const at = new Date().toISOString();
    const n = `${index}-${++sequence}`;
    return [
      ...['alice', 'bob'].map((user) => ({ id: `matrix-stream-${user}-${n}`, type: 'post.upsert', data: { id: `matrix-stream-post-${user}-${n}`, authorId: user, caption: 'private', visibility: 'PRIVATE', createdAt: at } })),
      { id: `matrix-stream-dm-${n}`, type: 'message.upsert', data: { id: `matrix-stream-msg-${n}`, conversationId: `matrix-stream-conv-${n}`, senderId: 'bob', text: 'secret', sentAt: at, participantIds: ['bob', 'carol'] } },
    ];
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
  });
  afterAll(async () => {
    await Promise.all(streams.map((s) => s.close()));
    await gw?.close();
  });

  it("alice's posts stream carries her own posts only: none of bob's, no message", async () => {
    const stream = open(gw, await gw.token('alice', 'portability.posts.ongoing'));
    streams.push(stream);
    await sleep(500);
    const events = privateEvents();
    expect((await gw.ingest(events)).body.rejected).toBe(0);
    for (let i = 0; i < 100 && stream.ids.length === 0; i++) await sleep(50);
    await sleep(300);
    expect(stream.ids).toEqual([toGlobalId('Post', events[0]!.data.id)]);
  });

  it('after its access token is revoked (RFC 7009), a stream ends and carries nothing more', async () => {
    const token = await gw.token('alice', 'portability.all.ongoing');
    const stream = open(gw, token);
    streams.push(stream);
    await sleep(500);
    expect((await revokeToken(gw.gateway.url, token)).status).toBe(200);
    for (let i = 0; i < 120 && !stream.ended(); i++) await sleep(50);
    expect(stream.ended()).toBe(true);
    expect((await gw.ingest(privateEvents())).body.rejected).toBe(0);
    await sleep(500);
    expect(stream.ids).toEqual([]);
  });
});
