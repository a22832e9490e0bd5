import type { AttemptStatus, ExecutionReason, ExecutionStatus, StepKind, StepStatus, WorkflowStatus } from '../store/statuses.js';

/** One attempt of a step. */
export interface AttemptDescription {
  readonly id: string;
  readonly attempt: number;
  /** Saga attempts only: `transaction` or `compensation`. */
  readonly kind?: 'transaction' | 'compensation';
  readonly status: AttemptStatus;
  /** The workflow execution during which the attempt ran. */
  readonly workflowExecutionId: string;
  readonly error?: Error;
  readonly startedAt: Date;
  readonly endedAt?: Date;
  readonly durationMs?: number;
}

/** One checkpointed step (activity, side effect, saga step). */
export interface StepDescription {
  readonly id: string;
  readonly stepId: string;
  readonly kind: StepKind;
  readonly name: string;
  readonly status: StepStatus;
  readonly generation: number;
  /**
   * Runs recorded for the step: `executions.length`, so retries, runs cut short (`interrupted`, which do not
   * count against `maxAttempts`) and, for a saga step, its compensation attempts included.
   */
  readonly attempts: number;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: Error;
  /** Saga steps whose compensation gave up (`compensation_failed`): what it threw last. */
  readonly compensationError?: Error;
  /** Attempts in order; a saga step's carry `kind` `transaction` or `compensation`. */
  readonly executions: readonly AttemptDescription[];
}

/** One entry into the workflow body. */
export interface ExecutionDescription {
  readonly id: string;
  /** 1-based sequence number of the execution. */
  readonly number: number;
  readonly generation: number;
  readonly reason: ExecutionReason;
  readonly status: ExecutionStatus;
  readonly error?: Error;
  /** The `workerId` of the engine that ran it (holds it, while `running`: after a crash, the dead engine's until recovery). */
  readonly owner?: string;
  readonly startedAt: Date;
  readonly endedAt?: Date;
  readonly durationMs?: number;
}

/** What became of a durable timer; see {@link TimerDescription}. */
export type TimerStatus = 'pending' | 'fired' | 'timed_out' | 'cancelled';

/** A durable timer of a workflow: a sleep's wake time, or the deadline of a signal wait. */
export interface TimerDescription {
  /** The step id of the wait, e.g. `tempolite.sleep#0` or `tempolite.signal#1`. */
  readonly stepId: string;
  /** `sleep`, or `signal` for the deadline of a `waitForSignal` with a timeout. */
  readonly kind: 'sleep' | 'signal';
  /** The generation (see `continueAsNew`) whose wait set it: each generation numbers its waits from 0 again. */
  readonly generation: number;
  /** `pending`, `fired` (the sleep ended, or the signal wait's signal came first), `timed_out` (the signal wait gave up), `cancelled`. */
  readonly status: TimerStatus;
  readonly wakeAt: Date;
  /** A signal wait's: the signal names it waits for. Absent for a sleep. */
  readonly signals?: readonly string[];
}

/** A signal wait under way (with or without a timeout): what a waiting workflow waits for. */
export interface SignalWaitDescription {
  /** The step id of the wait, e.g. `tempolite.signal#1`. */
  readonly stepId: string;
  /** The generation (see `continueAsNew`) whose body waits there. */
  readonly generation: number;
  /** The signal names it takes, as the code deployed last asked for them. */
  readonly signals: readonly string[];
  /** When it gives up (its timeout); absent for a wait without one. */
  readonly deadline?: Date;
}

/** A signal sent to a workflow: buffered until a `waitForSignal` step consumes it. */
export interface SignalDescription {
  readonly id: string;
  readonly name: string;
  readonly payload?: unknown;
  readonly sentAt: Date;
  /** When a wait step consumed it; absent while it is buffered. */
  readonly consumedAt?: Date;
  /** The step id of the wait that consumed it. */
  readonly consumedBy?: string;
  /** The `continueAsNew` generation of that wait: step ids count again from `#0` in each generation. */
  readonly consumedGeneration?: number;
  /** The sender's `idempotencyKey`, when it gave one. */
  readonly idempotencyKey?: string;
}

/** Everything known about one workflow: its run, executions and steps. */
export interface WorkflowDescription {
  readonly run: { readonly id: string; readonly status: WorkflowStatus; readonly rootWorkflowId: string; readonly createdAt: Date };
  readonly workflowId: string;
  readonly name: string;
  readonly queue: string;
  readonly status: WorkflowStatus;
  readonly generation: number;
  readonly parentId?: string;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: Error;
  readonly createdAt: Date;
  readonly completedAt?: Date;
  /** When its start's `timeout` runs out; absent without one. */
  readonly deadline?: Date;
  /**
   * A cancel or pause asked of it that has not taken effect yet: its body stops for it at its next step
   * boundary. Absent when none is waiting (and once it took effect: the status says so).
   */
  readonly requested?: 'cancel' | 'pause';
  readonly executions: readonly ExecutionDescription[];
  readonly steps: readonly StepDescription[];
  /** Child workflows started by this one, described the same way. */
  readonly children: readonly WorkflowDescription[];
  /** Its durable timers (sleeps, signal deadlines), oldest first. */
  readonly timers: readonly TimerDescription[];
  /** Signals sent to it, in arrival order. */
  readonly signals: readonly SignalDescription[];
  /** The signal waits it is in now, each with the names it waits for (empty when it waits for none). */
  readonly signalWaits: readonly SignalWaitDescription[];
  /**
   * Stored payloads of this workflow that the engine's codec cannot decode (another codec wrote them, a wrong
   * key): each field left out of the description, with the reason. Absent when every payload decoded.
   */
  readonly undecodable?: readonly UndecodablePayload[];
}

/** A stored payload `describe()` could not decode, and left out. */
export interface UndecodablePayload {
  /** Where it belongs: `input`, `output`, `steps[<stepId>].input`, `steps[<stepId>].output` or `signals[<id>].payload`. */
  readonly path: string;
  /** Why: the codec's `SerializationError`. */
  readonly error: Error;
}

/** A line of `list()`. */
export interface WorkflowSummary {
  readonly workflowId: string;
  readonly runId: string;
  readonly name: string;
  readonly queue: string;
  readonly status: WorkflowStatus;
  /** The workflow that started it as a child; absent for a root (a workflow started by `startWorkflow`). */
  readonly parentId?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly completedAt?: Date;
  /** When its start's `timeout` runs out; absent without one. */
  readonly deadline?: Date;
}
