import { InvalidOptionsError } from '../errors.js';
import { toMilliseconds, type Duration } from '../engine/duration.js';
import { refuseUnknownKeys } from '../engine/option-keys.js';
import { TERMINAL_WORKFLOW_STATUSES, type FinishedStatus, type WorkflowStatus } from '../store/statuses.js';

/** Options of `engine.prune()`. */
export interface PruneOptions {
  /** How long ago a run's root workflow must have finished for the run to be deleted, e.g. `'30d'`. */
  olderThan: Duration;
  /**
   * Only runs whose root workflow ended in this status (or one of these); finished statuses only.
   * @default every finished status: completed, failed, cancelled, compensated, compensation_failed
   */
  status?: FinishedStatus | readonly FinishedStatus[] | undefined;
}

const SUBJECT = 'prune()';
const KNOWN_KEYS: readonly string[] = ['olderThan', 'status'];

/**
 * Checks `prune()`'s options.
 * @returns the age in milliseconds and the statuses
 * @throws InvalidOptionsError naming the option: a missing or malformed `olderThan`, a status that is not a finished one, an unknown key
 */
export function checkPruneOptions(options: unknown): { olderThanMs: number; statuses: readonly WorkflowStatus[] } {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError(SUBJECT, 'options', 'must be an object with olderThan');
  const given = options as Record<string, unknown>;
  refuseUnknownKeys(SUBJECT, given, KNOWN_KEYS);
  if (given.olderThan === undefined) throw new InvalidOptionsError(SUBJECT, 'olderThan', 'is required (e.g. "30d"): nothing is deleted without an age');
  const olderThanMs = toMilliseconds(given.olderThan, SUBJECT, 'olderThan');
  const status = given.status ?? TERMINAL_WORKFLOW_STATUSES;
  const statuses: readonly unknown[] = Array.isArray(status) ? status : [status];
  if (statuses.length === 0) throw new InvalidOptionsError(SUBJECT, 'status', 'must name at least one status (leave it out for every finished one)');
  for (const s of statuses) {
    if (!(TERMINAL_WORKFLOW_STATUSES as readonly unknown[]).includes(s)) {
      throw new InvalidOptionsError(SUBJECT, 'status', `${JSON.stringify(s) ?? String(s)} is not a finished status; one of ${TERMINAL_WORKFLOW_STATUSES.join(', ')}`);
    }
  }
  return { olderThanMs, statuses: statuses as readonly WorkflowStatus[] };
}
