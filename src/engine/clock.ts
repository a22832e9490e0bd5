/** Where the engine reads time and waits. Injectable so tests can skip time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `listener` whenever time jumps forward other than by its own passing
   * (a test clock's `advance`), so that the engine looks for work that became
   * due at once instead of at its next poll. Returns a function that removes it.
   * Clocks whose time only passes naturally leave it out.
   */
  onAdvance?(listener: () => void): () => void;
}

/** The longest delay `setTimeout` honours; a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** The wall clock. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clear();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const clear = wallTimer(ms, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/**
 * Calls `fn` once `ms` have passed on the wall clock; returns what cancels it.
 * Node fires a timer longer than 2^31 - 1 ms after 1 ms: a long wait is several timers in a row.
 */
export function wallTimer(ms: number, fn: () => void): () => void {
  const until = Date.now() + Math.max(0, ms);
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const left = until - Date.now();
    timer = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(fn, Math.max(0, left));
  };
  arm();
  return () => clearTimeout(timer);
}

/**
 * Calls `fn` once `ms` have passed on `clock`; returns what cancels it. On the wall clock a bare timer, with no
 * promise or AbortController: an activity with a timeout pays for one per attempt.
 */
export function onClock(clock: Clock, ms: number, fn: () => void): () => void {
  if (clock instanceof SystemClock) return wallTimer(ms, fn);
  const cancel = new AbortController();
  void clock.sleep(ms, cancel.signal).then(() => {
    if (!cancel.signal.aborted) fn();
  });
  return () => cancel.abort();
}
