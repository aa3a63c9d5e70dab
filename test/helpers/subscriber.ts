import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A `graphql-transport-ws` client that records what one subscription receives, and how it ends. */
export class Subscriber {
  readonly events: any[] = [];
  readonly errors: unknown[] = [];
  closed: { code: number; reason: string } | undefined;
  completed = false;
  readonly #client: Client;
  #waiters: (() => void)[] = [];

  constructor(url: string, authorization: string | undefined, query: string, variables: Record<string, unknown> = {}) {
    this.#client = createClient({
      url: url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: authorization === undefined ? {} : { authorization },
      retryAttempts: 0,
      lazy: false,
      on: {
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          this.closed = { code, reason };
          this.#notify();
        },
      },
    });
    this.#client.subscribe(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...result.errors);
          else this.events.push(result.data);
          this.#notify();
        },
        error: (error) => {
          this.errors.push(error);
          this.#notify();
        },
        complete: () => {
          this.completed = true;
          this.#notify();
        },
      },
    );
  }

  /** Resolves once `done()` holds, or rejects after `timeoutMs`. */
  async until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out with ${this.events.length} events, errors ${JSON.stringify(this.errors)}, closed ${JSON.stringify(this.closed)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    await this.#client.dispose();
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
