import { readdirSync } from 'node:fs';
import { composeServices } from '@theguild/federation-composition';
import { demoRows, type DemoRows } from '../../src/store/index.js';
import {
  contract, contractDir, entities, entryPoint, expectContractPageSizes, inOrder, iso, itServesItsContract, expectWalks, readList, type ListUnderTest,
} from '../helpers/subgraph-contract.js';
import { SUBGRAPH_NAMES } from '../../examples/subgraphs/subgraph.js';
import { SubgraphProcess, type SubgraphName } from '../helpers/subgraph-process.js';

const TOKEN = 'reference-subgraph-token';

describe('the published subgraph contract', () => {
  const names = readdirSync(contractDir).map((file) => file.replace(/\.graphql$/, ''));

  it('has one file per category', () => {
    expect(names.sort()).toEqual(['activity', 'follows', 'messages', 'posts', 'profile']);
  });

  it.each(['activity', 'follows', 'messages', 'posts', 'profile'])('composes the %s file behind the gateway\'s entry point', (name) => {
    expect(composeServices([entryPoint, { name, typeDefs: contract(name) }]).errors).toBeUndefined();
  });

  it('composes all five categories together, as a platform federating every one', () => {
    const result = composeServices([entryPoint, ...names.map((name) => ({ name, typeDefs: contract(name) }))]);
    expect(result.errors).toBeUndefined();
  });
});

/** The named demo users and 47 others: a page of people, as the gateway's batches see them. */
const FIFTY_USERS = ['alice', 'bob', 'carol', ...Array.from({ length: 47 }, (_, i) => `usr_${String(i + 1).padStart(4, '0')}`)];

describe('the reference subgraphs', () => {
  const subgraphs: Record<SubgraphName, SubgraphProcess> = {} as never;
  let demo: DemoRows;

  beforeAll(async () => {
    const started = await Promise.all(SUBGRAPH_NAMES.map((name) => SubgraphProcess.start(name, { token: TOKEN })));
    SUBGRAPH_NAMES.forEach((name, i) => (subgraphs[name] = started[i]!));
    demo = await demoRows();
  }, 120_000);
  afterAll(() => Promise.all(Object.values(subgraphs).map((subgraph) => subgraph.stop())));
  beforeEach(() => Promise.all(Object.values(subgraphs).map((subgraph) => subgraph.resetCounters())));

  describe.each(SUBGRAPH_NAMES)('the %s subgraph', (name) => {
    itServesItsContract(name, () => subgraphs[name]);
  });

  describe('posts', () => {
    const postFields = 'id authorId caption media { url type durationSeconds } visibility counts { likes comments shares views } createdAt updatedAt';
    const asServed = (row: DemoRows['posts'][number]) => ({
      id: row.id,
      authorId: row.authorId,
      caption: row.caption ?? null,
      media: row.mediaType ? { url: row.mediaUrl, type: row.mediaType, durationSeconds: row.mediaDurationMs == null ? null : row.mediaDurationMs / 1000 } : null,
      visibility: row.visibility,
      counts: { likes: row.likeCount, comments: row.commentCount, shares: row.shareCount, views: row.viewCount },
      createdAt: iso(row.createdAt),
      updatedAt: iso(row.updatedAt),
    });
    const alicesPosts = () => inOrder(demo.posts.filter((post) => post.authorId === 'alice'), (post) => post.createdAt, (post) => post.id);

    it('resolves 50 Post representations, the demo data\'s own, in one SQL statement, null for an unknown id', async () => {
      const rows = demo.posts.slice(100, 149);
      const { body } = await entities(subgraphs.posts, [...rows, { id: 'post_unknown' }].map(({ id }) => ({ __typename: 'Post', id })), `... on Post { ${postFields} }`);
      expect(body.errors).toBeUndefined();
      expect(body.data._entities).toEqual([...rows.map(asServed), null]);
      expect(await subgraphs.posts.counters()).toMatchObject({ requests: 1, statements: 1 });
    });

    const alicesPostList = (): ListUnderTest => ({ subgraph: subgraphs.posts, parent: { __typename: 'User', id: 'alice' }, field: 'posts', node: 'id' });

    it('pages alice\'s posts oldest first, forward with first/after and backward with last/before', async () => {
      const expected = alicesPosts().map((post) => post.id);
      expect(expected).toHaveLength(300);
      await expectWalks(alicesPostList(), 70, expected);
    });

    it('takes page sizes 1 and 1000 and refuses 0, 1001, both first and last, and a cursor it did not issue', async () => {
      await expectContractPageSizes(alicesPostList(), 300);
    });
  });

  describe('messages', () => {
    const messagesOf = (conversationId: string) =>
      inOrder(demo.messages.filter((message) => message.conversationId === conversationId), (message) => message.sentAt, (message) => message.id);
    const participantsOf = (conversationId: string) => demo.participants.filter((p) => p.conversationId === conversationId).map((p) => p.userId).sort();

    it('resolves 50 Message and 10 Conversation representations with one SQL statement per type', async () => {
      const messages = demo.messages.slice(0, 50);
      const conversations = demo.conversations.slice(0, 10);
      const { body } = await entities(subgraphs.messages,
        [...messages.map(({ id }) => ({ __typename: 'Message', id })), ...conversations.map(({ id }) => ({ __typename: 'Conversation', id }))],
        '... on Message { id conversationId senderId text sentAt } ... on Conversation { id participantIds createdAt }');
      expect(body.errors).toBeUndefined();
      expect(body.data._entities.slice(0, 50)).toEqual(messages.map((m) => ({ ...m, sentAt: iso(m.sentAt) })));
      expect(body.data._entities.slice(50).map((c: any) => ({ ...c, participantIds: [...c.participantIds].sort() })))
        .toEqual(conversations.map((c) => ({ id: c.id, participantIds: participantsOf(c.id), createdAt: iso(c.createdAt) })));
      // Messages, conversations, and the conversations' participants.
      expect(await subgraphs.messages.counters()).toMatchObject({ requests: 1, statements: 3 });
    });

    it('pages the conversations of 50 users and their messages in one SQL statement per level', async () => {
      const { body } = await entities(subgraphs.messages, FIFTY_USERS.map((id) => ({ __typename: 'User', id })),
        '... on User { id conversations(first: 50) { edges { node { id messages(first: 3) { edges { node { id } } pageInfo { hasNextPage } } } } } }');
      expect(body.errors).toBeUndefined();
      expect(await subgraphs.messages.counters()).toMatchObject({ requests: 1, statements: 2 });
      const alice = body.data._entities[0].conversations.edges.map((edge: any) => edge.node);
      const joined = inOrder(demo.participants.filter((p) => p.userId === 'alice'), (p) => p.joinedAt, (p) => p.conversationId);
      expect(alice.map((c: any) => c.id)).toEqual(joined.map((p) => p.conversationId));
      for (const conversation of alice) {
        expect(conversation.messages.edges.map((edge: any) => edge.node.id)).toEqual(messagesOf(conversation.id).slice(0, 3).map((m) => m.id));
        expect(conversation.messages.pageInfo.hasNextPage).toBe(messagesOf(conversation.id).length > 3);
      }
    });

    it('pages a conversation\'s messages backward with last/before, then forward again from a cursor', async () => {
      const conversationId = demo.conversations[0]!.id;
      const page = async (args: string) => {
        const { body } = await entities(subgraphs.messages, [{ __typename: 'Conversation', id: conversationId }],
          `... on Conversation { messages(${args}) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage } } }`);
        expect(body.errors).toBeUndefined();
        return body.data._entities[0].messages;
      };
      const expected = messagesOf(conversationId).map((m) => m.id);
      const latest = await page('last: 3');
      expect(latest.edges.map((edge: any) => edge.node.id)).toEqual(expected.slice(-3));
      expect(latest.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
      const earlier = await page(`last: 2, before: "${latest.edges[0].cursor}"`);
      expect(earlier.edges.map((edge: any) => edge.node.id)).toEqual(expected.slice(-5, -3));
      const after = await page(`first: 1000, after: "${earlier.edges[0].cursor}"`);
      expect(after.edges.map((edge: any) => edge.node.id)).toEqual(expected.slice(-4));
      expect(after.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
    });
  });

  describe('profile', () => {
    it('resolves any user: 50 User representations, the demo data\'s own, in one SQL statement, null for an unknown id', async () => {
      const users = demo.users.filter((user) => FIFTY_USERS.includes(user.id));
      const { body } = await entities(subgraphs.profile, [...FIFTY_USERS, 'nobody'].map((id) => ({ __typename: 'User', id })),
        '... on User { id username displayName bio avatarUrl email birthDate country createdAt }');
      expect(body.errors).toBeUndefined();
      expect(body.data._entities).toEqual([
        ...FIFTY_USERS.map((id) => users.find((user) => user.id === id)!).map(({ updatedAt: _, ...user }) => ({
          ...user, bio: user.bio ?? null, avatarUrl: user.avatarUrl ?? null, birthDate: user.birthDate ?? null, createdAt: iso(user.createdAt),
        })),
        null,
      ]);
      expect(await subgraphs.profile.counters()).toMatchObject({ requests: 1, statements: 1 });
    });
  });

  describe('follows', () => {
    const lists = {
      followers: { other: 'followerId', owner: 'followeeId' },
      following: { other: 'followeeId', owner: 'followerId' },
    } as const;
    const listOf = (field: keyof typeof lists): ListUnderTest =>
      ({ subgraph: subgraphs.follows, parent: { __typename: 'User', id: 'alice' }, field, node: `${lists[field].other} ${lists[field].owner} since` });
    /** Alice's follows on either side, in the contract's order: since when, then the other person's id. */
    const alicesFollows = (field: keyof typeof lists) => {
      const { other, owner } = lists[field];
      return inOrder(demo.follows.filter((follow) => follow[owner] === 'alice'), (follow) => follow.createdAt, (follow) => follow[other]);
    };

    it.each(['followers', 'following'] as const)('pages alice\'s %s oldest first, then by the other person, forward and backward', async (field) => {
      const expected = alicesFollows(field);
      expect(expected.length).toBeGreaterThan(100);
      await expectWalks(listOf(field), 70, expected.map((follow) => follow[lists[field].other]));
      const { connection } = await readList(listOf(field), 'first: 1000');
      expect(connection.edges.map((edge: any) => edge.node)).toEqual(expected.map(({ followerId, followeeId, createdAt }) => ({ followerId, followeeId, since: iso(createdAt) })));
    });

    it('pages the followers and the following of 50 users in one SQL statement per list', async () => {
      const { body } = await entities(subgraphs.follows, FIFTY_USERS.map((id) => ({ __typename: 'User', id })),
        '... on User { followers(first: 5) { edges { node { followerId } } } following(last: 5) { edges { node { followeeId } } } }');
      expect(body.errors).toBeUndefined();
      expect(await subgraphs.follows.counters()).toMatchObject({ requests: 1, statements: 2 });
      expect(body.data._entities[0].followers.edges.map((edge: any) => edge.node.followerId)).toEqual(alicesFollows('followers').slice(0, 5).map((f) => f.followerId));
      expect(body.data._entities[0].following.edges.map((edge: any) => edge.node.followeeId)).toEqual(alicesFollows('following').slice(-5).map((f) => f.followeeId));
    });

    it('takes page sizes 1 and 1000 and refuses 0, 1001, both first and last, and a cursor it did not issue', async () => {
      await expectContractPageSizes(listOf('followers'), alicesFollows('followers').length);
    });
  });

  describe('activity', () => {
    const alicesActivity = () => inOrder(demo.events.filter((event) => event.userId === 'alice'), (event) => event.occurredAt, (event) => event.id);
    const alicesList = (): ListUnderTest => ({ subgraph: subgraphs.activity, parent: { __typename: 'User', id: 'alice' }, field: 'activity', node: 'id' });

    it('resolves 50 ActivityEvent representations, the demo data\'s own, in one SQL statement, null for an unknown id', async () => {
      const events = demo.events.slice(400, 450);
      const { body } = await entities(subgraphs.activity, [...events, { id: 'evt_unknown' }].map(({ id }) => ({ __typename: 'ActivityEvent', id })),
        '... on ActivityEvent { id userId kind target { type ref text } occurredAt }');
      expect(body.errors).toBeUndefined();
      expect(body.data._entities).toEqual([
        ...events.map((event) => ({
          id: event.id, userId: event.userId, kind: event.kind,
          target: { type: event.targetType, ref: event.targetRef ?? null, text: event.targetText ?? null }, occurredAt: iso(event.occurredAt),
        })),
        null,
      ]);
      expect(await subgraphs.activity.counters()).toMatchObject({ requests: 1, statements: 1 });
    });

    it('pages alice\'s activity oldest first, forward with first/after and backward with last/before', async () => {
      const expected = alicesActivity().map((event) => event.id);
      expect(expected).toHaveLength(500);
      await expectWalks(alicesList(), 70, expected);
    });

    it('takes page sizes 1 and 1000 and refuses 0, 1001, both first and last, and a cursor it did not issue', async () => {
      await expectContractPageSizes(alicesList(), 500);
    });
  });
});
