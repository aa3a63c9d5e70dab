import { followId } from '../../src/changes/index.js';
import { toGlobalId } from '../../src/graph/index.js';
import { createClient as createSseClient } from 'graphql-sse';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../helpers/gateway.js';
import { revokeToken } from '../helpers/oauth.js';
import { Subscriber } from '../helpers/subscriber.js';

const USERS = ['alice', 'bob', 'carol'];
const CATEGORIES = ['profile', 'posts', 'follows', 'activity', 'messages'];
const SAMPLE = 4;
/** The users whose tokens are served at all: carol's region is refused before any data is read. */
const ELIGIBLE = ['alice', 'bob'];

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

/** Each user's relations to the viewer, as the store holds them. */
async function tiesOf(db: TestGateway['store']['db'], viewer: string) {
  const follows = await db
    .selectFrom('follows')
    .select(['followerId', 'followeeId'])
    .where((eb) => eb.or([eb('followerId', '=', viewer), eb('followeeId', '=', viewer)]))
    .execute();
  const byFollow = new Set(follows.map((f) => (f.followerId === viewer ? f.followeeId : f.followerId)));
  const mine = db.selectFrom('conversationParticipants').select('conversationId').where('userId', '=', viewer);
  const partners = await db.selectFrom('conversationParticipants').select('userId').distinct().where('conversationId', 'in', mine).execute();
  const byMessage = new Set(partners.map((p) => p.userId).filter((u) => u !== viewer));
  const everyone = (await db.selectFrom('users').select('id').orderBy('id').execute()).map((u) => u.id);
  const others = everyone.filter((u) => u !== viewer);
  return {
    onlyFollows: others.filter((u) => byFollow.has(u) && !byMessage.has(u)).slice(0, SAMPLE),
    onlyMessages: others.filter((u) => byMessage.has(u) && !byFollow.has(u)).slice(0, SAMPLE),
    both: others.filter((u) => byFollow.has(u) && byMessage.has(u)).slice(0, SAMPLE),
    neither: others.filter((u) => !byFollow.has(u) && !byMessage.has(u)).slice(0, SAMPLE),
  };
}

/** Asks `node(id:)` for each User id, ten to a request (aliases are capped); the answers by id, and the errors. */
async function probeUsers(gw: TestGateway, token: string, userIds: string[]) {
  const answers = new Map<string, unknown>();
  const errors: NonNullable<GraphQLResponse['body']['errors']> = [];
  for (let i = 0; i < userIds.length; i += 10) {
    const batch = userIds.slice(i, i + 10);
    const query = `query(${batch.map((_, j) => `$i${j}: ID!`).join(', ')}) { ${batch.map((_, j) => `n${j}: node(id: $i${j}) { __typename id }`).join(' ')} }`;
    const response = await gw.graphql(query, { token, variables: Object.fromEntries(batch.map((id, j) => [`i${j}`, toGlobalId('User', id)])) });
    expect(response.status).toBe(200);
    batch.forEach((id, j) => answers.set(id, response.body.data?.[`n${j}`] ?? null));
    errors.push(...(response.body.errors ?? []));
  }
  return { answers, errors };
}

describe('the authorization matrix for Users: node(id:) answers only through a relation in a granted category', () => {
  let gw: TestGateway;
  const ties = new Map<string, Awaited<ReturnType<typeof tiesOf>>>();

  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
    for (const viewer of ELIGIBLE) ties.set(viewer, await tiesOf(gw.store.db, viewer));
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('alice has people tied to her by follows alone, by messages alone, by both and by neither', () => {
    for (const group of Object.values(ties.get('alice')!)) expect(group.length).toBeGreaterThan(0);
  });

  /** Who a grant of these categories reaches as a User: follow partners, conversation partners, the viewer herself. */
  const reachable = (viewer: string, categories: string[]) => {
    const t = ties.get(viewer)!;
    return new Set([
      ...(categories.includes('follows') ? [...t.onlyFollows, ...t.both] : []),
      ...(categories.includes('messages') ? [...t.onlyMessages, ...t.both] : []),
      ...(categories.includes('profile') ? [viewer] : []),
    ]);
  };

  const grants = [['profile'], ['follows'], ['messages'], ['follows', 'messages'], ['profile', 'follows']];
  const cases = ELIGIBLE.flatMap((viewer) => grants.map((categories) => [viewer, categories.join(' ')] as const));

  it.each(cases)("%s's token for %s reaches exactly the Users tied to her in those categories", async (viewer, categories) => {
    const granted = categories.split(' ');
    const token = await gw.token(viewer, granted.map((c) => `portability.${c}.ongoing`).join(' '));
    const t = ties.get(viewer)!;
    const probed = [viewer, ...t.onlyFollows, ...t.onlyMessages, ...t.both, ...t.neither, 'nobody'];
    const { answers, errors } = await probeUsers(gw, token, probed);
    // A User out of reach reads exactly as one that does not exist: null, and no error.
    expect(errors).toEqual([]);
    const expected = reachable(viewer, granted);
    for (const id of probed) {
      expect([id, answers.get(id)]).toEqual([id, expected.has(id) ? { __typename: 'User', id: toGlobalId('User', id) } : null]);
    }
  });

  it.each(ELIGIBLE.flatMap((viewer) => ['posts', 'activity'].map((category) => [viewer, category] as const)))(
    "%s's token for %s is refused every User id alike, whether it exists or not",
    async (viewer, category) => {
      const token = await gw.token(viewer, `portability.${category}.ongoing`);
      const t = ties.get(viewer)!;
      const probed = [viewer, ...t.onlyFollows, ...t.onlyMessages, ...t.neither, 'nobody'];
      const { answers, errors } = await probeUsers(gw, token, probed);
      expect([...answers.values()].every((answer) => answer === null)).toBe(true);
      expect(errors).toHaveLength(probed.length);
      expect(new Set(errors.map((e) => e.extensions?.code))).toEqual(new Set(['INSUFFICIENT_SCOPE']));
      expect(new Set(errors.map((e) => e.message))).toHaveProperty('size', 1);
    },
  );

  it('probing many User ids runs the same statements as probing a few', async () => {
    const token = await gw.token('alice', 'portability.follows.ongoing portability.messages.ongoing');
    const t = ties.get('alice')!;
    const statementsFor = async (userIds: string[]) => {
      await gw.gateway.flushAccessLog();
      gw.resetStatements();
      await probeUsers(gw, token, userIds);
      return gw.statements.filter((sql) => !/from "changes"|into "access_log"|"(archives|webhook_events)"/i.test(sql));
    };
    // The first request also looks the token up; the count is about what comes after.
    await statementsFor(['nobody']);
    const few = await statementsFor([t.onlyFollows[0]!, t.onlyMessages[0]!, t.neither[0]!]);
    const many = await statementsFor([...t.onlyFollows, ...t.onlyMessages, t.neither[0]!, 'nobody']);
    expect(many.length).toBe(few.length);
  });
});
