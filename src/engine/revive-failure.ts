import { ActivityFailure, ChildWorkflowFailure, CompensationFailure, NonDeterminismError, WorkflowCancelledFailure, WorkflowFailure } from '../errors.js';

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
    revived = new ChildWorkflowFailure(fields.workflowId, String(fields.workflowName), String(fields.status), String(fields.parentId), String(fields.stepId), cause);
  } else if (error.name === 'CompensationFailure' && typeof fields.workflowId === 'string' && typeof fields.stepId === 'string') {
    const original = fields.originalFailure instanceof Error ? reviveFailure(fields.originalFailure) : fields.originalFailure;
    revived = new CompensationFailure(fields.workflowId, fields.stepId, String(fields.sagaName), Number(fields.attempts), cause, original);
  } else if (error.name === 'WorkflowCancelledFailure' && typeof fields.workflowId === 'string') {
    revived = new WorkflowCancelledFailure(fields.workflowId, String(fields.workflowName));
  } else if (error.name === 'NonDeterminismError' && typeof fields.workflowId === 'string' && typeof fields.stepId === 'string') {
    const shape = (value: unknown): { kind: string; name: string } => ({ kind: String((value as { kind?: unknown })?.kind), name: String((value as { name?: unknown })?.name) });
    revived = new NonDeterminismError(fields.workflowId, fields.stepId, shape(fields.expected), shape(fields.recorded));
  }
  if (revived === undefined) return error;
  if (error.stack !== undefined) revived.stack = error.stack;
  return revived;
}
