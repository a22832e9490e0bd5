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

/** The longest delay `setTimeout` honours. */
const MAX_TIMER_MS = 2_147_483_647;

/** The wall clock. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const until = Date.now() + Math.max(0, ms);
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      // Node fires a timer longer than 2^31 - 1 ms after 1 ms: a long wait is several timers in a row.
      const arm = (): void => {
        const left = until - Date.now();
        timer = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(done, Math.max(0, left));
      };
      arm();
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
