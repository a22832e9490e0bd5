import type { AttemptStatus, ExecutionReason, ExecutionStatus, StepKind, StepStatus, WorkflowStatus } from './statuses.js';

/** A workflow entity as stored. */
export interface WorkflowRow {
  readonly id: string;
  readonly runId: string;
  readonly name: string;
  readonly queue: string;
  readonly priority: number;
  readonly status: WorkflowStatus;
  readonly generation: number;
  /** Failed executions in the current round of retries. */
  readonly attempts: number;
  readonly parentId: string | null;
  readonly parentGeneration: number | null;
  readonly parentStepId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly completedAt: number | null;
  /** When a start's `timeout` runs out (epoch ms); null without one. */
  readonly deadlineAt?: number | null;
}

/** A workflow execution as stored. */
export interface ExecutionRow {
  readonly id: string;
  readonly workflowId: string;
  readonly generation: number;
  readonly attempt: number;
  readonly reason: ExecutionReason;
  readonly status: ExecutionStatus;
  readonly error: string | null;
  readonly owner: string | null;
  readonly startedAt: number;
  readonly endedAt: number | null;
}

/** A checkpointed step of one generation, as loaded on entry. */
export interface CheckpointRow {
  readonly kind: StepKind;
  readonly id: string;
  readonly stepId: string;
  readonly name: string;
  readonly status: StepStatus;
  /** Failed attempts in the current round. */
  readonly attempts: number;
  readonly output: string | null;
  readonly error: string | null;
  readonly updatedAt: number;
}

/** One attempt of a step, for describe(). */
export interface AttemptRow {
  readonly id: string;
  readonly stepEntityId: string;
  readonly workflowExecutionId: string;
  readonly attempt: number;
  readonly kind: 'transaction' | 'compensation' | null;
  readonly status: AttemptStatus;
  readonly error: string | null;
  readonly startedAt: number;
  readonly endedAt: number | null;
}

/** A step with its payloads, for describe(). */
export interface StepRow extends CheckpointRow {
  readonly generation: number;
  readonly input: string | null;
  readonly createdAt: number;
}

/** A run as stored. */
export interface RunRow {
  readonly id: string;
  readonly rootWorkflowId: string;
  readonly status: WorkflowStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Payloads of a workflow. */
export interface WorkflowDataRow {
  readonly input: string | null;
  readonly output: string | null;
  readonly error: string | null;
}

/** A child workflow started by a step of its parent, as loaded with the parent's checkpoints. */
export interface ChildRow {
  readonly id: string;
  readonly name: string;
  readonly status: WorkflowStatus;
  readonly parentStepId: string;
  readonly runId: string;
  readonly output: string | null;
  readonly error: string | null;
}
