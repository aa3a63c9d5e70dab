import { SerialDrain, type ChangeRow, type ChangesSource } from '../store/index.js';
import type { Notifier } from './notifier.js';

/** Rows the tailer reads at a time. */
const BATCH = 1000;
/** How often the tailer looks at the log without being woken: the net under lost notifications. */
const POLL_MS = 1000;

/** What the tailer hands a stream: its user's new changes, and what was loaded for them (nothing when loading failed). */
export interface TailDelivery<Shared> {
  rows: readonly ChangeRow[];
  shared: Shared | undefined;
}

/**
 * Reads the change log once for all the live streams of this instance, and hands each stream its
 * user's rows. However many subscribers there are, a commit costs one read of the log and one
 * load of the objects it changed (`prepare`), not one of each per subscriber. Positions follow
 * commit order, so reading after the last position read never skips a change.
 */
export class LogTailer<Shared> {
  #position = 0;
  readonly #drainer = new SerialDrain(() => this.#drain(), (error) => this.onError(error));
  readonly #listeners = new Map<string, Set<(delivery: TailDelivery<Shared>) => void>>();
  #unsubscribe: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: ChangesSource,
    private readonly prepare: (rows: readonly ChangeRow[]) => Promise<Shared>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts at the log's head, woken by `notifier` and, as a net, every second. */
  async start(notifier: Notifier): Promise<void> {
    this.#position = await this.source.headPosition();
    this.#unsubscribe = notifier.subscribe(() => this.#drainer.wake());
    this.#timer = setInterval(() => this.#drainer.wake(), POLL_MS).unref();
  }

  /** Hands `listener` every new change of `userId`; returns the function that stops it. */
  attach(userId: string, listener: (delivery: TailDelivery<Shared>) => void): () => void {
    const listeners = this.#listeners.get(userId) ?? new Set();
    listeners.add(listener);
    this.#listeners.set(userId, listeners);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(userId);
    };
  }

  /**
   * How far this instance is behind the log: the changes committed after what it last handed to
   * its streams, and how long the oldest of them has waited. Two indexed reads; for metrics.
   */
  async lag(now = Date.now()): Promise<{ positions: number; seconds: number }> {
    const position = this.#position;
    const [head, [oldest]] = await Promise.all([this.source.headPosition(), this.source.allChangesAfter(position, 1)]);
    return { positions: Math.max(0, head - position), seconds: oldest ? Math.max(0, now - oldest.committedAt) / 1000 : 0 };
  }

  close(): void {
    this.#unsubscribe?.();
    clearInterval(this.#timer);
  }

  async #drain(): Promise<void> {
    for (;;) {
      const rows = await this.source.allChangesAfter(this.#position, BATCH);
      if (rows.length === 0) return;
      const watched = rows.filter((row) => this.#listeners.has(row.userId));
      if (watched.length > 0) {
        // When the load fails (a platform subgraph not answering), each stream loads its own rows
        // and waits out the failure itself: no stream waits for another's categories.
        const shared = await this.prepare(watched).catch(() => undefined);
        const byUser = new Map<string, ChangeRow[]>();
        for (const row of watched) {
          const userRows = byUser.get(row.userId);
          if (userRows) userRows.push(row);
          else byUser.set(row.userId, [row]);
        }
        for (const [userId, userRows] of byUser) {
          for (const listener of this.#listeners.get(userId) ?? []) listener({ rows: userRows, shared });
        }
      }
      this.#position = rows.at(-1)!.position;
      if (rows.length < BATCH) return;
    }
  }
}
