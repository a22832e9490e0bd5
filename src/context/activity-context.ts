import { OutsideWorkflowError } from '../errors.js';
import { currentScope } from './ambient.js';

/** What a running activity or saga step knows about itself. */
export interface ActivityContext {
  /** Id of the workflow that called the step. */
  readonly workflowId: string;
  /** Step id inside that workflow, e.g. `OrderService.charge#0`. */
  readonly stepId: string;
  /** Durable name of the step. */
  readonly name: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /**
   * Stable across every attempt, retry and recovery of this step (a UUID derived
   * from its run, workflow id, generation and step id): pass it to external
   * systems as an idempotency key so a repeated attempt is deduplicated.
   */
  readonly idempotencyKey: string;
  /** Fires when the workflow is cancelled or the engine shuts down while the step runs, or when the attempt runs past its `timeout` (reason: an `ActivityTimeoutFailure`). */
  readonly signal: AbortSignal;
}

/**
 * The context of the activity or saga step running now.
 * @throws OutsideWorkflowError when called outside a step that a workflow runs
 */
export function activityContext(): ActivityContext {
  const scope = currentScope();
  if (scope?.kind !== 'step' || scope.activity === undefined) throw new OutsideWorkflowError('activityContext()');
  return scope.activity;
}
