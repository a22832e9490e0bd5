import { InvalidOptionsError, describeCause } from '../errors.js';
import { positiveDurationMs } from '../engine/duration.js';
import { refuseUnknownKeys } from '../engine/option-keys.js';
import { NOT_STORABLE, isStorableText } from '../store/storable-text.js';

/** Longest workflow id (the id columns hold 255 characters). */
export const MAX_WORKFLOW_ID = 255;

/**
 * Checks a workflow id: a string of 1 to 255 characters of well-formed Unicode.
 * @throws InvalidOptionsError
 */
export function checkWorkflowId(id: unknown, subject: string, path = 'id'): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_WORKFLOW_ID) {
    throw new InvalidOptionsError(subject, path, `must be a string of 1 to ${MAX_WORKFLOW_ID} characters, got ${typeof id === 'string' ? `${id.length} characters` : describeCause(id)}`);
  }
  if (!isStorableText(id)) throw new InvalidOptionsError(subject, path, NOT_STORABLE);
  return id;
}

/** The options shared by `engine.startWorkflow` and detached starts, with their types checked. */
export interface CheckedStartOptions {
  readonly id?: string;
  readonly queue?: string;
  readonly priority: number;
  /** The `timeout` in milliseconds. */
  readonly timeoutMs?: number;
}

/** Largest priority (and, negated, the smallest): a 32-bit signed integer, as PostgreSQL stores it. */
const MAX_PRIORITY = 2_147_483_647;

/**
 * Reads `id`, `queue`, `priority` and `timeout` of start options, refusing values of the
 * wrong type and any other key (absent ones stay absent; priority defaults to 0). Whether the
 * queue exists is the caller's check.
 * @throws InvalidOptionsError
 */
export function checkStartOptions(options: unknown, subject: string): CheckedStartOptions {
  if (options === undefined || options === null) return { priority: 0 };
  if (typeof options !== 'object' || Array.isArray(options)) throw new InvalidOptionsError(subject, 'options', `must be an object, got ${describeCause(options)}`);
  refuseUnknownKeys(subject, options, ['id', 'queue', 'priority', 'timeout']);
  const { id, queue, priority, timeout } = options as { id?: unknown; queue?: unknown; priority?: unknown; timeout?: unknown };
  if (queue !== undefined && (typeof queue !== 'string' || queue.length === 0)) throw new InvalidOptionsError(subject, 'queue', `must be the name of a declared queue, got ${describeCause(queue)}`);
  if (typeof queue === 'string' && !isStorableText(queue)) throw new InvalidOptionsError(subject, 'queue', NOT_STORABLE);
  // PostgreSQL stores it as a 32-bit integer; SQLite would take more, so one range holds on both.
  if (priority !== undefined && (!Number.isSafeInteger(priority) || Math.abs(priority as number) > MAX_PRIORITY)) {
    throw new InvalidOptionsError(subject, 'priority', `must be an integer from -${MAX_PRIORITY} to ${MAX_PRIORITY}`);
  }
  return {
    ...(id !== undefined ? { id: checkWorkflowId(id, subject) } : {}),
    ...(queue !== undefined ? { queue } : {}),
    priority: (priority as number | undefined) ?? 0,
    ...(timeout !== undefined ? { timeoutMs: positiveDurationMs(timeout, subject, 'timeout') } : {}),
  };
}
