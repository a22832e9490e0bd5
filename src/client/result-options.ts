import { InvalidOptionsError } from '../errors.js';
import { positiveDurationMs, type Duration } from '../engine/duration.js';
import { refuseUnknownKeys } from '../engine/option-keys.js';

/** Options of `handle.result()`. */
export interface ResultOptions {
  /**
   * How long to wait, in real time whatever the engine's `clock`. When it runs out first, `result()` rejects with a
   * `ResultTimeoutError` and the workflow goes on; call `result()` again to wait again.
   * @default none: waits until the workflow ends, or until the engine closes
   */
  timeout?: Duration | undefined;
  /**
   * Stops the wait when it aborts: `result()` rejects with the signal's `reason` (as `fetch` does) and the
   * workflow goes on. Aborting does not cancel the workflow (that is `handle.cancel()`).
   * @default none
   */
  signal?: AbortSignal | undefined;
}

/** `ResultOptions` checked: the timeout in milliseconds. */
export interface ResultWait {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const SUBJECT = 'handle.result()';

/**
 * Checks `result()`'s options.
 * @throws InvalidOptionsError for an unknown key, a malformed `timeout` or a `signal` that is not an AbortSignal
 */
export function resultWait(options: unknown): ResultWait {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InvalidOptionsError(SUBJECT, 'options', 'must be an object such as { timeout: "30s" }');
  const given = options as Record<string, unknown>;
  refuseUnknownKeys(SUBJECT, given, ['timeout', 'signal']);
  if (given.signal !== undefined && !(given.signal instanceof AbortSignal)) throw new InvalidOptionsError(SUBJECT, 'signal', 'must be an AbortSignal');
  return {
    ...(given.timeout === undefined ? {} : { timeoutMs: positiveDurationMs(given.timeout, SUBJECT, 'timeout') }),
    ...(given.signal === undefined ? {} : { signal: given.signal }),
  };
}
