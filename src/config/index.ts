import { z } from 'zod';

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const onOff = z.enum(['on', 'off']).transform((v) => v === 'on');
const CATEGORY_NAMES = ['profile', 'posts', 'follows', 'activity', 'messages'] as const;

/** `SUBGRAPHS`: `category=url` pairs, comma-separated; each category at most once, each URL http(s). */
const subgraphList = z.string().transform((value, ctx) => {
  const subgraphs: SubgraphSetting[] = [];
  for (const pair of value.split(',').map((p) => p.trim())) {
    const [category = '', url = ''] = pair.split(/=(.*)/s).map((part) => part.trim());
    const problem = !(CATEGORY_NAMES as readonly string[]).includes(category)
      ? `"${category}" is not a category (${CATEGORY_NAMES.join(', ')})`
      : subgraphs.some((s) => s.category === category)
        ? `${category} is named twice`
        : !z.url({ protocol: /^https?$/ }).safeParse(url).success
          ? `${category}'s URL "${url}" is not an http(s) URL`
          : undefined;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: `${problem}; write category=url pairs separated by commas, e.g. posts=http://posts.internal:4001/graphql` });
      return z.NEVER;
    }
    subgraphs.push({ category: category as SubgraphSetting['category'], url });
  }
  return subgraphs;
});

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  DEMO_DATA: flag.optional(),
  INGEST_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  RATE_LIMITS: onOff.default(true),
  TRUST_PROXY: onOff.default(false),
  BATCHING: onOff.default(true),
  ONE_TIME_GRANT_HOURS: z.coerce.number().positive().default(24),
  RECURRING_GRANT_DAYS: z.coerce.number().positive().default(180),
  CHANGE_RETENTION_DAYS: z.coerce.number().positive().default(90),
  JWT_ISSUER: z.url().optional(),
  JWT_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  EXTRA_ELIGIBLE_COUNTRIES: z
    .string()
    .regex(/^[A-Z]{2}(,[A-Z]{2})*$/, 'must be ISO 3166-1 alpha-2 codes separated by commas, e.g. GB,CH')
    .optional(),
  PLAYGROUND: onOff.optional(),
  INTROSPECTION: onOff.optional(),
  REDIS_KEY_PREFIX: z.string().min(1).default('portability:'),
  MAX_QUERY_COST: z.coerce.number().int().positive().default(2000),
  MAX_QUERY_DEPTH: z.coerce.number().int().positive().default(12),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(20),
  RATE_LIMIT_USER_POINTS: z.coerce.number().int().positive().default(4000),
  RATE_LIMIT_APP_POINTS: z.coerce.number().int().positive().default(100_000),
  RATE_LIMIT_ANONYMOUS_REQUESTS: z.coerce.number().int().positive().default(300),
  RATE_LIMIT_SIGN_IN_FAILURES: z.coerce.number().int().positive().default(10),
  RATE_LIMIT_SIGN_IN_FAILURES_PER_ADDRESS: z.coerce.number().int().positive().default(100),
  MAX_SUBSCRIPTIONS_PER_GRANT: z.coerce.number().int().positive().default(10),
  EXECUTION_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  ARCHIVE_LIFETIME_HOURS: z.coerce.number().positive().default(96),
  ARCHIVE_INTERVAL_HOURS: z.coerce.number().positive().default(24),
  WEBHOOK_BACKOFF_SECONDS: z.coerce.number().positive().default(30),
  SUBGRAPHS: subgraphList.optional(),
  SUBGRAPH_TOKEN: z.string().min(1).optional(),
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().max(120_000).default(5000),
});

/** The gateway's settings, read from the environment once at start. */
export interface Config {
  /** `production` turns off introspection, stack traces and development helpers. @default 'development' */
  nodeEnv: 'development' | 'production' | 'test';
  /** HTTP and WebSocket port; 0 picks a free one. @default 4000 */
  port: number;
  /** Base URL the gateway is reached at, and the OAuth issuer exactly. @default `http://localhost:$PORT`, with the port it listens on */
  publicUrl: string | undefined;
  /** Where the embedded store and archive files live. @default './data' */
  dataDir: string;
  /** `postgres://…` switches the store to PostgreSQL. */
  databaseUrl: string | undefined;
  /** Shared rate-limit state across instances. */
  redisUrl: string | undefined;
  /** What every Redis key of this gateway starts with, so gateways (or test runs) can share one Redis. @default 'portability:' */
  redisKeyPrefix: string;
  /** Seed demo data into an empty store. @default true, or false when NODE_ENV=production */
  demoData: boolean;
  /** Bearer credential of the platform's own services for `/internal/v1/…`; unset closes ingest. */
  ingestToken: string | undefined;
  /** Bearer credential `/metrics` asks for; unset leaves it open (keep it off the public side then). */
  metricsToken: string | undefined;
  /** pino level. @default 'info', or 'silent' when NODE_ENV=test */
  logLevel: string;
  /** Rate limiting; `RATE_LIMITS=off` is for benchmarks only. @default true */
  rateLimits: boolean;
  /**
   * Trust the load balancer's `X-Forwarded-Proto` (cookies are `Secure` behind TLS offloading) and
   * `X-Forwarded-For` (the client address the limits count by). Off, both are ignored. @default false
   */
  trustProxy: boolean;
  /** DataLoader batching and caching; `BATCHING=off` loads every key on its own (the benchmarks' naive reference). @default true */
  batching: boolean;
  /** How long a one-time grant stays usable. @default 86400 (24 h) */
  oneTimeGrantSeconds: number;
  /** How long a recurring grant lasts unless revoked. @default 15552000 (180 days) */
  recurringGrantSeconds: number;
  /** How long the change log keeps a change. @default 7776000000 (90 days) */
  changeRetentionMs: number;
  /** An external OAuth issuer whose JWT access tokens are accepted; `JWT_AUDIENCE` is required with it. */
  externalIssuer: { issuer: string; jwksUrl: string; audience: string } | undefined;
  /** Countries served beyond the EEA, such as GB or CH. @default none */
  extraEligibleCountries: ReadonlySet<string>;
  /** GraphiQL for a browser that GETs `/graphql`. @default true, or false when NODE_ENV=production */
  playground: boolean;
  /** How long a finished archive, and its signed download URL, lasts. @default 345600000 (4 days) */
  archiveLifetimeMs: number;
  /** The least time between two archives of one recurring grant. @default 86400000 (24 h) */
  archiveIntervalMs: number;
  /** The first webhook retry's delay; each further one doubles it. @default 30000 (30 s) */
  webhookBackoffMs: number;
  /** Query limits, cost and rate limits (`src/limits`). */
  limits: LimitSettings;
  /** The categories served by the platform's own subgraphs, and how to reach them. @default none: every category is embedded */
  federation: FederationSettings;
}

/** One category served by a platform subgraph. */
export interface SubgraphSetting {
  category: (typeof CATEGORY_NAMES)[number];
  /** The subgraph's GraphQL endpoint, http(s). */
  url: string;
}

/** How the gateway reaches the platform's category subgraphs (`SUBGRAPHS`, `SUBGRAPH_TOKEN`, `SUBGRAPH_TIMEOUT_MS`). */
export interface FederationSettings {
  /** Each federated category's subgraph; a category not listed stays on the embedded store. @default [] */
  subgraphs: readonly SubgraphSetting[];
  /** Sent to every subgraph as `Authorization: Bearer …`. */
  token: string | undefined;
  /** The longest one subgraph request may take. @default 5000 */
  timeoutMs: number;
}

/** What the gateway refuses, and how much it serves per caller. */
export interface LimitSettings {
  /** Schema introspection; `INTROSPECTION=on` keeps it in production. @default on, off when NODE_ENV=production */
  introspection: boolean;
  /** The highest cost one operation may have. @default 2000 */
  maxQueryCost: number;
  /** The deepest selection one operation may make. @default 12 */
  maxDepth: number;
  /** Rate-limit buckets refill completely every this many seconds. @default 20 */
  windowSeconds: number;
  /** Cost points an app may spend per user per window. @default 4000 */
  userPoints: number;
  /** Cost points an app may spend over all its users per window. @default 100000 */
  appPoints: number;
  /** Requests without an access token, and WebSocket connection attempts, one client address may make per window. @default 300 */
  anonymousRequests: number;
  /** Failed sign-ins one username may have from one address in 15 minutes; then its attempts get 429 until they pass. @default 10 */
  signInFailures: number;
  /** Failed sign-ins one address may have in an hour, whatever the usernames. @default 100 */
  signInFailuresPerAddress: number;
  /** Live subscriptions one grant may hold open at once, per instance. @default 10 */
  maxSubscriptionsPerGrant: number;
  /** Fields that start resolving later than this after execution began fail with `EXECUTION_TIMEOUT`. @default 10000 */
  executionTimeoutMs: number;
}

/** A setting that failed validation; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates the environment and returns the settings, or throws a {@link ConfigError} naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blankToUndefined = Object.fromEntries(
    Object.keys(schema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = schema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  if (Boolean(e.JWT_ISSUER) !== Boolean(e.JWT_JWKS_URL)) {
    throw new ConfigError('Invalid configuration:\n  JWT_ISSUER and JWT_JWKS_URL: set both, or neither');
  }
  // Without an audience, a token the platform minted for any other of its APIs would be taken here.
  if (e.JWT_ISSUER && !e.JWT_AUDIENCE) {
    throw new ConfigError('Invalid configuration:\n  JWT_AUDIENCE: required when JWT_ISSUER is set');
  }
  // Without rate limits there are no buckets for an operation's cost to overflow.
  if (e.RATE_LIMITS && (e.RATE_LIMIT_USER_POINTS < e.MAX_QUERY_COST || e.RATE_LIMIT_APP_POINTS < e.RATE_LIMIT_USER_POINTS)) {
    throw new ConfigError('Invalid configuration:\n  RATE_LIMIT_USER_POINTS: must be at least MAX_QUERY_COST, and RATE_LIMIT_APP_POINTS at least RATE_LIMIT_USER_POINTS');
  }
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    demoData: e.DEMO_DATA ?? e.NODE_ENV !== 'production',
    ingestToken: e.INGEST_TOKEN,
    metricsToken: e.METRICS_TOKEN,
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'silent' : 'info'),
    rateLimits: e.RATE_LIMITS,
    trustProxy: e.TRUST_PROXY,
    batching: e.BATCHING,
    oneTimeGrantSeconds: Math.round(e.ONE_TIME_GRANT_HOURS * 3600),
    recurringGrantSeconds: Math.round(e.RECURRING_GRANT_DAYS * 86400),
    changeRetentionMs: Math.round(e.CHANGE_RETENTION_DAYS * 86_400_000),
    externalIssuer: e.JWT_ISSUER && e.JWT_JWKS_URL && e.JWT_AUDIENCE ? { issuer: e.JWT_ISSUER, jwksUrl: e.JWT_JWKS_URL, audience: e.JWT_AUDIENCE } : undefined,
    extraEligibleCountries: new Set(e.EXTRA_ELIGIBLE_COUNTRIES?.split(',') ?? []),
    playground: e.PLAYGROUND ?? e.NODE_ENV !== 'production',
    limits: {
      introspection: e.INTROSPECTION ?? e.NODE_ENV !== 'production',
      maxQueryCost: e.MAX_QUERY_COST,
      maxDepth: e.MAX_QUERY_DEPTH,
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      userPoints: e.RATE_LIMIT_USER_POINTS,
      appPoints: e.RATE_LIMIT_APP_POINTS,
      anonymousRequests: e.RATE_LIMIT_ANONYMOUS_REQUESTS,
      signInFailures: e.RATE_LIMIT_SIGN_IN_FAILURES,
      signInFailuresPerAddress: e.RATE_LIMIT_SIGN_IN_FAILURES_PER_ADDRESS,
      maxSubscriptionsPerGrant: e.MAX_SUBSCRIPTIONS_PER_GRANT,
      executionTimeoutMs: e.EXECUTION_TIMEOUT_MS,
    },
    archiveLifetimeMs: Math.round(e.ARCHIVE_LIFETIME_HOURS * 3_600_000),
    archiveIntervalMs: Math.round(e.ARCHIVE_INTERVAL_HOURS * 3_600_000),
    webhookBackoffMs: Math.round(e.WEBHOOK_BACKOFF_SECONDS * 1000),
    federation: { subgraphs: e.SUBGRAPHS ?? [], token: e.SUBGRAPH_TOKEN, timeoutMs: e.SUBGRAPH_TIMEOUT_MS },
  };
}
