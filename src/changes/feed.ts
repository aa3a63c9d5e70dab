import type { ChangeCategory, ChangeRow, ChangesSource } from '../store/index.js';
import type { Notifier } from './notifier.js';
import { ChangeStream, type ChangeStreamOptions } from './stream.js';

/** The change log as resolvers see it: pages for polling, streams for subscriptions. */
export interface ChangeFeed {
  /** Up to `first` of a user's changes after a position, and whether more follow. */
  page(userId: string, after: number, categories: readonly ChangeCategory[], first: number): Promise<{ rows: ChangeRow[]; hasNextPage: boolean }>;
  stream(options: ChangeStreamOptions): ChangeStream;
  /** The newest position: where a stream without a cursor starts. */
  head(): Promise<number>;
  /** The newest position retention removed: cursors at or before it have expired. */
  prunedThrough(): Promise<number>;
}

export function changeFeed(source: ChangesSource, notifier: Notifier): ChangeFeed {
  return {
    async page(userId, after, categories, first) {
      const rows = await source.changesAfter(userId, after, categories, first + 1);
      return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
    },
    stream: (options) => new ChangeStream(source, notifier, options),
    head: () => source.headPosition(),
    prunedThrough: () => source.prunedThrough(),
  };
}
