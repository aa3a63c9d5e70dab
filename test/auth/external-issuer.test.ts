import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { startTestGateway, upsertProfile, type TestGateway } from '../helpers/gateway.js';
import { dialects } from '../helpers/stores.js';
import { Subscriber } from '../helpers/subscriber.js';

const ISSUER = 'https://login.platform.example';
const QUERY = '{ viewer { posts(first: 1) { edges { cursor } } } grant { id mode app { id } } }';

describe.each(dialects())('JWT access tokens of an external issuer on %s', (dialect) => {
  let jwks: http.Server;
  let privateKey: CryptoKey;
  let gw: TestGateway;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    const body = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] });
    jwks = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
    gw = await startTestGateway(dialect, { JWT_ISSUER: ISSUER, JWT_JWKS_URL: jwksUrl, JWT_AUDIENCE: 'portability-gateway' });
  });
  afterAll(async () => {
    await gw?.close();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  const sign = (claims: Record<string, unknown>) =>
    new SignJWT({ client_id: 'platform-app', scope: 'portability.posts.single', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience('portability-gateway')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);

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

  it('a stream on a token whose user moves out of the EEA is closed with 4403 within 5 s', async () => {
    const token = await sign({ sub: 'bob', jti: 'tok-stream', scope: 'portability.posts.ongoing' });
    const subscriber = new Subscriber(gw.gateway.url, `Bearer ${token}`, 'subscription { changes { cursor } }');
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(subscriber.closed).toBeUndefined();
      const movedAt = Date.now();
      await upsertProfile(gw, 'bob', 'US');
      await subscriber.until(() => subscriber.closed !== undefined, 6000);
      expect(subscriber.closed?.code).toBe(4403);
      expect(Date.now() - movedAt).toBeLessThan(5000);
    } finally {
      await subscriber.close();
    }
  });

  it('a token whose scope names no portability grant gets 401', async () => {
    const response = await gw.graphql(QUERY, { token: await sign({ sub: 'alice', scope: 'openid email' }) });
    expect(response.status).toBe(401);
  });

  it('the gateway\'s own tokens keep working beside the external ones', async () => {
    const response = await gw.graphql(QUERY, { token: await gw.token('alice', 'portability.posts.single') });
    expect(response.body.data.viewer.posts.edges).toHaveLength(1);
  });
});
