import { GrantWatch, hashToken, type StreamEnd } from '../../src/auth/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { revokeToken } from '../helpers/oauth.js';
import { dialects } from '../helpers/stores.js';
import { Subscriber } from '../helpers/subscriber.js';

const SUBSCRIBE = 'subscription { changes { cursor } }';

describe.each(dialects())('the grant watch on %s', (dialect) => {
  let gw: TestGateway;
  let watch: GrantWatch;
  const subscribers: Subscriber[] = [];
  beforeAll(async () => {
    gw = await startTestGateway(dialect);
    watch = new GrantWatch(gw.store.db, new Set(), (error) => {
      throw error;
    });
  });
  afterAll(async () => {
    watch.close();
    await Promise.all(subscribers.map((s) => s.close()));
    await gw?.close();
  });
  const viewerOf = async (token: string) => (await gw.gateway.authority.authenticate(`Bearer ${token}`))!;
  const ending = (token: string) => {
    const ends: StreamEnd[] = [];
    return viewerOf(token).then((viewer) => ({ ends, unwatch: watch.watch(viewer, (why) => ends.push(why)) }));
  };

  it('ends nothing while the grant and its token hold', async () => {
    const { ends, unwatch } = await ending(await gw.token('alice'));
    await watch.check();
    expect(ends).toEqual([]);
    unwatch();
  });

  it('an access token past its expiry ends its streams as the token\'s, not the grant\'s', async () => {
    const token = await gw.token('alice');
    const viewer = await viewerOf(token);
    const { ends, unwatch } = await ending(token);
    await watch.check(viewer.credential.expiresAt + 1);
    expect(ends).toEqual(['token']);
    unwatch();
  });

  it('a token revoked at the revocation endpoint ends its streams as the token\'s', async () => {
    const token = await gw.token('alice');
    const viewer = await viewerOf(token);
    expect(viewer.credential.tokenHash).toBe(hashToken(token));
    const { ends, unwatch } = await ending(token);
    expect((await revokeToken(gw.gateway.url, token)).status).toBe(200);
    await watch.check();
    expect(ends).toEqual(['token']);
    unwatch();
  });

  it('a revoked grant ends its streams as the grant\'s', async () => {
    const token = await gw.token('alice');
    const { ends, unwatch } = await ending(token);
    expect(await gw.gateway.authority.revokeGrant((await viewerOf(token)).grant.id)).toBe(true);
    await watch.check();
    expect(ends).toEqual(['grant']);
    unwatch();
  });

  it('over WebSockets, a token revoked (RFC 7009) closes the stream within 5 s with 4401', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    const subscriber = new Subscriber(gw.gateway.url, `Bearer ${token}`, SUBSCRIBE);
    subscribers.push(subscriber);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const revokedAt = Date.now();
    expect((await revokeToken(gw.gateway.url, token)).status).toBe(200);
    await subscriber.until(() => subscriber.closed !== undefined, 6000);
    expect(subscriber.closed?.code).toBe(4401);
    expect(Date.now() - revokedAt).toBeLessThan(5000);
  });
});
