import type { WorkflowCancelledFailure } from '../errors.js';
import type { ExecutionReason, StepKind } from '../store/statuses.js';

/** What every workflow event tells: which workflow, in which run and execution, and when. */
export interface WorkflowEventBase {
  /** The workflow entity's id. */
  readonly workflowId: string;
  /** The run (execution tree) it belongs to. */
  readonly runId: string;
  /** Durable name of the workflow. */
  readonly workflowName: string;
  /** The workflow execution the event belongs to (absent for events of a client call, e.g. a cancel of a waiting workflow). */
  readonly executionId?: string;
  /** The parent workflow of a child workflow. */
  readonly parentId?: string;
  /** When the event's rows were committed (the engine clock). */
  readonly at: Date;
}

/** `workflow.started`: an execution of the body began (first start, retry, recovery, wake-up, resume, continue-as-new). */
export interface WorkflowStartedEvent extends WorkflowEventBase {
  readonly executionId: string;
  /** Why the body was entered (never `compensate`: a compensation phase is `workflow.compensating`). */
  readonly reason: Exclude<ExecutionReason, 'compensate'>;
  /** 1 for the first attempt of the body, 2 after its first failure, ... */
  readonly attempt: number;
}

/** `workflow.completed`: the workflow returned; its output is recorded. */
export interface WorkflowCompletedEvent extends WorkflowEventBase {
  readonly executionId: string;
  /** How long the last execution ran, in ms. */
  readonly durationMs: number;
}

/** `workflow.failed`: the workflow failed terminally (no retry left, nothing to compensate). */
export interface WorkflowFailedEvent extends WorkflowEventBase {
  readonly error: Error;
  /** Failed executions of the body in this round. */
  readonly attempts: number;
}

/** `workflow.retried`: a failed workflow was scheduled to run again. */
export interface WorkflowRetriedEvent extends WorkflowEventBase {
  /** `policy`: its retry policy allows another attempt; `manual`: `engine.retry()`. */
  readonly trigger: 'policy' | 'manual';
  /** Why the last execution failed (policy retries). */
  readonly error?: Error;
  /** Failed executions so far in this round (policy retries). */
  readonly attempts?: number;
  /** When it runs again. */
  readonly retryAt: Date;
}

/** `workflow.compensating`: the workflow failed or was cancelled, and the compensations of its completed saga steps begin. */
export interface WorkflowCompensatingEvent extends WorkflowEventBase {
  readonly executionId: string;
  /** Why it compensates (the original failure, or a WorkflowCancelledFailure). */
  readonly error?: Error;
  /**
   * False when the phase begins; true when it goes on after a stop: a retry backoff of a compensation that
   * suspended the workflow, a crash, a `close()`. Count `resumed: false` events to count compensating workflows.
   */
  readonly resumed: boolean;
}

/** `workflow.compensated`: every compensation ran; the workflow ended `compensated`. */
export interface WorkflowCompensatedEvent extends WorkflowEventBase {
  readonly executionId: string;
  /** Why it compensated, as on `workflow.compensating`: the original failure, or a WorkflowCancelledFailure. */
  readonly error?: Error;
}

/** `workflow.compensation_failed`: a compensation gave up; the workflow ended `compensation_failed`. */
export interface WorkflowCompensationFailedEvent extends WorkflowEventBase {
  readonly executionId: string;
  /** The CompensationFailure. */
  readonly error: Error;
}

/** `workflow.cancelled`: the workflow ended `cancelled` (with nothing to compensate). */
export interface WorkflowCancelledEvent extends WorkflowEventBase {
  /** The WorkflowCancelledFailure its `result()` has as cause (`deadline` set when it timed out). */
  readonly error: WorkflowCancelledFailure;
  /** True when it was cancelled because it reached its deadline (`timeout`), as `error.timedOut`. */
  readonly timedOut: boolean;
}

/**
 * `workflow.paused`: the workflow is now `paused`, holding no queue slot until `resume()`.
 * Emitted by the engine whose body stopped for the pause, or by the process whose `pause()`
 * paused a workflow no body ran (pending, waiting).
 */
export interface WorkflowPausedEvent extends WorkflowEventBase {
  /**
   * `requested`: a `pause()`; `non_determinism`: the engine paused it because its code no longer
   * matches its recorded steps (`error` is the NonDeterminismError); `setup`: the engine cannot run it as
   * deployed, because its container cannot create the workflow's (or a saga step's) class, its `register` leaves
   * out a step or child workflow the body calls, or its codec cannot decode a stored payload (`error` says which).
   * Fix the deployment, then resume it.
   */
  readonly reason: 'requested' | 'non_determinism' | 'setup';
  /** What made the engine pause it (`non_determinism`, `setup`). */
  readonly error?: Error;
}

/** What every step event tells. */
export interface StepEventBase extends WorkflowEventBase {
  readonly executionId: string;
  /** The step id, e.g. `OrderService.charge#0`. */
  readonly stepId: string;
  readonly kind: StepKind;
  /** Durable name of the step. */
  readonly name: string;
  /** 1-based attempt within the current round. */
  readonly attempt: number;
}

/** `step.started`: an attempt of an activity or saga transaction is recorded as running (a side effect: its value, or the error it threw, is recorded). */
export type StepStartedEvent = StepEventBase;

/** `step.completed`: a step attempt's result is recorded. */
export interface StepCompletedEvent extends StepEventBase {
  readonly durationMs: number;
}

/** `step.failed`: a step attempt failed and its error is recorded. */
export interface StepFailedEvent extends StepEventBase {
  readonly error: Error;
  readonly durationMs: number;
  /** Whether another attempt follows (retry policy), else the step gave up. */
  readonly willRetry: boolean;
}

/** What every compensation event tells. */
export interface CompensationEventBase extends WorkflowEventBase {
  readonly executionId: string;
  /** Step id of the saga step being compensated. */
  readonly stepId: string;
  /** Durable name of the saga step. */
  readonly name: string;
  /** 1-based compensation attempt within the current round. */
  readonly attempt: number;
}

/** `compensation.started`: a compensation attempt is recorded as running. */
export type CompensationStartedEvent = CompensationEventBase;

/** `compensation.completed`: a saga step's compensation succeeded. */
export interface CompensationCompletedEvent extends CompensationEventBase {
  readonly durationMs: number;
}

/** `compensation.failed`: a compensation attempt failed. */
export interface CompensationFailedEvent extends CompensationEventBase {
  readonly error: Error;
  readonly durationMs: number;
  /** Whether another attempt follows, else the compensation gave up. */
  readonly willRetry: boolean;
}

/**
 * The engine's lifecycle events by name: `engine.on(name, listener)`.
 * Each is emitted by the process that did the work, after the rows it
 * reports are committed (never before).
 */
export interface TempoliteEvents {
  'workflow.started': WorkflowStartedEvent;
  'workflow.completed': WorkflowCompletedEvent;
  'workflow.failed': WorkflowFailedEvent;
  'workflow.retried': WorkflowRetriedEvent;
  'workflow.compensating': WorkflowCompensatingEvent;
  'workflow.compensated': WorkflowCompensatedEvent;
  'workflow.compensation_failed': WorkflowCompensationFailedEvent;
  'workflow.cancelled': WorkflowCancelledEvent;
  'workflow.paused': WorkflowPausedEvent;
  'step.started': StepStartedEvent;
  'step.completed': StepCompletedEvent;
  'step.failed': StepFailedEvent;
  'compensation.started': CompensationStartedEvent;
  'compensation.completed': CompensationCompletedEvent;
  'compensation.failed': CompensationFailedEvent;
}

/** One of the event names of {@link TempoliteEvents}. */
export type TempoliteEventName = keyof TempoliteEvents;

/** A listener of one event; a returned promise is not awaited (a rejection is logged). */
export type TempoliteListener<K extends TempoliteEventName> = (event: TempoliteEvents[K]) => unknown;
