import { MAX_TIMER_MS } from './clock.js';

/**
 * Waits for `work`, or for `timeoutMs` of real time if it is given, whichever comes first.
 * @returns `[]` when `work` settled in time, else what `leftOver()` says was still under way
 */
export async function settledWithin(work: Promise<unknown>, timeoutMs: number | undefined, leftOver: () => string[]): Promise<string[]> {
  const done = work.then(
    () => true,
    () => true,
  );
  if (timeoutMs === undefined || timeoutMs > MAX_TIMER_MS) {
    await done;
    return [];
  }
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return (await Promise.race([done, expired])) ? [] : leftOver();
  } finally {
    clearTimeout(timer);
  }
}
