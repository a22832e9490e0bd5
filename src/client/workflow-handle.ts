import type { WorkflowStatus } from '../store/statuses.js';
import type { WorkflowDescription } from './description.js';
import type { ResultOptions } from './result-options.js';
import type { SignalOptions } from './signal-options.js';

/** What a handle asks of the engine. */
export interface HandleBackend {
  waitForResult(workflowId: string, runId: string, options?: ResultOptions): Promise<unknown>;
  describe(workflowId: string, runId: string): Promise<WorkflowDescription>;
  status(workflowId: string, runId: string): Promise<WorkflowStatus>;
  signal(workflowId: string, runId: string, name: string, payload?: unknown, options?: SignalOptions): Promise<boolean>;
  cancel(workflowId: string, runId: string): Promise<void>;
  pause(workflowId: string, runId: string): Promise<void>;
  resume(workflowId: string, runId: string): Promise<void>;
}

/**
 * A client's handle on one workflow entity (the logical model): its outcome
 * includes every retry and recovery. Cheap to create; holds no resources.
 * It names one run: once that run is pruned, its calls are a `WorkflowNotFoundError`, also when the id has
 * been started again (a new run, which the handle does not follow).
 */
export class WorkflowHandle<R = unknown> {
  constructor(
    /** The workflow entity's id. */
    readonly workflowId: string,
    /** The run (execution tree) the workflow belongs to. */
    readonly runId: string,
    /** Durable name of the workflow. */
    readonly workflowName: string,
    private readonly backend: HandleBackend,
  ) {}

  /**
   * Waits for the logical outcome. Calls on one workflow share one watch of it, and a call that gives up
   * (`timeout`, `signal`) stops costing anything.
   * @returns the workflow's return value
   * @throws WorkflowFailure when it failed terminally; `cause` holds why (e.g. an ActivityFailure,
   *   or a WorkflowCancelledFailure when it was cancelled); ResultTimeoutError past `options.timeout`;
   *   the signal's reason when `options.signal` aborts; EngineStateError when the engine closes meanwhile
   */
  async result(options?: ResultOptions): Promise<R> {
    return (await this.backend.waitForResult(this.workflowId, this.runId, options)) as R;
  }

  /** The workflow now: status, run, executions and the step tree with attempts and errors. */
  describe(): Promise<WorkflowDescription> {
    return this.backend.describe(this.workflowId, this.runId);
  }

  /** The workflow's current status. */
  status(): Promise<WorkflowStatus> {
    return this.backend.status(this.workflowId, this.runId);
  }

  /**
   * Sends a signal that `workflowContext().waitForSignal(name)` receives.
   * Buffered until consumed, consumed in the order sent; wakes a waiting workflow.
   * @returns true when stored; false when `options.idempotencyKey` is one the workflow has a signal with already
   * @throws WorkflowNotFoundError; InvalidStateError when the workflow has finished (and has no signal with the key);
   *   InvalidOptionsError for a bad name or options; SerializationError / PayloadTooLargeError for the payload (nothing is stored then)
   */
  signal(name: string, payload?: unknown, options?: SignalOptions): Promise<boolean> {
    return this.backend.signal(this.workflowId, this.runId, name, payload, options);
  }

  /**
   * Cancels the workflow and its unfinished children: at once when it waits,
   * else at its next step boundary (running activities see their AbortSignal).
   * Completed saga steps are compensated. `result()` then throws a
   * WorkflowFailure whose `cause` is a WorkflowCancelledFailure. Cancelling
   * again does nothing.
   * @throws InvalidStateError when the workflow already finished otherwise
   */
  cancel(): Promise<void> {
    return this.backend.cancel(this.workflowId, this.runId);
  }

  /**
   * Pauses the workflow at its next step boundary (at once when it waits):
   * it holds no queue slot, signals stay buffered. Pausing again does nothing.
   * @throws InvalidStateError when the workflow has finished or is compensating
   */
  pause(): Promise<void> {
    return this.backend.pause(this.workflowId, this.runId);
  }

  /**
   * Resumes a paused workflow from where it stopped; completed steps are not
   * run again. Resuming a workflow that is not paused does nothing.
   * @throws InvalidStateError when the workflow has finished
   */
  resume(): Promise<void> {
    return this.backend.resume(this.workflowId, this.runId);
  }
}
