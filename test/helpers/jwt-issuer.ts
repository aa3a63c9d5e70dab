import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

/** A platform's OAuth issuer for tests: it publishes a JWKS and signs access tokens with its key. */
export interface TestIssuer {
  /** `JWT_ISSUER`, `JWT_JWKS_URL` and `JWT_AUDIENCE` for a gateway that accepts its tokens. */
  env: Record<string, string>;
  /** A token for the gateway's audience, valid five minutes; `claims` override `client_id` and `scope`. */
  sign(claims: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export const TEST_ISSUER = 'https://login.platform.example';
export const TEST_AUDIENCE = 'portability-gateway';

/** Starts a JWKS server on a free loopback port, with a new ES256 key. */
export async function startTestIssuer(defaults: Record<string, unknown> = { client_id: 'platform-app', scope: 'portability.posts.single' }): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const body = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] });
  const jwks = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
  return {
    env: { JWT_ISSUER: TEST_ISSUER, JWT_JWKS_URL: jwksUrl, JWT_AUDIENCE: TEST_AUDIENCE },
    sign: (claims) => signWith(privateKey, { ...defaults, ...claims }),
    close: () => new Promise((resolve) => jwks.close(() => resolve())),
  };
}

function signWith(key: CryptoKey, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(TEST_ISSUER)
    .setAudience(TEST_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);
}
