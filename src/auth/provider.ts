import type { Kysely } from 'kysely';
import Provider, { errors, type AdapterPayload, type Configuration } from 'oidc-provider';
import type { Database } from '../store/index.js';
import { findApp } from './apps.js';
import { DEMO_APP } from './demo.js';
import { kyselyAdapter } from './oidc-adapter.js';
import { html, page } from './pages/html.js';
import { isEligibleCountry } from './region.js';
import { ALL_SCOPES } from './scopes.js';
import { cookieKeys, signingKeys } from './secrets.js';
import { hashToken } from './tokens.js';

export interface ProviderOptions {
  /** The issuer: `PUBLIC_URL`, exactly. */
  issuer: string;
  /** The resource the access tokens are for: the GraphQL endpoint. */
  resource: string;
  /** Access-token lifetime of a one-time grant: its whole usable window. */
  oneTimeSeconds: number;
  /** How long a recurring grant (and so its refresh tokens) lasts. */
  recurringSeconds: number;
  extraCountries: ReadonlySet<string>;
  /** Redirect URIs the demo app accepts in this process beyond its registered ones: the playground's sign-in. */
  demoRedirectUris?: readonly string[] | undefined;
  /** Trust `X-Forwarded-Proto` and `-For` from the load balancer (`TRUST_PROXY`), so cookies are `Secure` behind TLS offloading. */
  trustProxy?: boolean | undefined;
}

/** Access tokens of a recurring grant live an hour; the app refreshes them. */
const RECURRING_ACCESS_TOKEN_SECONDS = 3600;

/**
 * The authorization server: oidc-provider, certified, on the gateway's store. Authorization code
 * with PKCE (S256, required), refresh tokens for recurring grants only, revocation, introspection
 * and RFC 8414 metadata. Only approved apps are clients; every authorization asks for consent anew.
 */
export async function createProvider(db: Kysely<Database>, options: ProviderOptions): Promise<Provider> {
  const configuration: Configuration = {
    adapter: kyselyAdapter(db, clientFinder(db, options)),
    scopes: [...ALL_SCOPES],
    claims: { openid: ['sub'] },
    cookies: { keys: await cookieKeys(db) },
    jwks: { keys: (await signingKeys(db)) as never },
    pkce: { required: () => true },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    features: features(options),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // An OAuth error the user sees (a bad client or redirect URI): the gateway's own page, no details beyond the RFC's.
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', html`<h1>This request cannot go on</h1><p>${out.error}: ${out.error_description ?? ''}</p><p>Go back to the app and try again.</p>`);
    },
    // Each authorization is its own transfer: consent is asked every time, never carried over.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    // Tokens outlive the browser session that approved them; grants and their revocation govern.
    expiresWithSession: async () => false,
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && [...code.scopes].some((scope) => scope.endsWith('.ongoing')),
    ttl: lifetimes(options),
    // An account outside the region cannot sign in, redeem a code, or refresh.
    async findAccount(_ctx, sub) {
      const user = await db.selectFrom('users').select(['id', 'country']).where('id', '=', sub).executeTakeFirst();
      if (!user || !isEligibleCountry(user.country, options.extraCountries)) return undefined;
      return { accountId: user.id, claims: async () => ({ sub: user.id }) };
    },
  };

  const provider = new Provider(options.issuer, configuration);
  provider.proxy = options.trustProxy ?? false;
  compareHashedSecrets(provider);
  return provider;
}

/** Looks a client up in the app registry: only an approved app is one. */
function clientFinder(db: Kysely<Database>, options: ProviderOptions): (clientId: string) => Promise<AdapterPayload | undefined> {
  return async (clientId) => {
    const app = await findApp(db, clientId);
    if (!app || app.status !== 'APPROVED') return undefined;
    const extraRedirectUris = app.id === DEMO_APP.clientId ? (options.demoRedirectUris ?? []) : [];
    return {
      client_id: app.id,
      client_name: app.name,
      redirect_uris: [...(JSON.parse(app.redirectUris) as string[]), ...extraRedirectUris],
      scope: app.scopes,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...(app.secretHash
        ? { client_secret: app.secretHash, token_endpoint_auth_method: 'client_secret_basic' }
        : { token_endpoint_auth_method: 'none' }),
    };
  };
}

function features(options: ProviderOptions): Configuration['features'] {
  return {
    devInteractions: { enabled: false },
    // An app may introspect its own tokens only.
    introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => options.resource,
      useGrantedResource: () => true,
      getResourceServerInfo(_ctx, resource) {
        if (resource !== options.resource) throw new errors.InvalidTarget();
        return { scope: ALL_SCOPES.join(' '), audience: options.resource, accessTokenFormat: 'opaque' };
      },
    },
  };
}

function lifetimes(options: ProviderOptions): Configuration['ttl'] {
  return {
    AccessToken: (_ctx, token) => (token.scope?.includes('.single') ? options.oneTimeSeconds : RECURRING_ACCESS_TOKEN_SECONDS),
    AuthorizationCode: 60,
    RefreshToken: options.recurringSeconds,
    Grant: options.recurringSeconds,
    Interaction: 3600,
    Session: 24 * 3600,
  };
}

/** Client secrets are stored as SHA-256 digests; compare digests, in constant time. */
function compareHashedSecrets(provider: Provider): void {
  const compare = provider.Client.prototype.compareClientSecret;
  provider.Client.prototype.compareClientSecret = function (this: { clientSecret?: string }, actual: string) {
    return compare.call(this, hashToken(actual));
  };
}
