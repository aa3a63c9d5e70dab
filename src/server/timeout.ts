/** A promise that did not settle in time. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** `promise`, or a {@link TimeoutError} saying `what` did not answer within `ms`. The work itself is not cancelled. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
