import type http from 'node:http';
import { describe, type Federation } from '../federation/index.js';
import type { Logger } from '../logging/index.js';
import type { Store } from '../store/index.js';
import { sendJson } from './http-util.js';
import { TimeoutError, withTimeout } from './timeout.js';

/** A readiness check that takes longer than this fails: probes give up after a few seconds. */
export const READY_TIMEOUT_MS = 2000;

/**
 * `/healthz` (the process is up) and `/readyz` (it can serve: the store answers, every migration
 * is applied, every subgraph of a federated category has answered with its contract since the
 * start, and it is not shutting down). A failing check answers 503 with the reason within
 * {@link READY_TIMEOUT_MS}; the error's detail goes to the log, not to the caller. A subgraph's
 * later outage does not make the gateway unready: only that subgraph's fields fail meanwhile.
 */
export function healthRoutes(store: Store, logger: Logger, federation?: Federation) {
  let shuttingDown = false;
  // One read at a time: while the store hangs, probes wait on the same read instead of piling up connections.
  let reading: Promise<string[]> | undefined;

  const notReady = async (): Promise<string | undefined> => {
    if (shuttingDown) return 'shutting down';
    try {
      const pending = await withTimeout((reading ??= store.pendingMigrations().finally(() => (reading = undefined))), READY_TIMEOUT_MS, 'the store');
      if (pending.length > 0) return `migrations not applied: ${pending.join(', ')}`;
    } catch (error) {
      logger.warn({ err: error }, 'not ready: the store failed its check');
      return error instanceof TimeoutError ? error.message : 'store unreachable';
    }
    const waiting = federation?.statuses().filter((status) => status.state !== 'ready') ?? [];
    return waiting.length > 0 ? waiting.map(describe).join('; ') : undefined;
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
