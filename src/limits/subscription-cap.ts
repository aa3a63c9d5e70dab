/**
 * Counts the live subscriptions of each grant on this instance, over WebSockets and SSE alike, and
 * refuses one beyond the cap. The count is per instance: a subscription is tied to the socket that
 * holds it, and an instance that dies takes its count with it instead of leaving it stuck in Redis.
 */
export class SubscriptionCap {
  readonly #open = new Map<string, number>();

  constructor(readonly maximum: number) {}

  /** Takes a slot for the grant; returns the release function, or undefined when the grant is at its cap. */
  take(grantId: string): (() => void) | undefined {
    const open = this.#open.get(grantId) ?? 0;
    if (open >= this.maximum) return undefined;
    this.#open.set(grantId, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(grantId) ?? 1) - 1;
      if (left > 0) this.#open.set(grantId, left);
      else this.#open.delete(grantId);
    };
  }
}
