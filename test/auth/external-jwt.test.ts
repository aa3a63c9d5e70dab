import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { externalJwtVerifier, looksLikeJwt, type ExternalIssuer } from '../../src/auth/external-jwt.js';

const ISSUER = 'https://platform.example';
const AUDIENCE = 'https://gateway.example';
const KID = 'platform-key-1';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('external JWT access tokens', () => {
  let server: Server;
  let signingKey: CryptoKey;
  let issuer: ExternalIssuer;
  let verify: ReturnType<typeof externalJwtVerifier>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    signingKey = privateKey;
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: 'ES256', use: 'sig' }] });
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    });
    issuer = { issuer: ISSUER, jwksUrl: `http://127.0.0.1:${await listen(server)}/jwks`, audience: AUDIENCE };
    verify = externalJwtVerifier(issuer);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  const claims: JWTPayload = { sub: 'alice', client_id: 'photo-app', scope: 'profile:read posts:read', jti: 'tok-1' };

  function sign(payload: JWTPayload = claims, options: { iss?: string; aud?: string; exp?: number | string; key?: CryptoKey } = {}): Promise<string> {
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: KID })
      .setIssuer(options.iss ?? ISSUER)
      .setAudience(options.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '10m')
      .sign(options.key ?? signingKey);
  }

  it('a valid token yields the user, client, scope, token id, expiry and issue time in milliseconds', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const token = await sign(claims, { exp });
    const { iat } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number };
    expect(await verify(token)).toEqual({
      userId: 'alice',
      clientId: 'photo-app',
      scope: 'profile:read posts:read',
      tokenId: 'tok-1',
      expiresAt: exp * 1000,
      issuedAt: iat * 1000,
    });
  });

  it('the client id falls back to azp when client_id is absent', async () => {
    const { client_id: _ignored, ...rest } = claims;
    expect((await verify(await sign({ ...rest, azp: 'notes-app' })))?.clientId).toBe('notes-app');
  });

  it('a token without jti is identified by the SHA-256 of the whole token', async () => {
    const { jti: _ignored, ...rest } = claims;
    const token = await sign(rest);
    expect((await verify(token))?.tokenId).toBe(createHash('sha256').update(token).digest('hex'));
  });

  it('a token whose payload was altered after signing is rejected', async () => {
    const [header, , signature] = (await sign()).split('.');
    const widened = b64url({ ...claims, scope: 'profile:read posts:read messages:read', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 });
    expect(await verify(`${header}.${widened}.${signature}`)).toBeUndefined();
  });

  it('a token signed by another key is rejected', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    expect(await verify(await sign(claims, { key: privateKey }))).toBeUndefined();
  });

  it('a token from another issuer is rejected', async () => {
    expect(await verify(await sign(claims, { iss: 'https://elsewhere.example' }))).toBeUndefined();
  });

  it('a token for another audience is rejected', async () => {
    expect(await verify(await sign(claims, { aud: 'https://other-api.example' }))).toBeUndefined();
  });

  it('an expired token is rejected', async () => {
    expect(await verify(await sign(claims, { exp: Math.floor(Date.now() / 1000) - 60 }))).toBeUndefined();
  });

  it('an unsigned token with alg none is rejected', async () => {
    const payload = { ...claims, iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 };
    expect(await verify(`${b64url({ alg: 'none' })}.${b64url(payload)}.`)).toBeUndefined();
  });

  it('a token signed with HS256 is rejected', async () => {
    const secret = new TextEncoder().encode('a-shared-secret-that-is-long-enough-for-hs256');
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: KID })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('10m')
      .sign(secret);
    expect(await verify(token)).toBeUndefined();
  });

  it('a token without a scope claim is rejected', async () => {
    const { scope: _ignored, ...rest } = claims;
    expect(await verify(await sign(rest))).toBeUndefined();
  });

  it('a JWKS URL on a closed port rejects the token within a few seconds', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = externalJwtVerifier({ ...issuer, jwksUrl: `http://127.0.0.1:${port}/jwks` });
    const started = Date.now();
    expect(await unreachable(await sign())).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('looksLikeJwt accepts a JWS and refuses an opaque token', async () => {
    expect(looksLikeJwt(await sign())).toBe(true);
    expect(looksLikeJwt('abc_DEF-123')).toBe(false);
  });
});
