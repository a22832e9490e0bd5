import type { WorkflowStatus } from '../store/statuses.js';
import type { WorkflowDescription } from './description.js';

/** What a handle asks of the engine. */
export interface HandleBackend {
  waitForResult(workflowId: string): Promise<unknown>;
  describe(workflowId: string): Promise<WorkflowDescription>;
  status(workflowId: string): Promise<WorkflowStatus>;
}

/**
 * A client's handle on one workflow entity (the logical model): its outcome
 * includes every retry and recovery. Cheap to create; holds no resources.
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
   * Waits for the logical outcome.
   * @returns the workflow's return value
   * @throws WorkflowFailure when it failed terminally; `cause` holds why (e.g. an ActivityFailure)
   */
  async result(): Promise<R> {
    return (await this.backend.waitForResult(this.workflowId)) as R;
  }

  /** The workflow now: status, run, executions and the step tree with attempts and errors. */
  describe(): Promise<WorkflowDescription> {
    return this.backend.describe(this.workflowId);
  }

  /** The workflow's current status. */
  status(): Promise<WorkflowStatus> {
    return this.backend.status(this.workflowId);
  }
}
