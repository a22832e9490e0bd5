import type { WorkflowStatus } from '../store/statuses.js';
import * as errors from '../errors.js';
import { ActivityFailure, ChildWorkflowFailure, CompensationFailure, NonDeterminismError, TempoliteError, WorkflowCancelledFailure, WorkflowFailure, isErrorCode } from '../errors.js';

type ErrorClass = abstract new (...args: never[]) => TempoliteError;

/** Every error class of the hierarchy, by name: a stored one comes back as an instance of its class. */
const TEMPOLITE_ERROR_CLASSES: ReadonlyMap<string, ErrorClass> = new Map(
  (Object.values(errors) as unknown[])
    .filter((value): value is ErrorClass => typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof TempoliteError)
    .map((errorClass) => [errorClass.name, errorClass]),
);

/**
 * Decoded errors are plain `Error`s with the original name; Tempolite's own
 * failure classes are rebuilt so callers can use `instanceof` and read their ids.
 */
export function reviveFailure(error: Error): Error {
  const fields = error as Error & Record<string, unknown>;
  const cause = fields.cause instanceof Error ? reviveFailure(fields.cause) : fields.cause;
  let revived: Error | undefined;
  if (error.name === 'ActivityFailure' && typeof fields.workflowId === 'string' && typeof fields.stepId === 'string') {
    revived = new ActivityFailure(fields.workflowId, fields.stepId, String(fields.activityName), Number(fields.attempts), cause);
  } else if (error.name === 'WorkflowFailure' && typeof fields.workflowId === 'string') {
    revived = new WorkflowFailure(fields.workflowId, String(fields.workflowName), String(fields.runId), cause);
  } else if (error.name === 'ChildWorkflowFailure' && typeof fields.workflowId === 'string') {
    revived = new ChildWorkflowFailure(fields.workflowId, String(fields.workflowName), String(fields.status) as WorkflowStatus, String(fields.parentId), String(fields.stepId), cause);
  } else if (error.name === 'CompensationFailure' && typeof fields.workflowId === 'string' && typeof fields.stepId === 'string') {
    const original = fields.originalFailure instanceof Error ? reviveFailure(fields.originalFailure) : fields.originalFailure;
    revived = new CompensationFailure(fields.workflowId, fields.stepId, String(fields.sagaName), Number(fields.attempts), cause, original);
  } else if (error.name === 'WorkflowCancelledFailure' && typeof fields.workflowId === 'string') {
    const deadline = fields.deadline instanceof Date ? fields.deadline : typeof fields.deadline === 'string' || typeof fields.deadline === 'number' ? new Date(fields.deadline) : undefined;
    revived = new WorkflowCancelledFailure(fields.workflowId, String(fields.workflowName), deadline);
  } else if (error.name === 'NonDeterminismError' && typeof fields.workflowId === 'string' && typeof fields.stepId === 'string') {
    const shape = (value: unknown): { kind: string; name: string } => ({ kind: String((value as { kind?: unknown })?.kind), name: String((value as { name?: unknown })?.name) });
    revived = new NonDeterminismError(fields.workflowId, fields.stepId, shape(fields.expected), shape(fields.recorded));
  }
  if (revived === undefined) return reviveTempoliteError(error, cause);
  // Stored in its minimal form (too large with its chain), a failure lost its cause: its message, built from
  // the cause's, would read "…: undefined". The stored one still has the start of it.
  if (cause === undefined && !(revived instanceof WorkflowCancelledFailure) && !(revived instanceof NonDeterminismError)) revived.message = error.message;
  if (error.stack !== undefined) revived.stack = error.stack;
  return revived;
}

/**
 * Another error of the hierarchy (an `InvalidOptionsError` thrown in a body, a `StorageError`...): its
 * prototype back, its stored fields kept as they are. Only with one of Tempolite's codes, so an
 * application's own error that happens to share a name stays what it was.
 */
function reviveTempoliteError(error: Error, cause: unknown): Error {
  const errorClass = TEMPOLITE_ERROR_CLASSES.get(error.name);
  if (errorClass !== undefined && isErrorCode((error as Error & { code?: unknown }).code)) Object.setPrototypeOf(error, errorClass.prototype as object);
  // Also under an application's own error: a Tempolite failure it wraps (`new Error('…', { cause })`) comes back as its class.
  if (cause !== (error as Error & { cause?: unknown }).cause) Object.defineProperty(error, 'cause', { value: cause, writable: true, enumerable: false, configurable: true });
  return error;
}
