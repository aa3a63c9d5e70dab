/** Reads a `text/event-stream` response as it arrives: what came so far, and whether it ended. */
export class EventStreamReader {
  text = '';
  ended = false;
  readonly done: Promise<void>;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(response: Response) {
    const reader = (this.#reader = response.body!.getReader());
    const decoder = new TextDecoder();
    this.done = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          this.text += decoder.decode(value, { stream: true });
        }
      } catch {
        // A cut stream ends it as well as a clean end does.
      }
      this.ended = true;
    })();
  }

  /** Hangs up, as a client going away does. */
  async cancel(): Promise<void> {
    await this.#reader.cancel();
    await this.done;
  }

  /** Resolves once `done()` holds, or rejects after `timeoutMs`. */
  async until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out; the stream sent:\n${this.text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
