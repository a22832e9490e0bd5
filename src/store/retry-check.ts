import { InvalidStateError, WorkflowNotFoundError } from '../errors.js';
import type { WorkflowStatus } from './statuses.js';

/**
 * Refuses, inside the retry's own write, a workflow that is gone or no longer
 * `failed`: between the caller's read and this write another process may have
 * pruned it or retried it already (and a worker may be running it again).
 * @throws WorkflowNotFoundError, InvalidStateError
 */
export function assertRetryable<T extends { readonly status: WorkflowStatus }>(workflowId: string, row: T | undefined): asserts row is T {
  if (row === undefined) throw new WorkflowNotFoundError(workflowId);
  if (row.status !== 'failed') throw new InvalidStateError(workflowId, row.status, 'retry');
}
