import type { Kysely } from 'kysely';
import type { default as Provider, ResourceServer as ResourceServerInfo } from 'oidc-provider';
import { ErrorCode, gatewayError, httpStatusOf, unauthenticated } from '../errors/index.js';
import type { GraphQLError } from 'graphql';
import { storedCategories, type Viewer } from '../graph/index.js';
import type { Database, StandingVersion } from '../store/index.js';
import { readExternalRequest, recordExternalUse, type ExternalRequestState } from './external-access.js';
import { externalJwtVerifier, looksLikeJwt, type ExternalIssuer, type ExternalTokenClaims } from './external-jwt.js';
import { createGrant, readGrantStanding, revokeGrant, type GrantStanding } from './grants.js';
import { createProvider } from './provider.js';
import { isEligibleCountry } from './region.js';
import { ALL_SCOPES, expandScopes, grantRequest, scopesFor } from './scopes.js';
import { STANDING_CACHE_MS, StandingCache } from './standing-cache.js';
import { TokenCache, type TokenClaims } from './token-cache.js';
import { hashToken } from './tokens.js';

/**
 * How long a looked-up access token is trusted without reading it again. It bounds how long a
 * token revoked on another instance (RFC 7009) still passes here; grants, and so grant
 * revocation, are checked on every request (from memory only while the store vouches for it).
 */
export const TOKEN_CACHE_MS = 2000;

export interface AuthorityOptions {
  /** `PUBLIC_URL`: the OAuth issuer, exactly. */
  issuer: string;
  oneTimeSeconds: number;
  recurringSeconds: number;
  extraCountries: ReadonlySet<string>;
  /** An external issuer whose JWT access tokens are accepted beside the gateway's own. */
  externalIssuer?: ExternalIssuer | undefined;
  /** Redirect URIs the demo app accepts in this process beyond its registered ones: the playground's sign-in. */
  demoRedirectUris?: readonly string[] | undefined;
  /** Reports a failure of work no request waits for (recording a revocation oidc-provider made on its own). */
  onError?: ((error: unknown) => void) | undefined;
  /** Trust the load balancer's `X-Forwarded-*` headers (`TRUST_PROXY`). */
  trustProxy?: boolean | undefined;
  /** The store's word on whether grants, apps or users changed; without it they are read on every request. */
  standing?: StandingVersion | undefined;
}

/** Refusals that say the grant itself has ended (an app must stop), not just the access token. */
const grantEndings = new WeakSet<GraphQLError>();

/**
 * Whether an error from {@link Authority.authenticate} says the grant no longer holds (revoked,
 * expired, its app suspended or not approved, its user out of the region): the app must stop. Any
 * other refusal is about the token, which the app can refresh.
 */
export function endsGrant(error: unknown): boolean {
  return grantEndings.has(error as GraphQLError);
}

function grantEnded(error: GraphQLError): GraphQLError {
  grantEndings.add(error);
  return error;
}

/** The gateway's authorization side: the OAuth server, and bearer token → viewer for every request. */
export interface Authority {
  provider: Provider;
  /** The resource access tokens are issued for: `<issuer>/graphql`. */
  resource: string;
  /**
   * The viewer an `Authorization` header speaks for; undefined without one. A token that is not
   * live, or whose grant is revoked or expired, gets 401; a suspended app `APP_SUSPENDED`; a
   * user outside the region `REGION_NOT_ELIGIBLE`; an external token of an app that is not
   * approved `APP_NOT_APPROVED`, and one whose external access the user revoked 401. The grant
   * (or external access), its app and its user are checked on every request, read from memory
   * only while the store vouches nothing about them changed ({@link StandingCache}): revoking,
   * suspending an app or a user's move out of the region holds at once on the instance that made
   * the change and within a second on every other. The token itself is remembered for
   * {@link TOKEN_CACHE_MS}: a token revoked on this instance fails at once, one revoked on another
   * within that time.
   */
  authenticate(authorization: string | undefined): Promise<Viewer | undefined>;
  /** Grants app `appId` the scopes for the user, as a consent would, and mints an access token (the CLI). */
  issueToken(userId: string, appId: string, scope: string): Promise<string>;
  /** Ends a grant and its tokens; with `userId`, only that user's grant. */
  revokeGrant(grantId: string, userId?: string): Promise<boolean>;
}

/** What the authority's steps share: the store, the OAuth server, and what they remember of tokens, grants and external access. */
interface AuthorityParts {
  db: Kysely<Database>;
  provider: Provider;
  resource: string;
  tokens: TokenCache;
  grants: StandingCache<GrantStanding>;
  /** Keyed by `<userId> <appId>`. */
  external: StandingCache<ExternalRequestState>;
  options: AuthorityOptions;
}

/** Starts the authorization server on the store and returns the {@link Authority} over it. */
export async function createAuthority(db: Kysely<Database>, options: AuthorityOptions): Promise<Authority> {
  const resource = `${options.issuer}/graphql`;
  const provider = await createProvider(db, { ...options, resource });
  const verifyExternal = options.externalIssuer ? externalJwtVerifier(options.externalIssuer) : undefined;
  const tokens = new TokenCache({ ttlMs: TOKEN_CACHE_MS, max: 10_000 });
  const remembered = { max: 10_000, ttlMs: STANDING_CACHE_MS };
  const grants = new StandingCache<GrantStanding>(options.standing, remembered);
  const external = new StandingCache<ExternalRequestState>(options.standing, remembered);
  const parts: AuthorityParts = { db, provider, resource, tokens, grants, external, options };
  followProviderRevocations(parts);
  return {
    provider,
    resource,
    async authenticate(authorization) {
      const token = bearerToken(authorization);
      if (token === undefined) return undefined;
      if (verifyExternal && looksLikeJwt(token)) {
        const claims = await verifyExternal(token);
        if (!claims) throw unauthenticated('The access token is invalid, expired or revoked.', true);
        return fromExternalToken(parts, claims);
      }
      return fromOwnToken(parts, token);
    },
    issueToken: (userId, appId, scope) => issueToken(parts, userId, appId, scope),
    async revokeGrant(grantId, userId) {
      const revoked = await revokeGrant(db, provider, grantId, userId);
      if (revoked) tokens.forgetGrant(grantId);
      return revoked;
    },
  };
}

/** Keeps the token cache and the gateway's grants in step with what oidc-provider ends on its own. */
function followProviderRevocations({ db, provider, tokens, options }: AuthorityParts): void {
  provider.on('access_token.destroyed', (token: { jti: string }) => tokens.forgetToken(token.jti));
  // oidc-provider revokes a grant on its own when a refresh token is revoked or reused, or a code
  // replayed: the gateway's grant row follows, so the account page, streams and archive links do too.
  provider.on('grant.revoked', (_ctx: unknown, grantId: string) => {
    tokens.forgetGrant(grantId);
    revokeGrant(db, provider, grantId).catch((error: unknown) => options.onError?.(error));
  });
}

/** The token of an `Authorization: Bearer` header; undefined without a header, `UNAUTHENTICATED` for any other kind. */
function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined || authorization === '') return undefined;
  const match = /^Bearer ([\x21-\x7e]+)$/i.exec(authorization.trim());
  if (!match) throw unauthenticated('The Authorization header must be `Bearer <token>`.', true);
  return match[1]!;
}

function refuse(code: ErrorCode, message: string): GraphQLError {
  return grantEnded(gatewayError(code, message, { http: { status: httpStatusOf(code) } }));
}

/** Whatever the token: a suspended app gets `APP_SUSPENDED`, a user outside the region `REGION_NOT_ELIGIBLE`. */
function assertServed(options: AuthorityOptions, appStatus: string | undefined, country: string): void {
  if (appStatus === 'SUSPENDED') throw refuse(ErrorCode.AppSuspended, 'This app is suspended.');
  if (!isEligibleCountry(country, options.extraCountries)) {
    throw refuse(ErrorCode.RegionNotEligible, 'Data portability is offered to users in the EEA only.');
  }
}

/** The live access token's claims, from the cache or the store; `UNAUTHENTICATED` otherwise. */
async function claimsOf({ provider, resource, tokens }: AuthorityParts, token: string): Promise<TokenClaims> {
  const cached = tokens.get(token);
  if (cached) return cached;
  const accessToken = await provider.AccessToken.find(token);
  if (!accessToken || accessToken.aud !== resource || !accessToken.grantId || !accessToken.accountId || !accessToken.exp) {
    throw unauthenticated('The access token is invalid, expired or revoked.', true);
  }
  const claims: TokenClaims = {
    userId: accessToken.accountId,
    appId: accessToken.clientId!,
    grantId: accessToken.grantId,
    scopes: expandScopes(accessToken.scope ?? ''),
    expiresAt: accessToken.exp * 1000,
  };
  tokens.set(token, claims);
  return claims;
}

async function fromOwnToken(parts: AuthorityParts, token: string): Promise<Viewer> {
  const claims = await claimsOf(parts, token);
  const grant = await parts.grants.get(claims.grantId, () => readGrantStanding(parts.db, claims.grantId));
  if (!grant || grant.revokedAt !== null || grant.expiresAt <= Date.now()) {
    throw grantEnded(unauthenticated('The grant behind this access token was revoked or has expired.', true));
  }
  assertServed(parts.options, grant.status, grant.country);
  return {
    userId: claims.userId,
    appId: claims.appId,
    grant: { id: claims.grantId, mode: grant.mode, appName: grant.name, createdAt: grant.createdAt, expiresAt: grant.expiresAt },
    // The token's scope names what was asked (`portability.all.<mode>` covers all five); the
    // grant names what the user ticked. The viewer holds what both allow.
    scopes: new Set(scopesFor(storedCategories(grant.categories), grant.mode).filter((scope) => claims.scopes.has(scope))),
    credential: { expiresAt: claims.expiresAt, tokenHash: hashToken(token) },
  };
}

/**
 * An external issuer's token is served only for an `APPROVED` app (it skipped no review), and
 * not once the user revoked that app's external access on the account page. One read per
 * request unless remembered; the access record is written on first use and then about once a
 * minute at most per instance.
 */
async function fromExternalToken({ db, external, options }: AuthorityParts, claims: ExternalTokenClaims): Promise<Viewer> {
  const request = grantRequest(claims.scope);
  if (!request) throw unauthenticated('The token\'s scope names no portability grant.', true);
  const key = `${claims.userId} ${claims.clientId}`;
  const state = await external.get(key, () => readExternalRequest(db, claims.userId, claims.clientId));
  if (!state) throw unauthenticated('The token\'s subject is not a user of this platform.', true);
  if (state.access && state.access.revokedAt !== null) throw unauthenticated('The user revoked this app\'s access.', true);
  if (state.appStatus !== 'APPROVED' && state.appStatus !== 'SUSPENDED') {
    throw refuse(ErrorCode.AppNotApproved, 'This app is not approved for data portability.');
  }
  assertServed(options, state.appStatus, state.country);
  const recorded = await recordExternalUse(db, { userId: claims.userId, appId: claims.clientId }, request, state.access);
  if (recorded) external.amend(key, (remembered) => (remembered.access ? { ...remembered, access: { ...remembered.access, ...recorded } } : remembered));
  return {
    userId: claims.userId,
    appId: claims.clientId,
    // The external issuer's token is the grant: it lasts as long as the token does.
    grant: {
      id: `jwt:${claims.tokenId}`,
      mode: request.mode,
      appName: state.appName ?? claims.clientId,
      createdAt: claims.issuedAt,
      expiresAt: claims.expiresAt,
    },
    scopes: expandScopes(claims.scope),
    credential: { expiresAt: claims.expiresAt, tokenHash: undefined },
  };
}

/** {@link Authority.issueToken}: a grant as a consent would make it, and an access token under it. */
async function issueToken({ db, provider, resource, options }: AuthorityParts, userId: string, appId: string, scope: string): Promise<string> {
  const request = grantRequest(scope);
  if (!request) throw new Error(`"${scope}" is not a grant: name portability scopes of one mode`);
  const client = await provider.Client.find(appId);
  if (!client) throw new Error(`app ${appId} is not registered and approved`);
  const lifetimeMs = (request.mode === 'single' ? options.oneTimeSeconds : options.recurringSeconds) * 1000;
  const grantId = await createGrant(db, provider, resource, { userId, appId, ...request, lifetimeMs });
  const token = new provider.AccessToken({
    accountId: userId,
    client,
    grantId,
    gty: 'authorization_code',
    scope: scopesFor(request.categories, request.mode).join(' '),
  });
  // The constructor exists at run time but is missing from @types/oidc-provider 8.
  const { ResourceServer } = provider as unknown as { ResourceServer: new (id: string, info: object) => ResourceServerInfo };
  token.resourceServer = new ResourceServer(resource, { scope: ALL_SCOPES.join(' '), audience: resource, accessTokenFormat: 'opaque' });
  return token.save();
}
