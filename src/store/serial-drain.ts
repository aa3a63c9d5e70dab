/**
 * A drain that runs one at a time. Woken while it runs, it runs once more afterwards, however
 * often it was woken (the wake-ups coalesce), so nothing that woke it goes unseen. It is what a
 * poller over a table needs: the table is the queue, and a wake-up only says "look now". It lives
 * in the store because every such poller (the change tailer, the archive worker, the webhook
 * deliverer) already depends on the store, and it depends on nothing.
 */
export class SerialDrain {
  #running: Promise<void> | undefined;
  #again = false;

  constructor(
    private readonly drain: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Runs the drain now, or once more after the run going on. */
  wake(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.drain()
      .catch(this.onError)
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
  }

  /** Resolves once the run going on, if any, is over. */
  settled(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }
}
