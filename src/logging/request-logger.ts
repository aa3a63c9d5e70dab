import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { Logger } from 'pino';

/** Probes and scrapes come every few seconds; their lines would drown the rest. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** An incoming `x-request-id` is kept when it looks like an id, so a trace crosses the load balancer. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The path alone: query strings carry OAuth codes, states and GraphQL variables. Archive downloads
 * are signed URLs, so only their prefix is logged.
 */
function loggedPath(url: string | undefined): string {
  const path = (url ?? '/').split('?', 1)[0]!;
  return path.startsWith('/archives/') ? '/archives/…' : path;
}

/**
 * pino-http over the gateway's logger: one line per finished request with its id (also sent back
 * as `x-request-id`), method, path, status and time. Headers, query strings and bodies are never
 * serialized, so tokens, cookies and message text cannot reach the line; handlers add the app and
 * grant with `req.log.setBindings`.
 */
export function requestLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage) => ({ id: req.id, method: req.method, path: loggedPath(req.url) }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    genReqId(req, res) {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    autoLogging: { ignore: (req) => QUIET_PATHS.has(loggedPath(req.url)) },
  });
}
