import { InvalidOptionsError } from '../errors.js';
import { positiveDurationMs, type Duration } from './duration.js';
import { refuseUnknownKeys } from './option-keys.js';

/** Options of `engine.close()`. */
export interface CloseOptions {
  /**
   * How long (in real time, whatever the engine's `clock`) `close()` waits for running workflows to stop at a
   * step boundary. Past it, `close()` stops waiting for an activity that ignores its `AbortSignal`: it logs a
   * warning naming the workflows still running, keeps their leases and closes the database, as a crash would
   * leave them. That activity goes on in this process until it returns; what it then returns is not recorded,
   * and the workflow is recovered (`recovery`) by the next engine, which runs the activity again.
   * @default the engine's `closeTimeoutMs`; without one, none: waits for every running activity, however long it takes
   */
  timeout?: Duration | undefined;
}

const SUBJECT = 'close()';

/**
 * Checks `close()`'s options.
 * @returns the timeout in milliseconds, or `undefined` for none
 * @throws InvalidOptionsError for an unknown key or a malformed `timeout`
 */
export function closeTimeoutMs(options: unknown): number | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InvalidOptionsError(SUBJECT, 'options', 'must be an object such as { timeout: "10s" }');
  const given = options as Record<string, unknown>;
  refuseUnknownKeys(SUBJECT, given, ['timeout']);
  return given.timeout === undefined ? undefined : positiveDurationMs(given.timeout, SUBJECT, 'timeout');
}
