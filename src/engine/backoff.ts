/** Longest pause of the engine's loops that wait for an unavailable database to answer again. */
export const MAX_BACKOFF_MS = 30_000;

/**
 * The pause before the next try after `retry` earlier failed ones in a row (0 for the first failure): `firstMs`,
 * doubling each time, at most {@link MAX_BACKOFF_MS}.
 */
export function backoffMs(retry: number, firstMs: number): number {
  return Math.min(MAX_BACKOFF_MS, firstMs * 2 ** retry);
}
