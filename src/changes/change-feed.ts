import { isSubgraphUnavailable } from '../errors/index.js';
import { StreamEvent } from '../graph/index.js';
import type { EntityLoaders, Loaders } from '../loaders/index.js';
import type { Category, ChangeRow, ChangesSource } from '../store/index.js';
import { loadChangeEntities } from './change-entities.js';
import type { LogTailer } from './log-tailer.js';
import { ChangeStream, type ChangeStreamOptions } from './stream.js';

/** What a subscription to the change log is asked for: whose changes, after which position, of which categories. */
export type ChangeStreamRequest = Omit<ChangeStreamOptions, 'events'>;

/** The change log as resolvers see it: pages for polling, streams for subscriptions. */
export interface ChangeFeed {
  /** Up to `first` of a user's changes after a position, and whether more follow. */
  page(userId: string, after: number, categories: readonly Category[], first: number): Promise<{ rows: ChangeRow[]; hasNextPage: boolean }>;
  /** A user's changes, each with the loaders of its batch, made fresh for every batch. */
  stream(request: ChangeStreamRequest): AsyncIterableIterator<StreamEvent<ChangeRow>>;
  /** The newest position: where a stream without a cursor starts. */
  head(): Promise<number>;
  /** The newest position retention removed: cursors at or before it have expired. */
  prunedThrough(): Promise<number>;
}

/** A user's loaders, built over `shared` entity loaders a batch of changes already filled when given. */
export type LoadersFor = (userId: string, shared?: EntityLoaders) => Loaders;

/** Retention runs hourly; how far it went is re-read at most this often. */
const PRUNED_TTL_MS = 5000;

export function changeFeed(changes: ChangesSource, tailer: LogTailer<EntityLoaders>, loadersFor: LoadersFor): ChangeFeed {
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
    stream: (request) =>
      new ChangeStream(streamSource, tailer, {
        ...request,
        retryable: isSubgraphUnavailable,
        // Each batch gets fresh loaders. Live batches come with their objects loaded once for
        // every subscriber; a replayed batch loads the nodes of all its changes together.
        events(rows, shared) {
          const loaders = loadersFor(request.userId, shared);
          const events = rows.map((row) => new StreamEvent(row, loaders));
          return shared ? events : loadChangeEntities(rows, loaders).then(() => events);
        },
      }),
    head: () => changes.headPosition(),
    prunedThrough: () => changes.prunedThrough(),
  };
}
