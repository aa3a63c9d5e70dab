import type http from 'node:http';
import type { Logger } from '../logging/index.js';
import type { Store } from '../store/index.js';
import { sendJson } from './http-util.js';
import { TimeoutError, withTimeout } from './timeout.js';

/** A readiness check that takes longer than this fails: probes give up after a few seconds. */
export const READY_TIMEOUT_MS = 2000;

/**
 * `/healthz` (the process is up) and `/readyz` (it can serve: the store answers, every migration
 * is applied, and it is not shutting down). A failing check answers 503 with the reason within
 * {@link READY_TIMEOUT_MS}; the error's detail goes to the log, not to the caller.
 */
export function healthRoutes(store: Store, logger: Logger) {
  let shuttingDown = false;
  // One read at a time: while the store hangs, probes wait on the same read instead of piling up connections.
  let reading: Promise<string[]> | undefined;

  const notReady = async (): Promise<string | undefined> => {
    if (shuttingDown) return 'shutting down';
    try {
      const pending = await withTimeout((reading ??= store.pendingMigrations().finally(() => (reading = undefined))), READY_TIMEOUT_MS, 'the store');
      return pending.length > 0 ? `migrations not applied: ${pending.join(', ')}` : undefined;
    } catch (error) {
      logger.warn({ err: error }, 'not ready: the store failed its check');
      return error instanceof TimeoutError ? error.message : 'store unreachable';
    }
  };

  return {
    healthz(res: http.ServerResponse): void {
      sendJson(res, 200, { status: 'ok' });
    },
    async readyz(res: http.ServerResponse): Promise<void> {
      const reason = await notReady();
      sendJson(res, reason ? 503 : 200, reason ? { status: 'unavailable', reason } : { status: 'ready' });
    },
    /** From now on `/readyz` says so, and load balancers send new requests elsewhere. */
    shutdown(): void {
      shuttingDown = true;
    },
  };
}
