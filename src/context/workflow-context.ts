import { withPendingOptions } from '../decorators/dispatch.js';
import type { RetryPolicyOptions } from '../engine/retry-policy.js';
import { OutsideWorkflowError } from '../errors.js';
import { currentScope, type StepCallOptions, type WorkflowInfo, type WorkflowRuntimeApi } from './ambient.js';

/**
 * Per-call options for the next step, as the seeds' `ctx.WithRetries(...).WithID(...)`:
 * `await workflowContext().withId('charge-eu').withRetry({ maxAttempts: 5 }).run(() => this.charge(order))`.
 */
export class StepOptionsBuilder {
  constructor(private readonly options: StepCallOptions) {}

  /** Uses `id` as the step id instead of `name#occurrence`. Unique within the workflow generation. */
  withId(id: string): StepOptionsBuilder {
    return new StepOptionsBuilder({ ...this.options, id });
  }

  /** Retries this call by `policy`, over the step's own policy (fields not given keep the step's values). */
  withRetry(policy: RetryPolicyOptions): StepOptionsBuilder {
    return new StepOptionsBuilder({ ...this.options, retry: policy });
  }

  /** Runs `call`, which must make exactly one step call; that call takes these options. */
  run<T>(call: () => Promise<T>): Promise<T> {
    return withPendingOptions(this.options, call);
  }
}

/** What a workflow body can do beyond calling its steps. */
export class WorkflowContext implements WorkflowInfo {
  constructor(private readonly runtime: WorkflowRuntimeApi) {}

  get workflowId(): string {
    return this.runtime.info.workflowId;
  }
  get runId(): string {
    return this.runtime.info.runId;
  }
  get workflowName(): string {
    return this.runtime.info.workflowName;
  }
  get executionId(): string {
    return this.runtime.info.executionId;
  }
  get generation(): number {
    return this.runtime.info.generation;
  }
  get attempt(): number {
    return this.runtime.info.attempt;
  }

  /** Options for the next step call: an explicit step id. */
  withId(id: string): StepOptionsBuilder {
    return new StepOptionsBuilder({ id });
  }

  /** Options for the next step call: a retry policy. */
  withRetry(policy: RetryPolicyOptions): StepOptionsBuilder {
    return new StepOptionsBuilder({ retry: policy });
  }
}

/**
 * The context of the workflow running now.
 * @throws OutsideWorkflowError outside a workflow body (also inside a step, which is not the body)
 */
export function workflowContext(): WorkflowContext {
  const scope = currentScope();
  if (scope?.kind !== 'workflow') throw new OutsideWorkflowError('workflowContext()');
  return new WorkflowContext(scope.runtime);
}
