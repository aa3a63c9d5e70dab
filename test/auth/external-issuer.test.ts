import { ALL_SCOPES, createApp } from '../../src/auth/index.js';
import type { AppStatus } from '../../src/store/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startTestIssuer, type TestIssuer } from '../helpers/jwt-issuer.js';
import { dialects } from '../helpers/stores.js';
import { Subscriber } from '../helpers/subscriber.js';

const QUERY = '{ viewer { posts(first: 1) { edges { cursor } } } grant { id mode app { id } } }';

describe.each(dialects())('JWT access tokens of an external issuer on %s', (dialect) => {
  let issuer: TestIssuer;
  let gw: TestGateway;
  const subscribers: Subscriber[] = [];
  const sign = (claims: Record<string, unknown>) => issuer.sign(claims);
  const register = (clientId: string, status: AppStatus) =>
    createApp(gw.store.db, { clientId, name: clientId, redirectUris: ['https://app.example/callback'], scopes: [...ALL_SCOPES], status });

  beforeAll(async () => {
    issuer = await startTestIssuer();
    gw = await startTestGateway(dialect, issuer.env);
    await register('platform-app', 'APPROVED');
    await register('pending-app', 'PENDING_REVIEW');
    await register('suspended-app', 'SUSPENDED');
  });
  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.close()));
    await gw?.close();
    await issuer?.close();
  });

  it('a valid token reads the granted category, under a grant named after the token', async () => {
    const response = await gw.graphql(QUERY, { token: await sign({ sub: 'alice', jti: 'tok-1' }) });
    expect(response.status).toBe(200);
    expect(response.body.data.viewer.posts.edges).toHaveLength(1);
    expect(response.body.data.grant).toEqual({ id: 'jwt:tok-1', mode: 'ONE_TIME', app: { id: 'platform-app' } });
  });

  it('a tampered token gets 401 invalid_token', async () => {
    const [header, payload, signature] = (await sign({ sub: 'alice' })).split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'bob' })).toString('base64url');
    const response = await gw.graphql(QUERY, { token: `${header}.${forged}.${signature}` });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('a token for a user outside the EEA gets REGION_NOT_ELIGIBLE', async () => {
    const response = await gw.graphql(QUERY, { token: await sign({ sub: 'carol' }) });
    expect(response.status).toBe(403);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('REGION_NOT_ELIGIBLE');
  });

  it('a token whose scope names no portability grant gets 401', async () => {
    const response = await gw.graphql(QUERY, { token: await sign({ sub: 'alice', scope: 'openid email' }) });
    expect(response.status).toBe(401);
  });

  it('the gateway\'s own tokens keep working beside the external ones', async () => {
    const response = await gw.graphql(QUERY, { token: await gw.token('alice', 'portability.posts.single') });
    expect(response.body.data.viewer.posts.edges).toHaveLength(1);
  });

  it('a token whose client_id is no registered app gets 403 APP_NOT_APPROVED and no data', async () => {
    const response = await gw.graphql(QUERY, { token: await sign({ sub: 'alice', client_id: 'unknown-app' }) });
    expect(response.status).toBe(403);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['APP_NOT_APPROVED']);
  });

  it('a token whose azp is an app still PENDING_REVIEW gets 403 APP_NOT_APPROVED', async () => {
    const response = await gw.graphql(QUERY, { token: await sign({ sub: 'alice', client_id: undefined, azp: 'pending-app' }) });
    expect(response.status).toBe(403);
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['APP_NOT_APPROVED']);
  });

  it('a token of a SUSPENDED app keeps APP_SUSPENDED', async () => {
    const response = await gw.graphql(QUERY, { token: await sign({ sub: 'alice', client_id: 'suspended-app' }) });
    expect(response.status).toBe(403);
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['APP_SUSPENDED']);
  });

  it('an unapproved app\'s token opens no stream: 403 APP_NOT_APPROVED over SSE, close 4403 over WebSocket', async () => {
    const token = await sign({ sub: 'alice', client_id: 'pending-app', scope: 'portability.posts.ongoing' });
    const sse = await fetch(`${gw.gateway.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'subscription { changes { cursor } }' }),
    });
    expect(sse.status).toBe(403);
    expect(((await sse.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('APP_NOT_APPROVED');
    const ws = new Subscriber(gw.gateway.url, `Bearer ${token}`, 'subscription { changes { cursor } }');
    subscribers.push(ws);
    await ws.until(() => ws.closed !== undefined);
    expect(ws.closed?.code).toBe(4403);
    expect(ws.events).toEqual([]);
  });
});
