import { onClock, type Clock } from '../clock.js';
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
 * `advance` makes it run out). `run` gets the attempt's signal, made on first
 * read (most activities never read it), which fires when `outer` does or when
 * time runs out, with `expired()` as its reason. The returned promise settles
 * with the attempt, or rejects with that reason when time runs out first:
 * JavaScript cannot stop the call, so it goes on unobserved and its late
 * outcome is dropped.
 */
export function withDeadline<T>(clock: Clock, ms: number, outer: AbortSignal, expired: () => Error, run: (signal: () => AbortSignal) => T | Promise<T>): Promise<T> {
  let attempt: AbortController | undefined;
  let timedOut: Error | undefined;
  let settled = false;
  // Forwarded by hand rather than AbortSignal.any: the listener goes with the attempt, not whenever GC gets to it.
  const forward = (): void => attempt?.abort(outer.reason);
  const signal = (): AbortSignal => {
    if (attempt === undefined) {
      attempt = new AbortController();
      if (timedOut !== undefined) attempt.abort(timedOut);
      else if (outer.aborted) attempt.abort(outer.reason);
      else if (!settled) outer.addEventListener('abort', forward, { once: true });
    }
    return attempt.signal;
  };
  return new Promise<T>((resolve, reject) => {
    const cancelTimer = onClock(clock, ms, () => {
      if (settled) return;
      settled = true;
      timedOut = expired();
      outer.removeEventListener('abort', forward);
      attempt?.abort(timedOut);
      reject(timedOut);
    });
    const finish = (): void => {
      if (settled) return;
      settled = true;
      cancelTimer();
      outer.removeEventListener('abort', forward);
    };
    let call: Promise<T>;
    try {
      call = Promise.resolve(run(signal));
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      (value) => {
        finish();
        resolve(value);
      },
      (error: unknown) => {
        finish();
        reject(error);
      },
    );
  });
}
