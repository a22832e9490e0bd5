import { WorkflowCancelledFailure } from '../../errors.js';
import { compensateWorkflow } from '../saga/compensate-workflow.js';
import type { EngineDeps } from '../engine-deps.js';
import type { WorkflowRuntime } from '../workflow-runtime.js';
import { runtimesOf, type ControlContext } from './control-context.js';

/** The WorkflowCancelledFailure kept as a cancelled workflow's error; with `deadline`, one that timed out. */
function cancelledFailure(workflow: { readonly id: string; readonly name: string }, deadline?: number): WorkflowCancelledFailure {
  return new WorkflowCancelledFailure(workflow.id, workflow.name, deadline === undefined ? undefined : new Date(deadline));
}

function encodeCancelled(deps: EngineDeps, failure: WorkflowCancelledFailure): string {
  return deps.payloads.encodeError(failure, { description: `cancellation of workflow "${failure.workflowId}"`, workflowId: failure.workflowId });
}

/**
 * Cancels a workflow and its unfinished children (and theirs). One that no
 * worker runs and that has nothing to compensate ends `cancelled` at once;
 * one running here stops at its next step boundary, its running activities
 * see their AbortSignal fire; one with completed saga steps runs their
 * compensations and ends `compensated` (or `compensation_failed`).
 * Cancelling a cancelled workflow, or one compensating, changes nothing.
 * @param deadline set by the deadline watch: the workflow timed out
 * @throws WorkflowNotFoundError; InvalidStateError when it finished otherwise
 */
export async function cancelWorkflow(context: ControlContext, workflowId: string, deadline?: number): Promise<void> {
  const { deps } = context;
  // A cancel at or after the deadline is the deadline's, whoever asks first (as at the end of a stopped body).
  deadline ??= await passedDeadline(deps, workflowId);
  const outcome = await deps.store.control.requestCancel({
    workflowId,
    owner: deps.workerId,
    // Only the workflow whose deadline it is timed out; its children are cancelled with it.
    encodeCancelled: (workflow) => encodeCancelled(deps, cancelledFailure(workflow, workflow.id === workflowId ? deadline : undefined)),
    now: deps.clock.now(),
  });
  for (const queue of outcome.queues) deps.poke(queue);
  for (const { workflowId: id, effect } of outcome.effects) {
    if (effect === 'cancelled') {
      context.onFinished(id);
      // Lifecycle events (issue 9): the cancel is committed.
      await deps.observer?.workflowCancelled(id, id === workflowId && deadline !== undefined ? new Date(deadline) : undefined);
    }
    if (effect === 'requested') for (const runtime of runtimesOf(context, id)) runtime.requestControl('cancel');
  }
}

/**
 * Ends a cancelled workflow once its body stopped for it (`runtime`) or, when
 * the cancel was found on the task at entry, before entering the body:
 * compensations first when saga steps completed, else `cancelled` now.
 */
export async function endCancelled(context: ControlContext, workflow: { readonly id: string; readonly name: string }, runtime?: WorkflowRuntime): Promise<void> {
  const { deps } = context;
  // A cancel that ends at or after the workflow's deadline is the deadline's (the watch asked for it, or would have).
  const failure = cancelledFailure(workflow, await passedDeadline(deps, workflow.id));
  const error = encodeCancelled(deps, failure);
  const saga = await compensateWorkflow(deps, workflow.id, {
    ...(runtime ? { body: runtime, bodyStatus: 'cancelled' as const } : {}),
    error,
    active: context.active,
    onFinished: context.onFinished,
  });
  if (saga !== 'nothing') return;
  const parentQueue = await deps.store.control.endCancelled({
    workflowId: workflow.id,
    ...(runtime ? { executionId: runtime.info.executionId } : {}),
    error,
    now: deps.clock.now(),
  });
  if (parentQueue !== undefined) deps.poke(parentQueue);
  context.onFinished(workflow.id);
  await deps.observer?.workflowCancelled(workflow.id, failure.deadline, runtime);
}

/** The workflow's deadline when it has one and it has passed. */
async function passedDeadline(deps: EngineDeps, workflowId: string): Promise<number | undefined> {
  const deadline = await deps.store.control.deadlineOf(workflowId);
  return deadline !== undefined && deadline <= deps.clock.now() ? deadline : undefined;
}
