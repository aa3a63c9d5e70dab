import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values never reach a log line, wherever an object logged by mistake holds them:
 * credentials, cookies, and the free text of users' messages and posts. The request serializers
 * already leave headers and bodies out; this is the net under everything else.
 */
const SECRET_KEYS = [
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
];

// Each key at the top level and up to two levels down (a logged request's headers, an error's cause).
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => {
  const step = /^\w+$/.test(key) ? `.${key}` : `["${key}"]`;
  return [step.replace(/^\./, ''), `*${step}`, `*.*${step}`];
});

export interface LoggerOptions {
  /** A pino level, or `silent`. */
  level: string;
  /** Where lines go. @default stdout */
  destination?: DestinationStream | undefined;
}

/** The gateway's one logger: JSON lines (pino), secrets redacted. Everything else logs through its children. */
export function createLogger({ level, destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
