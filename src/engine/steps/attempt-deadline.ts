import { onClock, type Clock } from '../clock.js';
import { positiveDurationMs } from '../duration.js';

/**
 * An attempt's `timeout` option in milliseconds.
 * @throws InvalidOptionsError for anything but a duration of at least 1 ms
 */
export function attemptTimeoutMs(value: unknown, subject: string): number {
  return positiveDurationMs(value, subject, 'timeout');
}

/** The signal of one attempt: made on first read, it follows the execution's until the attempt ends. */
export interface AttemptSignal {
  /** The attempt's signal (made now when this is the first read). */
  readonly signal: () => AbortSignal;
  /** Aborts the attempt's signal (now, or at its first read) with `reason`, and stops following the execution's. */
  readonly abort: (reason: Error) => void;
  /** The attempt ended: its signal no longer follows the execution's, so a listener it left never fires. */
  readonly release: () => void;
}

/**
 * An attempt's signal, made on first read (most activities never read it).
 * Forwarded by hand rather than AbortSignal.any: the listener goes with the
 * attempt, not whenever GC gets to it.
 */
export function attemptSignal(outer: AbortSignal): AttemptSignal {
  let attempt: AbortController | undefined;
  let aborted: Error | undefined;
  let released = false;
  const forward = (): void => attempt?.abort(outer.reason);
  const release = (): void => {
    released = true;
    outer.removeEventListener('abort', forward);
  };
  return {
    signal: () => {
      if (attempt === undefined) {
        attempt = new AbortController();
        if (aborted !== undefined) attempt.abort(aborted);
        else if (released) return attempt.signal;
        else if (outer.aborted) attempt.abort(outer.reason);
        else outer.addEventListener('abort', forward, { once: true });
      }
      return attempt.signal;
    },
    abort: (reason) => {
      aborted = reason;
      release();
      attempt?.abort(reason);
    },
    release,
  };
}

/**
 * Runs one attempt under a deadline on the engine's clock (so a `TestClock`'s
 * `advance` makes it run out). `run` gets the attempt's signal (see
 * `attemptSignal`), which fires when `outer` does or when time runs out, with
 * `expired()` as its reason. The returned promise settles with the attempt,
 * or rejects with that reason when time runs out first: JavaScript cannot stop
 * the call, so it goes on unobserved and its late outcome is dropped.
 */
export function withDeadline<T>(clock: Clock, ms: number, outer: AbortSignal, expired: () => Error, run: (signal: () => AbortSignal) => T | Promise<T>): Promise<T> {
  const scope = attemptSignal(outer);
  let settled = false;
  return new Promise<T>((resolve, reject) => {
    const cancelTimer = onClock(clock, ms, () => {
      if (settled) return;
      settled = true;
      const timedOut = expired();
      scope.abort(timedOut);
      reject(timedOut);
    });
    const finish = (): void => {
      if (settled) return;
      settled = true;
      cancelTimer();
      scope.release();
    };
    let call: Promise<T>;
    try {
      call = Promise.resolve(run(scope.signal));
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
