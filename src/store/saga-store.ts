import type { AttemptStatus, ExecutionStatus, StepStatus } from './statuses.js';

/** A saga step whose transaction completed, with what its compensation needs. */
export interface SagaStepRow {
  /** Saga entity id. */
  readonly id: string;
  readonly stepId: string;
  /** Durable name of the saga step. */
  readonly name: string;
  /** `completed` until compensation starts, then `compensating`, `compensated` or `compensation_failed`. */
  readonly status: StepStatus;
  /** Failed compensation attempts in the current round. */
  readonly compensationAttempts: number;
  /** Position among the workflow's completed saga steps (1 = first to complete). */
  readonly completedOrder: number;
  /** Encoded arguments of the transaction. */
  readonly input: string | null;
  /** Encoded result of the transaction. */
  readonly output: string | null;
  /** Encoded terminal error of the compensation, if it gave up. */
  readonly compensationError: string | null;
  readonly updatedAt: number;
}

/** How a workflow enters (or resumes) its compensation phase. */
export interface CompensationStart {
  readonly workflowId: string;
  /** Id of the execution row the compensation phase runs as. */
  readonly executionId: string;
  /** Worker that runs the phase; it must hold the task's lease or find it free. */
  readonly owner: string;
  readonly leaseMs: number;
  /** The body execution that ended and triggered compensation (it failed, or was cancelled). */
  readonly trigger?: { readonly executionId: string; readonly status: ExecutionStatus; readonly error?: string };
  /** The original failure, kept as the workflow's error. */
  readonly error?: string;
  /** Failed body executions in the current round, after the trigger. */
  readonly attempts?: number;
  readonly now: number;
}

/** The start of one compensation attempt. */
export interface CompensationAttemptStart {
  readonly stepEntityId: string;
  readonly attemptId: string;
  readonly workflowExecutionId: string;
  /** 1-based within the current round of compensation attempts. */
  readonly attempt: number;
  readonly now: number;
}

/** The end of one compensation attempt. */
export interface CompensationAttemptEnd {
  readonly stepEntityId: string;
  readonly attemptId: string;
  readonly attemptStatus: AttemptStatus;
  readonly stepStatus: 'compensating' | 'compensated' | 'compensation_failed';
  /** Failed compensation attempts in the current round, after this one. */
  readonly attempts: number;
  /** Encoded error of a failed attempt. */
  readonly error?: string;
  readonly now: number;
}

/** What the saga engine (src/engine/saga) needs from a store, on top of the step operations. */
export interface SagaStore {
  /** Saga steps of one generation whose transaction completed, latest completion first. */
  completedSagaSteps(workflowId: string, generation: number): Promise<SagaStepRow[]>;
  /**
   * Atomically: takes the task's lease (refused when another live worker
   * holds it, or when the workflow is finished), ends the trigger execution,
   * marks an execution a crash left running as interrupted, records the
   * compensation execution and moves the workflow to `compensating`.
   * @returns false when refused (nothing written)
   */
  beginCompensation(start: CompensationStart): Promise<boolean>;
  /** Starts one compensation attempt; the step becomes `compensating`. */
  beginCompensationAttempt(start: CompensationAttemptStart): Promise<void>;
  /** Ends one compensation attempt and records the step's state. */
  endCompensationAttempt(end: CompensationAttemptEnd): Promise<void>;
  /**
   * Puts a `compensation_failed` workflow back to `compensating`: its failed
   * compensations get a fresh round, the task becomes due now.
   * @returns false when the workflow is not `compensation_failed`
   */
  reopenCompensation(workflowId: string, now: number): Promise<boolean>;
}
