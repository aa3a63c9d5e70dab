import { createHash } from 'node:crypto';
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type FetchImplementation } from 'jose';

/** An external OAuth issuer whose JWT access tokens the gateway accepts. */
export interface ExternalIssuer {
  issuer: string;
  jwksUrl: string;
  /** The audience every token must name (`JWT_AUDIENCE`): the platform's tokens for its other APIs are not taken. */
  audience: string;
}

/** What a verified external token says. */
export interface ExternalTokenClaims {
  /** The `sub` claim: the user's platform id. */
  userId: string;
  /** The `client_id` claim (RFC 9068), else `azp`. */
  clientId: string;
  /** The `scope` claim, space-separated. */
  scope: string;
  /** `jti`, else a SHA-256 hex of the whole token. */
  tokenId: string;
  /** `exp` in milliseconds. */
  expiresAt: number;
  /** `iat` in milliseconds, else the time of verification. */
  issuedAt: number;
}

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** True when the string has the shape of a JWS compact serialization (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  return JWS_COMPACT.test(token);
}

// Asymmetric only: accepting HS* invites algorithm confusion, where the public key is used as an HMAC secret.
const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

// jose lets a refused connection or DNS failure escape as fetch's plain TypeError; make it a JOSEError
// so an unreachable issuer rejects the token instead of failing the request. Timeouts pass through
// untouched because jose already turns those into JWKSTimeout.
const fetchJwks: FetchImplementation = (url, options) =>
  fetch(url, options).catch((cause: unknown) => {
    if (options.signal.aborted) throw cause;
    throw new errors.JOSEError('the JSON Web Key Set could not be fetched', { cause });
  });

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * Builds a verifier that fetches and caches the issuer's JWKS (jose's createRemoteJWKSet). It resolves to
 * the claims, or to undefined for any token that fails verification for any reason (bad signature,
 * tampered, wrong issuer or audience, expired, not yet valid, alg none or HS*, missing sub/scope/client
 * id, unreachable JWKS). It never throws for a bad token.
 */
export function externalJwtVerifier(issuer: ExternalIssuer): (token: string) => Promise<ExternalTokenClaims | undefined> {
  const keys = createRemoteJWKSet(new URL(issuer.jwksUrl), { [customFetch]: fetchJwks });
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: ALGORITHMS,
        issuer: issuer.issuer,
        audience: issuer.audience,
        requiredClaims: ['exp'],
        clockTolerance: 5,
      });
      const clientId = payload['client_id'] ?? payload['azp'];
      const { sub, exp, jti, iat } = payload;
      const scope = payload['scope'];
      if (!nonEmpty(sub) || !nonEmpty(clientId) || typeof scope !== 'string' || exp === undefined) return undefined;
      return {
        userId: sub,
        clientId,
        scope,
        tokenId: nonEmpty(jti) ? jti : createHash('sha256').update(token).digest('hex'),
        expiresAt: exp * 1000,
        issuedAt: iat === undefined ? Date.now() : iat * 1000,
      };
    } catch (error) {
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  };
}
