import type http from 'node:http';
import type { Authority } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import type { Metrics } from '../metrics/index.js';
import type { Store } from '../store/index.js';
import { serve } from './routes.js';
import { runShutdown, shutdownSteps } from './shutdown.js';
import { wireParts } from './wiring.js';

export { buildSchema, loadTypeDefs } from './schema.js';
export { AccessLogWriter, ACCESS_LOG_FLUSH_MS } from './access-log-writer.js';
export { SHUTDOWN_STEPS_MS } from './shutdown.js';

/** A running gateway. */
export interface Gateway {
  store: Store;
  authority: Authority;
  httpServer: http.Server;
  /** Where it is reached: `PUBLIC_URL`, or `http://localhost:<port>`. */
  url: string;
  /** Stores the access-log rows still waiting for their batch. */
  flushAccessLog(): Promise<void>;
  logger: Logger;
  metrics: Metrics;
  /**
   * Adds a step to shutdown. Steps run after HTTP has drained and every stream has closed, and
   * before the store closes, within {@link SHUTDOWN_STEPS_MS}: archive jobs checkpoint here.
   */
  onShutdown(step: () => Promise<void>): void;
  /**
   * Shuts down within 10 s: `/readyz` turns 503, no new connections are accepted, WebSockets
   * close with 1012 and SSE streams are cut (clients reconnect and resume from their cursor),
   * requests in flight finish (up to 7 s, `DRAIN_GRACE_MS`), the {@link Gateway.onShutdown}
   * steps run, and the store closes. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** A store opened by the caller (tests); otherwise one is opened from the configuration. */
  store?: Store;
  /** Where the gateway logs (tests capture it); otherwise a new logger at `LOG_LEVEL` on stdout. */
  logger?: Logger;
}

/** Starts the gateway: wires its parts, serves the routes table, and shuts down in the documented order. */
export async function startGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const parts = await wireParts(config, options);
  const served = serve(parts);
  parts.setHandler(served.handler);
  // Archive jobs running here are handed back (their lease released) for another instance to finish.
  const added: (() => Promise<void>)[] = [() => parts.archiveSystem.close()];
  let closing: Promise<void> | undefined;
  return {
    store: parts.store,
    authority: parts.authority,
    httpServer: parts.httpServer,
    url: parts.url,
    flushAccessLog: () => parts.accessLog.flush(),
    logger: parts.logger,
    metrics: parts.metrics,
    onShutdown: (step) => void added.push(step),
    close: () => (closing ??= runShutdown(parts, shutdownSteps(parts, served, added))),
  };
}
