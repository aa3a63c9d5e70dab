import type { Loaders } from '../loaders/index.js';

/**
 * One event of a long-lived subscription, with the loaders to resolve it with. Each batch of a
 * stream's events comes with a fresh loader set, so nothing it sends comes from a stale cache; the
 * executor resolves the event under the subscription's context with these loaders in place (see
 * `compiledSubscribe`), and no resolver ever replaces `context.loaders`.
 */
export class StreamEvent<Value> {
  constructor(
    readonly value: Value,
    readonly loaders: Loaders,
  ) {}
}
