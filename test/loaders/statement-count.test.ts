import { dialects } from '../helpers/stores.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** The example: every level of nesting that could fan out per parent. */
const NESTED = `query Nested($n: Int!) {
  viewer {
    followers(first: $n) { edges { node { username } } }
    conversations(first: $n) {
      edges { node { participants { username } messages(first: $n) { edges { node { sender { username } } } } } }
    }
  }
}`;

const PORTABILITY_PAGE = `query Page($n: Int!) {
  viewer {
    profile { username email }
    posts(first: $n) { edges { node { id caption media { url } } } }
    followers(first: $n) { edges { since node { username displayName } } }
    following(first: $n) { edges { node { username } } }
    activity(first: $n) { edges { node { kind target { ref } } } }
    conversations(first: $n) { edges { node { id participants { username } messages(last: $n) { edges { node { text sender { username } conversation { id } } } } } } }
  }
}`;

describe.each(dialects())('statements per operation on %s', (dialect) => {
  let batched: TestGateway;
  let naive: TestGateway;
  beforeAll(async () => {
    // Page size 100 at every level is the point here, far over what one operation may cost by default.
    const uncapped = { MAX_QUERY_COST: '5000000' };
    [batched, naive] = await Promise.all([startTestGateway(dialect, uncapped), startTestGateway(dialect, { ...uncapped, BATCHING: 'off' })]);
  });
  afterAll(async () => {
    await Promise.all([batched?.close(), naive?.close()]);
  });

  /**
   * The request's own statements: the change log's tailer, the archive worker and webhook delivery
   * poll in the background, and the access log is written in batches after the answer (possibly
   * before the client has read all of it).
   */
  const ownStatements = (gateway: TestGateway) => gateway.statements.filter((sql) => !/from "changes"|into "access_log"|"(archives|webhook_events)"/i.test(sql));

  async function statementsFor(gateway: TestGateway, query: string, n: number): Promise<{ count: number; items: number }> {
    const token = await gateway.token('alice');
    // Earlier requests' access-log rows go out in a batch that could otherwise land in this count.
    await gateway.gateway.flushAccessLog();
    gateway.resetStatements();
    const { status, body } = await gateway.graphql(query, { token, variables: { n } });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    return { count: ownStatements(gateway).length, items: JSON.stringify(body.data).length };
  }

  it.each([
    ['the nested follows and messages query', NESTED],
    ['the portability page', PORTABILITY_PAGE],
  ])('%s runs the same statements at page size 5 and 100', async (_name, query) => {
    const small = await statementsFor(batched, query, 5);
    const large = await statementsFor(batched, query, 100);
    expect(large.items).toBeGreaterThan(small.items * 5);
    expect(large.count).toBe(small.count);
  });

  it('the nested query costs one statement per level of nesting, plus the grant check', async () => {
    // The access log is written in batches, after the answer.
    await statementsFor(batched, NESTED, 100);
    const tables = ownStatements(batched).map((sql) => /(?:from|into) "(\w+)"/i.exec(sql)?.[1]);
    // Statements of one level run concurrently, so their order may vary.
    expect(tables.sort()).toEqual([
      'oidc_payloads', // the access token, new to this gateway
      'grants', // its grant, app and user, in one join
      'follows', // the follower page
      'conversation_participants', // the conversation page
      'users', // the followers
      'conversations',
      'conversation_participants', // each conversation's participants
      'messages', // every conversation's message page, in one statement
      'users', // participants and senders not already loaded
    ].sort());
  });

  it('with batching off, statements grow with the page size', async () => {
    const small = await statementsFor(naive, NESTED, 5);
    const large = await statementsFor(naive, NESTED, 100);
    expect(large.count).toBeGreaterThan(small.count * 5);
  });

  it('with batching off, the data is the same', async () => {
    const token = await batched.token('alice');
    const naiveToken = await naive.token('alice');
    const a = await batched.graphql(PORTABILITY_PAGE, { token, variables: { n: 30 } });
    const b = await naive.graphql(PORTABILITY_PAGE, { token: naiveToken, variables: { n: 30 } });
    // The data, not extensions.cost: each gateway's bucket has had its own traffic.
    expect(b.body.data).toEqual(a.body.data);
    expect(b.body.errors).toEqual(a.body.errors);
  });
});
