import type { ChangeCategory, ChangeRow, ChangesSource } from '../store/index.js';
import type { EntityLoaders } from '../loaders/index.js';
import type { LogTailer } from './log-tailer.js';
import { ChangeStream, type ChangeStreamOptions } from './stream.js';

/** The change log as resolvers see it: pages for polling, streams for subscriptions. */
export interface ChangeFeed {
  /** Up to `first` of a user's changes after a position, and whether more follow. */
  page(userId: string, after: number, categories: readonly ChangeCategory[], first: number): Promise<{ rows: ChangeRow[]; hasNextPage: boolean }>;
  stream(options: ChangeStreamOptions<EntityLoaders>): ChangeStream<EntityLoaders>;
  /** The newest position: where a stream without a cursor starts. */
  head(): Promise<number>;
  /** The newest position retention removed: cursors at or before it have expired. */
  prunedThrough(): Promise<number>;
}

/** Retention runs hourly; how far it went is re-read at most this often. */
const PRUNED_TTL_MS = 5000;

export function changeFeed(changes: ChangesSource, tailer: LogTailer<EntityLoaders>): ChangeFeed {
  // Long streams check retention on every batch; for them a value a few seconds old will do.
  let pruned: { position: Promise<number>; at: number } | undefined;
  const streamSource: ChangesSource = {
    ...changes,
    prunedThrough() {
      if (!pruned || Date.now() - pruned.at > PRUNED_TTL_MS) pruned = { position: changes.prunedThrough(), at: Date.now() };
      return pruned.position;
    },
  };
  return {
    async page(userId, after, categories, first) {
      const rows = await changes.changesAfter(userId, after, categories, first + 1);
      return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
    },
    stream: (options) => new ChangeStream(streamSource, tailer, options),
    head: () => changes.headPosition(),
    prunedThrough: () => changes.prunedThrough(),
  };
}
