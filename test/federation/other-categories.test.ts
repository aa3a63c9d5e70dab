import { followId } from '../../src/changes/index.js';
import { demoRows } from '../../src/store/index.js';
import { toGlobalId } from '../../src/graph/index.js';
import { archiveFiles, jsonLines } from '../helpers/archives.js';
import { SUBGRAPH_TOKEN, walkThrough, withoutCursors, type WalkedList } from '../helpers/federation.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { dialects } from '../helpers/stores.js';
import { SubgraphProcess } from '../helpers/subgraph-process.js';

// Profile, follows and activity on the reference subgraphs (the demo data): the same answers as
// the embedded store, one request per subgraph per level, ownership of what is read by id, and
// the region check on the country ingest keeps.

/** The viewer's profile, both follow lists with the people in them, and activity. */
const OTHERS = `query Others($n: Int!) {
  viewer {
    profile { id username displayName bio avatarUrl email birthDate country createdAt updatedAt }
    followers(first: $n) {
      edges { cursor since node { id username displayName avatarUrl } follow { id since follower { id username } followee { id username } } }
      pageInfo { hasNextPage hasPreviousPage }
    }
    following(first: $n) { edges { cursor since node { id username displayName avatarUrl } } pageInfo { hasNextPage hasPreviousPage } }
    activity(first: $n) { edges { cursor node { id kind target { type ref text } occurredAt } } pageInfo { hasNextPage hasPreviousPage } }
  }
}`;

const FOLLOWERS: WalkedList = {
  query: `query Followers($first: Int, $after: String, $last: Int, $before: String) {
    viewer { followers(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }
  }`,
  connection: (data) => data.viewer.followers,
};

const NODE = `query Node($id: ID!) {
  node(id: $id) { id ... on Follow { since follower { username } followee { username } } ... on User { username displayName avatarUrl } }
}`;

let subgraphs: Record<'profile' | 'follows' | 'activity', SubgraphProcess>;

beforeAll(async () => {
  const [profile, follows, activity] = await Promise.all(
    (['profile', 'follows', 'activity'] as const).map((name) => SubgraphProcess.start(name, { token: SUBGRAPH_TOKEN })),
  );
  subgraphs = { profile: profile!, follows: follows!, activity: activity! };
}, 120_000);
afterAll(async () => {
  await Promise.all(Object.values(subgraphs ?? {}).map((subgraph) => subgraph.stop()));
});

describe.each(dialects())('a gateway with profile, follows and activity on their subgraphs, on %s', (dialect) => {
  let federated: TestGateway;
  let embedded: TestGateway;
  beforeAll(async () => {
    const { profile, follows, activity } = subgraphs;
    [federated, embedded] = await Promise.all([
      // Page size 50 of people with their follows is over what one operation may cost by default.
      startTestGateway(dialect, {
        SUBGRAPHS: `profile=${profile.url},follows=${follows.url},activity=${activity.url}`, SUBGRAPH_TOKEN, SUBGRAPH_TIMEOUT_MS: '5000', MAX_QUERY_COST: '5000000',
      }),
      startTestGateway(dialect, { MAX_QUERY_COST: '5000000' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([federated?.close(), embedded?.close()]);
  });

  const ask = async (gw: TestGateway, n: number) => gw.graphql(OTHERS, { token: await gw.token('alice', 'portability.all.single'), variables: { n } });

  it('answers profile, followers, following and activity exactly as the embedded store does, cursors aside', async () => {
    const [fromSubgraphs, fromStore] = await Promise.all([ask(federated, 20), ask(embedded, 20)]);
    expect(fromSubgraphs.body.errors).toBeUndefined();
    const { viewer } = fromSubgraphs.body.data;
    expect(viewer.profile).toMatchObject({ username: 'alice', country: 'DE' });
    for (const list of [viewer.followers, viewer.following, viewer.activity]) expect(list.edges).toHaveLength(20);
    expect(withoutCursors(fromSubgraphs.body.data)).toEqual(withoutCursors(fromStore.body.data));
  });

  it.each([5, 50])('costs one request per subgraph per level at page size %i', async (n) => {
    const token = await federated.token('alice', 'portability.all.single');
    await Promise.all(Object.values(subgraphs).map((subgraph) => subgraph.resetCounters()));
    const { body } = await federated.graphql(OTHERS, { token, variables: { n } });
    expect(body.errors).toBeUndefined();
    expect(body.data.viewer.followers.edges).toHaveLength(n);
    const requests = Object.fromEntries(
      await Promise.all(Object.entries(subgraphs).map(async ([name, subgraph]) => [name, (await subgraph.counters()).requests] as const)),
    );
    // Profile: the viewer's own, then every person on both lists and in their follows, all in one request.
    expect(requests).toEqual({ profile: 2, follows: 1, activity: 1 });
  });

  it("pages forwards and backwards through alice's followers as the embedded store does", async () => {
    const walk = async (gw: TestGateway, direction: 'forward' | 'backward') => walkThrough(gw, await gw.token('alice', 'portability.follows.single'), FOLLOWERS, direction);
    const expected = await walk(embedded, 'forward');
    expect(expected).toHaveLength(250);
    expect(await walk(federated, 'forward')).toEqual(expected);
    expect((await walk(federated, 'backward')).reverse()).toEqual(expected);
  });

  it("reads one of alice's follows, and a person tied to her by one, by node id; another user gets null for both", async () => {
    const { follows } = await demoRows();
    const tiedTo = (userId: string) => new Set(follows.flatMap((f) => (f.followerId === userId ? [f.followeeId] : f.followeeId === userId ? [f.followerId] : [])));
    // One of alice's followers whom bob neither follows nor is followed by.
    const [bobs, alices] = [tiedTo('bob'), follows.filter((f) => f.followeeId === 'alice')];
    const { followerId } = alices.find((f) => f.followerId !== 'bob' && !bobs.has(f.followerId))!;
    const ids = [toGlobalId('Follow', followId(followerId, 'alice')), toGlobalId('User', followerId)];

    for (const id of ids) {
      const read = async (gw: TestGateway, user: string) => gw.graphql(NODE, { token: await gw.token(user, 'portability.follows.single'), variables: { id } });
      const [fromSubgraphs, fromStore] = await Promise.all([read(federated, 'alice'), read(embedded, 'alice')]);
      expect(fromSubgraphs.body.errors).toBeUndefined();
      expect(fromSubgraphs.body.data.node).toMatchObject({ id });
      expect(fromSubgraphs.body.data).toEqual(fromStore.body.data);
      const foreign = await read(federated, 'bob');
      expect(foreign.body.data).toEqual({ node: null });
      expect(foreign.body.errors).toBeUndefined();
    }
  });

  it('archives profile, follows and activity with the same files as the embedded store', async () => {
    const categories = ['PROFILE', 'FOLLOWS', 'ACTIVITY'];
    const [fromSubgraphs, fromStore] = await Promise.all([archiveFiles(federated, categories), archiveFiles(embedded, categories)]);
    expect(JSON.parse(fromSubgraphs.get('profile.json')!.toString())).toEqual(JSON.parse(fromStore.get('profile.json')!.toString()));
    for (const name of ['followers.jsonl', 'following.jsonl', 'activity.jsonl']) {
      expect(jsonLines(fromSubgraphs.get(name)).length).toBeGreaterThan(100);
      expect(jsonLines(fromSubgraphs.get(name))).toEqual(jsonLines(fromStore.get(name)));
    }
    const manifest = (entries: Map<string, Buffer>) => JSON.parse(entries.get('manifest.json')!.toString()).files;
    expect(manifest(fromSubgraphs)).toEqual(manifest(fromStore));
  });

  // Last: it moves alice out of the region on this gateway's store.
  it("refuses alice's next request with REGION_NOT_ELIGIBLE once ingest moves her out of the region, whatever her profile subgraph says", async () => {
    const token = await federated.token('alice', 'portability.all.single');
    expect((await federated.graphql(OTHERS, { token, variables: { n: 1 } })).body.errors).toBeUndefined();
    const { status, body } = await federated.ingest([{ id: 'alice-moves', type: 'profile.upsert', data: { userId: 'alice', username: 'alice', country: 'US' } }]);
    expect([status, body.applied]).toEqual([200, 1]);
    const refused = await federated.graphql(OTHERS, { token, variables: { n: 1 } });
    expect(refused.body.data ?? null).toBeNull();
    expect(refused.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'REGION_NOT_ELIGIBLE' }) })]);
    const { body: served } = await subgraphs.profile.graphql('{ _entities(representations: [{ __typename: "User", id: "alice" }]) { ... on User { country } } }');
    expect(served.data._entities).toEqual([{ country: 'DE' }]);
  });
});
