/** Status of a workflow entity: the logical outcome a client sees. */
export type WorkflowStatus =
  | 'pending'
  | 'running'
  | 'waiting'
  | 'paused'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'compensating'
  | 'compensated'
  | 'compensation_failed';

/** Every workflow status, for validating filters (`list()`, the CLI, the dashboard). */
export const WORKFLOW_STATUSES: readonly WorkflowStatus[] = [
  'pending', 'running', 'waiting', 'paused', 'compensating', 'completed', 'failed', 'cancelled', 'compensated', 'compensation_failed',
];

/** Status of one entry into a workflow body. */
export type ExecutionStatus = 'running' | 'completed' | 'failed' | 'interrupted' | 'suspended' | 'paused' | 'continued' | 'cancelled';

/**
 * Why a workflow execution began. `compensate` is not an entry into the body:
 * it is the phase that runs the saga compensations after a terminal failure
 * (or a cancel), and its resumption after a crash or a long retry wait.
 */
export type ExecutionReason = 'start' | 'retry' | 'recovery' | 'wake' | 'resume' | 'continue' | 'compensate';

/** Status of a step entity (activity, side effect, saga transaction). */
export type StepStatus = 'pending' | 'running' | 'retrying' | 'completed' | 'failed' | 'compensating' | 'compensated' | 'compensation_failed';

/** Status of one step attempt. */
export type AttemptStatus = 'running' | 'completed' | 'failed' | 'interrupted';

/** Kinds of checkpointed steps. */
export type StepKind = 'activity' | 'sideEffect' | 'saga';

/** The statuses a workflow ends in: it never runs again by itself (what `prune()` filters by). */
export type FinishedStatus = Extract<WorkflowStatus, 'completed' | 'failed' | 'cancelled' | 'compensated' | 'compensation_failed'>;

/** Statuses after which a workflow never runs again by itself. */
export const TERMINAL_WORKFLOW_STATUSES: readonly FinishedStatus[] = ['completed', 'failed', 'cancelled', 'compensated', 'compensation_failed'];

/** The terminal statuses as an SQL list, for `status NOT IN (...)`. */
export const TERMINAL_SQL_LIST = TERMINAL_WORKFLOW_STATUSES.map((status) => `'${status}'`).join(', ');

/** Whether a workflow status is terminal. */
export function isTerminal(status: string): boolean {
  return (TERMINAL_WORKFLOW_STATUSES as readonly string[]).includes(status);
}
