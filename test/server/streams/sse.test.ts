import { createClient } from 'graphql-sse';
import { EventStreamReader } from '../../helpers/event-stream.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { revokeToken } from '../../helpers/oauth.js';
import { dialects } from '../../helpers/stores.js';

const SUBSCRIBE = 'subscription { changes { cursor id node { id ... on Post { caption } } } }';
const TOKEN_HEADER = 'x-graphql-event-stream-token';
let sequence = 0;
const post = () => {
  const id = `sse-post-${++sequence}`;
  return { id: `e-${id}`, type: 'post.upsert', data: { id, authorId: 'alice', caption: id, visibility: 'PUBLIC', createdAt: new Date().toISOString() } };
};

describe.each(dialects())('SSE in single-connection mode on %s', (dialect) => {
  let gw: TestGateway;
  let url: string;
  const open: EventStreamReader[] = [];
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const reserve = (token?: string) => fetch(url, { method: 'PUT', headers: token ? auth(token) : {} });
  const connect = async (token: string, stream: string) => {
    const response = await fetch(url, { headers: { ...auth(token), accept: 'text/event-stream', [TOKEN_HEADER]: stream } });
    if (response.status === 200) open.push(new EventStreamReader(response));
    return response;
  };
  const send = (token: string, stream: string, operationId: string, query = SUBSCRIBE) =>
    fetch(url, {
      method: 'POST',
      headers: { ...auth(token), 'content-type': 'application/json', [TOKEN_HEADER]: stream },
      body: JSON.stringify({ query, extensions: { operationId } }),
    });
  const grantOf = async (token: string) => (await gw.graphql('{ grant { id } }', { token })).body.data.grant.id as string;

  beforeAll(async () => {
    gw = await startTestGateway(dialect, { MAX_SUBSCRIPTIONS_PER_GRANT: '2' });
    url = `${gw.gateway.url}/graphql/stream`;
  });
  afterAll(async () => {
    await Promise.all(open.map((reader) => reader.cancel()));
    await gw?.close();
  });

  it("graphql-sse's own client streams changes, and revoking the grant ends its stream within 5 s", async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    const client = createClient({ url, headers: auth(token), singleConnection: true, retryAttempts: 0 });
    const received: string[] = [];
    let ended: number | undefined;
    client.subscribe(
      { query: SUBSCRIBE },
      { next: (result) => void received.push((result.data as any).changes.node.caption), error: () => (ended = Date.now()), complete: () => (ended = Date.now()) },
    );
    const first = post();
    for (let i = 0; i < 50 && received.length === 0; i++) {
      if (i % 10 === 0) await gw.ingest([{ ...first, id: `${first.id}-${i}` }]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(received[0]).toBe(first.data.id);
    const revokedAt = Date.now();
    expect(await gw.gateway.authority.revokeGrant(await grantOf(token))).toBe(true);
    while (ended === undefined && Date.now() - revokedAt < 6000) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ended! - revokedAt).toBeLessThan(5000);
    const seen = received.length;
    await gw.ingest([post()]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(received).toHaveLength(seen);
    client.dispose();
  });

  it('a reservation needs the bearer token', async () => {
    const response = await reserve();
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it("another grant's token can neither open a reservation nor post to it", async () => {
    const owner = await gw.token('alice', 'portability.posts.ongoing');
    const other = await gw.token('alice', 'portability.posts.ongoing');
    const stream = await (await reserve(owner)).text();
    expect((await connect(other, stream)).status).toBe(404);
    expect((await send(other, stream, 'a')).status).toBe(404);
    expect((await connect(owner, stream)).status).toBe(200);
    expect((await send(other, stream, 'b')).status).toBe(404);
    expect((await send(owner, stream, 'c')).status).toBe(202);
  });

  it('operations posted to a reservation before its stream opens are refused', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    const stream = await (await reserve(token)).text();
    expect((await send(token, stream, 'early')).status).toBe(409);
  });

  it('every subscription on a reserved stream counts against MAX_SUBSCRIPTIONS_PER_GRANT', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    const stream = await (await reserve(token)).text();
    expect((await connect(token, stream)).status).toBe(200);
    const reader = open.at(-1)!;
    expect((await send(token, stream, 'one')).status).toBe(202);
    expect((await send(token, stream, 'two')).status).toBe(202);
    const third = await send(token, stream, 'three');
    expect(third.status).toBe(429);
    expect(((await third.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
    // Ending the stream gives the slots back.
    await reader.cancel();
    const again = await (await reserve(token)).text();
    expect((await connect(token, again)).status).toBe(200);
    let status = 0;
    for (let i = 0; i < 40 && status !== 202; i++) {
      status = (await send(token, again, `retry-${i}`)).status;
      if (status !== 202) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(202);
  });

  it('a grant holds at most five reservations', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    for (let i = 0; i < 5; i++) expect((await reserve(token)).status).toBe(201);
    const sixth = await reserve(token);
    expect(sixth.status).toBe(429);
    expect(((await sixth.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('revoking the access token (RFC 7009) ends a stream within 5 s, in both modes', async () => {
    const reserved = await gw.token('alice', 'portability.posts.ongoing');
    const stream = await (await reserve(reserved)).text();
    await connect(reserved, stream);
    const single = open.at(-1)!;
    expect((await send(reserved, stream, 'watched')).status).toBe(202);
    const distinctToken = await gw.token('alice', 'portability.posts.ongoing');
    const distinct = new EventStreamReader(
      await fetch(url, { method: 'POST', headers: { ...auth(distinctToken), accept: 'text/event-stream', 'content-type': 'application/json' }, body: JSON.stringify({ query: SUBSCRIBE }) }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const revokedAt = Date.now();
    expect((await revokeToken(gw.gateway.url, reserved)).status).toBe(200);
    expect((await revokeToken(gw.gateway.url, distinctToken)).status).toBe(200);
    await single.until(() => single.ended, 6000);
    await distinct.until(() => distinct.ended, 6000);
    expect(Date.now() - revokedAt).toBeLessThan(5000);
  });
});
