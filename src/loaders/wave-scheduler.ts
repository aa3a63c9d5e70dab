/**
 * Dispatches DataLoader batches in waves: a batch waits while any earlier batch of the same
 * request is still running, and then every waiting batch goes out together.
 *
 * With DataLoader's default (next tick), how loads group depends on which query returns first,
 * so one operation could run a different number of statements from run to run. In waves, each
 * loader runs at most once per level of the operation, whatever the timing: the statement count
 * is a function of the operation's shape alone.
 */
export class WaveScheduler {
  #running = 0;
  #waiting: (() => void)[] = [];
  #flushQueued = false;

  /** A DataLoader `batchScheduleFn`. */
  readonly schedule = (dispatch: () => void): void => {
    this.#waiting.push(dispatch);
    if (this.#running === 0) this.#queueFlush();
  };

  /** Wraps a batch function so the scheduler knows when its wave is done. */
  track<Args extends unknown[], Result>(batch: (...args: Args) => Promise<Result>): (...args: Args) => Promise<Result> {
    return async (...args) => {
      this.#running++;
      try {
        return await batch(...args);
      } finally {
        if (--this.#running === 0 && this.#waiting.length > 0) this.#queueFlush();
      }
    };
  }

  #queueFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    // After the promise jobs the finished wave set off, so every load they make joins the next wave.
    setImmediate(() => {
      this.#flushQueued = false;
      if (this.#running > 0) return;
      const dispatches = this.#waiting;
      this.#waiting = [];
      for (const dispatch of dispatches) dispatch();
    });
  }
}
