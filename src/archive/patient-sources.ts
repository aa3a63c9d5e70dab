import { isSubgraphUnavailable } from '../errors/index.js';
import type { Sources } from '../store/index.js';

/**
 * `sources` whose every read, when a platform subgraph fails, waits and tries again: once after
 * each of `waitsMs`, calling `beforeWait` first (the worker renews its lease there, and stops if
 * it must). A read still failing after the last wait fails with the subgraph's error. Reads of the
 * embedded store fail at once, as before.
 */
export function patientSources(sources: Sources, waitsMs: readonly number[], beforeWait: () => Promise<void>): Sources {
  const patient = <F extends (...args: never[]) => Promise<unknown>>(read: F) =>
    (async (...args: Parameters<F>) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await read(...args);
        } catch (error) {
          if (!isSubgraphUnavailable(error) || attempt >= waitsMs.length) throw error;
          await beforeWait();
          await new Promise((resolve) => setTimeout(resolve, waitsMs[attempt]));
        }
      }
    }) as F;
  return Object.fromEntries(
    Object.entries(sources).map(([category, source]) => [
      category,
      Object.fromEntries(Object.entries(source as Record<string, (...args: never[]) => Promise<unknown>>).map(([name, read]) => [name, patient(read)])),
    ]),
  ) as unknown as Sources;
}
