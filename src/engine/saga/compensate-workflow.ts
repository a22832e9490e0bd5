import { CompensationFailure, EngineStateError, InvalidStateError, WorkflowNotFoundError } from '../../errors.js';
import type { WorkflowRow } from '../../store/rows.js';
import { isTerminal } from '../../store/statuses.js';
import type { EngineDeps } from '../engine-deps.js';
import { newId } from '../ids.js';
import { reviveFailure } from '../revive-failure.js';
import { Checkpoints } from '../steps/checkpoints.js';
import { WorkflowRuntime, type Suspension } from '../workflow-runtime.js';
import { hasPendingCompensation, runCompensations } from './run-compensations.js';

/**
 * How `compensateWorkflow` ended:
 * - `nothing`: no completed saga step to compensate; nothing was written, the caller ends the workflow as it would have;
 * - `compensated` / `compensation_failed`: the workflow reached that terminal status;
 * - `suspended`: a long retry wait or the engine closing; the workflow stays `compensating` and a worker resumes it.
 */
export type CompensationOutcome = 'nothing' | 'compensated' | 'compensation_failed' | 'suspended';

/** Options of {@link compensateWorkflow}. */
export interface CompensateWorkflowOptions {
  /**
   * The body execution that just ended and triggers compensation. Its steps
   * still waiting to retry are stopped first, so none completes unseen while
   * compensations run; its execution row is ended with `bodyStatus`.
   */
  readonly body?: WorkflowRuntime;
  /** How the body execution ended. @default 'failed' */
  readonly bodyStatus?: 'failed' | 'cancelled';
  /**
   * The encoded original failure (`payloads.encodeError`): stored as the
   * workflow's error and kept there whatever the compensations do. A cancel
   * passes its cancellation failure. @default the error already stored
   */
  readonly error?: string;
  /** Failed body executions in the current round, stored with the workflow. */
  readonly attempts?: number;
  /** The runner's set of running runtimes, so `engine.close()` stops the compensations at a boundary. */
  readonly active?: Set<WorkflowRuntime>;
  /** Called once the workflow reached a terminal status (wakes `handle.result()` waiters). */
  readonly onFinished?: (workflowId: string) => void;
}

/**
 * Runs the compensation phase of a workflow: the compensations of the saga
 * steps completed in its current generation, latest completion first, each a
 * durable, retried SagaExecution of kind `compensation`, under a
 * WorkflowExecution of reason `compensate`. The workflow is `compensating`
 * meanwhile, then `compensated`, or `compensation_failed` at the first
 * compensation that gives up (the earlier steps stay uncompensated; see
 * `runCompensations`). The original failure stays the workflow's error.
 *
 * Crash-safe: the workflow's task stays (leased, and due) while it is
 * `compensating`, so if this process dies the next worker to claim it calls
 * this again and resumes; finished compensations never run again.
 *
 * Used by the runner after a terminal failure and when it claims a
 * `compensating` workflow; the cancel path calls it the same way, with
 * `bodyStatus: 'cancelled'` and the encoded cancellation as `error`. The
 * caller must hold the workflow's task lease, or the task must be free
 * (the lease is taken atomically here).
 * @throws WorkflowNotFoundError; InvalidStateError when the workflow is finished or another live worker holds it
 */
export async function compensateWorkflow(deps: EngineDeps, workflowId: string, options: CompensateWorkflowOptions = {}): Promise<CompensationOutcome> {
  const { store, clock } = deps;
  const workflow = (await store.getWorkflow(workflowId));
  if (!workflow) throw new WorkflowNotFoundError(workflowId);
  if (isTerminal(workflow.status)) throw new InvalidStateError(workflowId, workflow.status, 'compensate');
  if (workflow.status !== 'compensating' && !hasPendingCompensation((await store.completedSagaSteps(workflowId, workflow.generation)))) return 'nothing';

  if (options.body) {
    options.body.abort.abort(new EngineStateError(`Workflow "${workflowId}" is compensating.`));
    await options.body.settle();
  }
  const executionId = newId();
  const begun = await store.beginCompensation({
    workflowId,
    executionId,
    owner: deps.workerId,
    leaseMs: deps.options.leaseMs,
    ...(options.body ? { trigger: { executionId: options.body.info.executionId, status: options.bodyStatus ?? 'failed', ...(options.error !== undefined ? { error: options.error } : {}) } } : {}),
    ...(options.error !== undefined ? { error: options.error } : {}),
    ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
    now: clock.now(),
  });
  if (!begun) throw new InvalidStateError(workflowId, (await store.getWorkflow(workflowId))?.status ?? workflow.status, 'compensate', 'another worker holds it');
  // Spans (issue 9): the body execution that triggered the phase has ended.
  if (options.body) deps.observer?.executionEnded(options.body, options.bodyStatus === 'cancelled' || options.error === undefined ? undefined : reviveFailure(deps.payloads.decodeError(options.error)));

  const host = phaseRuntime(deps, workflow, executionId);
  options.active?.add(host);
  try {
    return await runPhase(host, workflow.status === 'compensating', options.onFinished);
  } finally {
    options.active?.delete(host);
  }
}

function phaseRuntime(deps: EngineDeps, workflow: WorkflowRow, executionId: string): WorkflowRuntime {
  const info = { workflowId: workflow.id, runId: workflow.runId, workflowName: workflow.name, executionId, generation: workflow.generation, attempt: workflow.attempts + 1 };
  // A runtime without a body: it lends the phase its durable waits, its stop at a boundary and its settle().
  return new WorkflowRuntime(deps, { ...workflow, status: 'compensating' }, info, new Checkpoints([]), 0);
}

type PhaseEnd = { readonly kind: 'done' } | { readonly kind: 'failed'; readonly failure: CompensationFailure } | { readonly kind: 'suspended'; readonly suspension: Suspension };

async function runPhase(host: WorkflowRuntime, resumed: boolean, onFinished: ((workflowId: string) => void) | undefined): Promise<CompensationOutcome> {
  const { store, payloads, clock } = host.deps;
  const { workflowId, executionId, generation } = host.info;
  const stored = (await store.getWorkflowData(workflowId))?.error;
  const original = stored == null ? undefined : reviveFailure(payloads.decodeError(stored));
  // Lifecycle events (issue 9): the phase's execution row is committed.
  host.deps.observer?.compensationPhaseBegan(host, resumed, () => original);
  const work = runCompensations(host, (await store.completedSagaSteps(workflowId, generation)), original).then(
    (): PhaseEnd => ({ kind: 'done' }),
    (error: unknown): PhaseEnd => {
      // Anything else (a failing database) is not an outcome: the task stays leased and is resumed after the lease expires.
      if (error instanceof CompensationFailure) return { kind: 'failed', failure: error };
      throw error;
    },
  );
  const end = await Promise.race([work, host.suspended.then((suspension): PhaseEnd => ({ kind: 'suspended', suspension }))]);
  if (end.kind !== 'suspended') await host.settle();
  const now = clock.now();
  if (end.kind === 'suspended') {
    const stopping = end.suspension.cause === 'stop';
    await store.endExecution({
      workflowId,
      executionId,
      executionStatus: stopping ? 'interrupted' : 'suspended',
      workflowStatus: 'compensating',
      nextRunAt: stopping ? now : (end.suspension.wakeAt ?? now),
      now,
    });
    host.deps.observer?.executionEnded(host);
    return 'suspended';
  }
  if (end.kind === 'done') {
    await store.endExecution({ workflowId, executionId, executionStatus: 'completed', workflowStatus: 'compensated', now });
    host.deps.observer?.workflowCompensated(host, original);
    onFinished?.(workflowId);
    return 'compensated';
  }
  const executionError = payloads.encodeError(end.failure, { description: `compensation failure of workflow "${workflowId}"`, workflowId });
  await store.endExecution({ workflowId, executionId, executionStatus: 'failed', executionError, workflowStatus: 'compensation_failed', now });
  host.deps.observer?.workflowCompensationFailed(host, end.failure);
  onFinished?.(workflowId);
  return 'compensation_failed';
}
