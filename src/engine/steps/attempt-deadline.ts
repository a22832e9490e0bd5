import type { Clock } from '../clock.js';
import { positiveDurationMs } from '../duration.js';

/**
 * An attempt's `timeout` option in milliseconds.
 * @throws InvalidOptionsError for anything but a duration of at least 1 ms
 */
export function attemptTimeoutMs(value: unknown, subject: string): number {
  return positiveDurationMs(value, subject, 'timeout');
}

/**
 * Runs one attempt under a deadline on the engine's clock (so a `TestClock`'s
 * `advance` makes it run out). `run` gets a signal that fires when `outer`
 * does or when time runs out, with `expired()` as its reason. The returned
 * promise settles with the attempt, or rejects with that reason when time runs
 * out first: JavaScript cannot stop the call, so it goes on unobserved and its
 * late outcome is dropped.
 */
export function withDeadline<T>(clock: Clock, ms: number, outer: AbortSignal, expired: () => Error, run: (signal: AbortSignal) => T | Promise<T>): Promise<T> {
  const attempt = new AbortController();
  const settled = new AbortController();
  // Forwarded by hand rather than AbortSignal.any: the listener goes with the attempt, not whenever GC gets to it.
  const forward = (): void => attempt.abort(outer.reason);
  if (outer.aborted) forward();
  else outer.addEventListener('abort', forward, { once: true });
  return new Promise<T>((resolve, reject) => {
    void clock.sleep(ms, settled.signal).then(() => {
      if (settled.signal.aborted) return;
      const error = expired();
      attempt.abort(error);
      reject(error);
    });
    let call: Promise<T>;
    try {
      call = Promise.resolve(run(attempt.signal));
    } catch (error) {
      call = Promise.reject(error);
    }
    void call.then(resolve, reject).finally(() => {
      outer.removeEventListener('abort', forward);
      settled.abort();
    });
  });
}
