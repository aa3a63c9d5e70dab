import type { Category, ChangeRow, ChangesSource } from '../store/index.js';
import type { LogTailer, TailDelivery } from './log-tailer.js';

/** Rows read from the log at a time while replaying. */
const BATCH = 100;
/** Live batches a stream holds for a slow reader before it drops them and re-reads the log instead. */
export const MAX_PENDING = 50;
/** How long a live stream waits before it looks at the log itself anyway. */
const POLL_MS = 30_000;
/** The first wait before making a batch's events again after a retryable failure; each further wait doubles, up to {@link MAX_RETRY_MS}. */
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

export interface ChangeStreamOptions<Shared = unknown, Event = ChangeRow> {
  userId: string;
  /** Start after this position. */
  after: number;
  categories: readonly Category[];
  /**
   * What the stream hands out for a batch, one event per row in order, made once per batch before
   * its first row goes out; `shared` is what the tailer loaded for live rows (undefined for replayed ones).
   */
  events: (rows: readonly ChangeRow[], shared: Shared | undefined) => Promise<readonly Event[]> | readonly Event[];
  /** The error to end the stream with when retention passed it: given the oldest position still held. */
  expired: (prunedThrough: number) => Error;
  /**
   * Whether a failure to make a batch's events passes (a platform subgraph not answering): the
   * stream then waits and makes them again, with backoff, and sends nothing meanwhile. Any other
   * failure ends the stream.
   */
  retryable?: ((error: unknown) => boolean) | undefined;
}

/**
 * A user's changes after a position, forever: first what the log holds (the replay, read from
 * the table), then each change as the instance's {@link LogTailer} reads it. The stream attaches
 * to the tailer before it replays and drops what it has already sent, so nothing is skipped or
 * sent twice where the two meet. It is pulled one change at a time; a reader too slow for the
 * live flow has its pending batches dropped (memory stays bounded) and catches up from the table,
 * from its own position. `return()` ends it at once, even while it waits.
 */
export class ChangeStream<Shared = unknown, Event = ChangeRow> implements AsyncIterableIterator<Event> {
  #position: number;
  /** The events of the batch being handed out, and the index of the next one. */
  #buffer: readonly Event[] = [];
  #next = 0;
  #live: TailDelivery<Shared>[] = [];
  #replaying = true;
  #done = false;
  /** Ends the current wait: true when a live batch came, false when the poll interval passed. */
  #resolveWait: ((woken: boolean) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Ends the wait before a retry at once (the stream was returned). */
  #endRetryWait: (() => void) | undefined;
  readonly #detach: () => void;

  constructor(
    private readonly source: ChangesSource,
    tailer: LogTailer<Shared>,
    private readonly options: ChangeStreamOptions<Shared, Event>,
  ) {
    this.#position = options.after;
    this.#detach = tailer.attach(options.userId, (delivery) => {
      const rows = keep(delivery.rows, (row) => options.categories.includes(row.category));
      if (rows.length === 0) return;
      if (this.#live.length >= MAX_PENDING) {
        this.#live = [];
        this.#replaying = true;
      } else this.#live.push({ rows, shared: delivery.shared });
      this.#wake(true);
    });
  }

  async next(): Promise<IteratorResult<Event>> {
    while (!this.#done) {
      if (this.#next < this.#buffer.length) return { value: this.#buffer[this.#next++]!, done: false };
      if (this.#replaying) {
        const rows = await this.source.changesAfter(this.options.userId, this.#position, this.options.categories, BATCH);
        const pruned = rows.length > 0 ? await this.source.prunedThrough() : 0;
        // The stream fell so far behind that retention removed changes it had yet to send.
        if (pruned > this.#position) throw this.options.expired(pruned);
        if (rows.length < BATCH) this.#replaying = false;
        await this.#hand(rows, undefined);
        continue;
      }
      const delivery = this.#live.shift();
      if (delivery) {
        const loading = this.#hand(keep(delivery.rows, (row) => row.position > this.#position), delivery.shared);
        if (loading) await loading;
        continue;
      }
      if (!(await this.#sleep())) this.#replaying = true;
    }
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<Event>> {
    this.#done = true;
    this.#buffer = [];
    this.#live = [];
    this.#detach();
    clearTimeout(this.#timer);
    this.#endRetryWait?.();
    this.#wake(true);
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * Makes the events of `rows` the batch handed out next. A promise only when making them takes
   * one: a live batch whose objects the tailer loaded costs the stream no wait.
   */
  #hand(rows: readonly ChangeRow[], shared: Shared | undefined): Promise<void> | void {
    if (rows.length === 0) return;
    this.#position = rows.at(-1)!.position;
    this.#next = 0;
    const events = this.options.events(rows, shared);
    if (!(events instanceof Promise)) {
      this.#buffer = events;
      return;
    }
    this.#buffer = [];
    return this.#made(events, rows, FIRST_RETRY_MS);
  }

  /** Waits for a batch's events; after a retryable failure, makes them again (loading afresh) after `waitMs`. */
  async #made(events: Promise<readonly Event[]>, rows: readonly ChangeRow[], waitMs: number): Promise<void> {
    try {
      this.#buffer = await events;
    } catch (error) {
      if (!this.options.retryable?.(error) || this.#done) throw error;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.#endRetryWait = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#endRetryWait = undefined;
      if (this.#done) return;
      return this.#made(Promise.resolve(this.options.events(rows, undefined)), rows, Math.min(waitMs * 2, MAX_RETRY_MS));
    }
  }

  /** Waits for a live batch; false when it waited the whole poll interval instead. */
  #sleep(): Promise<boolean> {
    // One timer for the stream's life, re-armed at each wait: a live flow costs no timer per change.
    if (this.#timer) this.#timer.refresh();
    else this.#timer = setTimeout(() => this.#wake(false), POLL_MS);
    return new Promise<boolean>((resolve) => {
      this.#resolveWait = resolve;
    });
  }

  #wake(woken: boolean): void {
    const resolve = this.#resolveWait;
    this.#resolveWait = undefined;
    resolve?.(woken);
  }
}

/** `rows` itself when every row passes, else a copy of those that do: a live batch is shared by the user's streams. */
function keep(rows: readonly ChangeRow[], pass: (row: ChangeRow) => boolean): readonly ChangeRow[] {
  return rows.every(pass) ? rows : rows.filter(pass);
}
