import type http from 'node:http';
import type { VerifyClientCallbackAsync } from 'ws';
import { StreamCore, type StreamCoreOptions } from './core.js';
import { sseTransport } from './sse.js';
import { wsTransport } from './ws.js';

export { StreamCloseCode } from './close-codes.js';
export type { Transport } from './core.js';

export interface StreamServers {
  /** Serves GraphQL over Server-Sent Events (`/graphql/stream`). */
  sse: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
  /** Live subscriptions on this instance, by transport. */
  active(): { ws: number; sse: number };
  /**
   * Closes every open stream so that clients reconnect (to any instance) and resume from their
   * last cursor: WebSockets with 1012, SSE streams cut. A WebSocket that has not finished the
   * closing handshake after `graceMs` is terminated.
   */
  close(graceMs: number): Promise<void>;
}

interface StreamServerOptions {
  httpServer: http.Server;
  /** Decides whether a WebSocket handshake may go on: the per-address limit on connection attempts. */
  verifyUpgrade: VerifyClientCallbackAsync;
}

/**
 * Subscriptions over `graphql-transport-ws` on `/graphql` and over SSE on `/graphql/stream`: one
 * core (authentication, the guard, subscription slots, the grant watch, the access log) and one
 * thin adapter per transport.
 */
export function streamServers(options: StreamCoreOptions & StreamServerOptions): StreamServers {
  const core = new StreamCore(options);
  const ws = wsTransport(core, options.httpServer, options.verifyUpgrade);
  const sse = sseTransport(core);
  return {
    sse: sse.serve,
    active: () => core.active(),
    async close(graceMs) {
      sse.close();
      await ws.close(graceMs);
    },
  };
}
