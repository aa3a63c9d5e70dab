import type { ChangeCategory, ChangeRow, ChangesSource } from '../store/index.js';
import type { Notifier } from './notifier.js';

/** Rows read from the log at a time. */
const BATCH = 100;
/** How long a stream waits for a notification before it looks at the log anyway. */
const POLL_MS = 30_000;

export interface ChangeStreamOptions {
  userId: string;
  /** Start after this position. */
  after: number;
  categories: readonly ChangeCategory[];
  /** Called with each batch before its rows are handed out (to load their nodes together). */
  onBatch?: (rows: readonly ChangeRow[]) => Promise<void>;
  /** The error to end the stream with when retention passed it: given the oldest position still held. */
  expired: (prunedThrough: number) => Error;
}

/**
 * A user's changes after a position, forever: what the log holds first (the replay), then each
 * change as it commits. Replay and live are one loop over the table, reading after the last
 * position handed out, so nothing is skipped or sent twice where they meet. A notification only
 * says "look again". It is pulled, one change at a time: a slow reader costs one batch of memory,
 * never a growing queue. `return()` ends it at once, even while it waits.
 */
export class ChangeStream implements AsyncIterableIterator<ChangeRow> {
  #position: number;
  #buffer: ChangeRow[] = [];
  #done = false;
  #woken = true;
  #wake: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #unsubscribe: () => void;

  constructor(
    private readonly source: ChangesSource,
    notifier: Notifier,
    private readonly options: ChangeStreamOptions,
  ) {
    this.#position = options.after;
    this.#unsubscribe = notifier.subscribe(options.userId, () => {
      this.#woken = true;
      this.#wake?.();
    });
  }

  async next(): Promise<IteratorResult<ChangeRow>> {
    while (!this.#done) {
      const buffered = this.#buffer.shift();
      if (buffered) return { value: buffered, done: false };
      this.#woken = false;
      const rows = await this.source.changesAfter(this.options.userId, this.#position, this.options.categories, BATCH);
      if (rows.length > 0 && (await this.source.prunedThrough()) > this.#position) {
        // The stream fell so far behind that retention removed changes it had yet to send.
        throw this.options.expired(await this.source.prunedThrough());
      }
      if (rows.length > 0) {
        this.#position = rows.at(-1)!.position;
        await this.options.onBatch?.(rows);
        this.#buffer = rows;
        continue;
      }
      if (!this.#woken) await this.#sleep();
    }
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<ChangeRow>> {
    this.#done = true;
    this.#buffer = [];
    this.#unsubscribe();
    this.#wake?.();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, POLL_MS);
    }).finally(() => {
      clearTimeout(this.#timer);
      this.#wake = undefined;
    });
  }
}
