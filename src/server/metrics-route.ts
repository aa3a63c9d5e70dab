import type http from 'node:http';
import type { Logger } from '../logging/index.js';
import type { Metrics } from '../metrics/index.js';
import { bearerCheck, sendJson } from './http-util.js';
import { withTimeout } from './timeout.js';

/** A scrape that takes longer fails, rather than holding Prometheus until its own timeout. */
export const SCRAPE_TIMEOUT_MS = 5000;

/**
 * `/metrics`: the Prometheus text format, or 503 with the reason when collecting fails or hangs.
 * With `token` (`METRICS_TOKEN`) a scrape needs `Authorization: Bearer <token>`.
 */
export function metricsRoute(metrics: Metrics, logger: Logger, token: string | undefined) {
  const authorized = token ? bearerCheck(token) : () => true;
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (!authorized(req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Bearer');
      return sendJson(res, 401, { error: 'unauthorized', message: 'Send Authorization: Bearer <METRICS_TOKEN>.' });
    }
    let body: string;
    try {
      body = await withTimeout(metrics.registry.metrics(), SCRAPE_TIMEOUT_MS, 'metrics collection');
    } catch (error) {
      logger.warn({ err: error }, 'metrics scrape failed');
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`metrics unavailable: ${error instanceof Error ? error.message : String(error)}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': metrics.registry.contentType });
    res.end(body);
  };
}
