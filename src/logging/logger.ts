import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values never reach a log line, wherever an object logged by mistake holds them:
 * credentials, cookies, and the free text of users' messages, posts and profiles. The request
 * serializers already leave headers, query strings and bodies out; this is the net under
 * everything else.
 */
const SECRET_KEYS = new Set(
  [
    'authorization',
    'cookie',
    'set-cookie',
    'password',
    'token',
    'accessToken',
    'access_token',
    'refreshToken',
    'refresh_token',
    'clientSecret',
    'client_secret',
    'secret',
    'code_verifier',
    'text',
    'caption',
    'bio',
    'email',
  ].map((key) => key.toLowerCase()),
);
const CENSORED = '[redacted]';
/** Plain objects are walked this deep; a log line's objects are shallow. */
const MAX_DEPTH = 4;

/**
 * A copy of `value` with every secret key's value censored, at any depth up to {@link MAX_DEPTH}.
 * Only plain objects and arrays are walked (errors go through pino's serializer, whose fields are
 * known). pino's own `redact` would do this with wildcard paths, but at many times the cost: more
 * than the rest of a small request (BENCHMARKS.md has the figures).
 */
function censor(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => censor(item, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, inner] of Object.entries(value)) {
    const censored = SECRET_KEYS.has(key.toLowerCase()) ? CENSORED : censor(inner, depth + 1);
    if (censored !== inner) (copy ??= { ...value })[key] = censored;
  }
  return copy ?? value;
}

export interface LoggerOptions {
  /** A pino level, or `silent`. */
  level: string;
  /** Where lines go. @default stdout */
  destination?: DestinationStream | undefined;
}

/** The gateway's one logger: JSON lines (pino), secrets censored. Everything else logs through its children. */
export function createLogger({ level, destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      formatters: {
        log: (object) => censor(object) as Record<string, unknown>,
        bindings: (bindings) => censor(bindings) as pino.Bindings,
      },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
