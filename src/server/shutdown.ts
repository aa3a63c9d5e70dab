import type { Served } from './routes.js';
import { withTimeout } from './timeout.js';
import type { Parts } from './wiring.js';

/** How long a WebSocket has to answer its 1012 close frame before it is cut. */
const STREAM_CLOSE_GRACE_MS = 2000;
/** The time the steps added with `Gateway.onShutdown` get, together. */
export const SHUTDOWN_STEPS_MS = 1500;

/** One step of shutdown, named for the log. */
interface ShutdownStep {
  name: string;
  run(): Promise<void> | void;
}

/**
 * The steps of shutdown, in the order they run (README's Operations): readiness goes 503; no new
 * connections; HTTP requests in flight drain while the streams close (1012, SSE cut), since those
 * never end on their own; the added steps (archive jobs checkpoint) while the store is open; the
 * access log's last batch; then the change log's readers, the grant watch and standing listener, the rate-limit store,
 * the subgraphs' retries and the store itself.
 */
export function shutdownSteps(parts: Parts, served: Served, added: readonly (() => Promise<void>)[]): ShutdownStep[] {
  return [
    { name: 'readiness', run: () => served.health.shutdown() },
    { name: 'new connections', run: () => void parts.httpServer.close() },
    { name: 'requests and streams', run: async () => void (await Promise.all([served.streams.close(STREAM_CLOSE_GRACE_MS), parts.apollo.stop()])) },
    {
      name: 'added steps',
      run: () =>
        withTimeout(Promise.all(added.map((step) => step())), SHUTDOWN_STEPS_MS, 'shutdown steps').then(
          () => undefined,
          parts.logError('a shutdown step failed'),
        ),
    },
    { name: 'access log', run: () => parts.accessLog.flush() },
    {
      name: 'change log',
      run: async () => {
        clearInterval(parts.retention);
        parts.tailer.close();
        parts.watch.close();
        await Promise.all([parts.notifier.close(), parts.standing.close()]);
      },
    },
    { name: 'rate limits', run: () => parts.guard.close() },
    { name: 'subgraphs', run: () => parts.federation?.close() },
    { name: 'store', run: async () => void (parts.ownStore && (await parts.store.close())) },
  ];
}

/** Runs the steps one after another and logs how long it took. */
export async function runShutdown(parts: Parts, steps: readonly ShutdownStep[]): Promise<void> {
  const started = Date.now();
  for (const step of steps) await step.run();
  parts.logger.info({ ms: Date.now() - started }, 'gateway stopped');
}
