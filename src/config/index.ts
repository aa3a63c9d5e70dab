import { z } from 'zod';

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const onOff = z.enum(['on', 'off']).transform((v) => v === 'on');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  DEMO_DATA: flag.optional(),
  INGEST_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RATE_LIMITS: onOff.default(true),
  BATCHING: onOff.default(true),
  TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(24 * 3600),
  EXTRA_ELIGIBLE_COUNTRIES: z
    .string()
    .regex(/^[A-Z]{2}(,[A-Z]{2})*$/, 'must be ISO 3166-1 alpha-2 codes separated by commas, e.g. GB,CH')
    .optional(),
});

/** The gateway's settings, read from the environment once at start. */
export interface Config {
  /** `production` turns off introspection, stack traces and development helpers. @default 'development' */
  nodeEnv: 'development' | 'production' | 'test';
  /** HTTP and WebSocket port; 0 picks a free one. @default 4000 */
  port: number;
  /** Base URL the gateway is reached at. @default `http://localhost:$PORT` */
  publicUrl: string;
  /** Where the embedded store and archive files live. @default './data' */
  dataDir: string;
  /** `postgres://…` switches the store to PostgreSQL. */
  databaseUrl: string | undefined;
  /** Shared rate-limit state across instances. */
  redisUrl: string | undefined;
  /** Seed demo data into an empty store. @default true, or false when NODE_ENV=production */
  demoData: boolean;
  /** Bearer credential of the platform's own services for `/internal/v1/…`; unset closes ingest. */
  ingestToken: string | undefined;
  /** pino level. @default 'info' */
  logLevel: string;
  /** Rate limiting; `RATE_LIMITS=off` is for benchmarks only. @default true */
  rateLimits: boolean;
  /** DataLoader batching and caching; `BATCHING=off` loads every key on its own (the benchmarks' naive reference). @default true */
  batching: boolean;
  /** Lifetime of an access token issued by the CLI. @default 86400 */
  tokenTtlSeconds: number;
  /** Countries served beyond the EEA, such as GB or CH. @default none */
  extraEligibleCountries: ReadonlySet<string>;
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
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    demoData: e.DEMO_DATA ?? e.NODE_ENV !== 'production',
    ingestToken: e.INGEST_TOKEN,
    logLevel: e.LOG_LEVEL,
    rateLimits: e.RATE_LIMITS,
    batching: e.BATCHING,
    tokenTtlSeconds: e.TOKEN_TTL_SECONDS,
    extraEligibleCountries: new Set(e.EXTRA_ELIGIBLE_COUNTRIES?.split(',') ?? []),
  };
}
