import type { WorkflowRuntime } from '../workflow-runtime.js';
import { runtimesOf, type ControlContext } from './control-context.js';

/**
 * Pauses a workflow. One no worker runs (pending, waiting) is `paused` at
 * once; one running here stops at its next step boundary after the steps in
 * flight finish (running activities are not aborted), its execution ending
 * `paused`. A paused workflow has no task: it holds no slot, and signals and
 * children's ends stay buffered until `resume`. Pausing a paused workflow, or
 * one whose pause is pending, changes nothing. Children are not paused.
 * @throws WorkflowNotFoundError; InvalidStateError when finished or compensating
 */
export async function pauseWorkflow(context: ControlContext, workflowId: string): Promise<void> {
  const { deps } = context;
  const effect = await deps.store.control.requestPause({ workflowId, owner: deps.workerId, now: deps.clock.now() });
  if (effect === 'requested') for (const runtime of runtimesOf(context, workflowId)) runtime.requestControl('pause');
  if (effect === 'paused') await deps.observer?.workflowPaused(workflowId);
}

/**
 * Resumes a paused workflow: it is due now and re-enters its body (execution
 * reason `resume`), completed steps returning their recorded results. A pause
 * asked but not yet taken is withdrawn. Resuming a workflow that is not
 * paused changes nothing.
 * @throws WorkflowNotFoundError; InvalidStateError when finished
 */
export async function resumeWorkflow(context: ControlContext, workflowId: string): Promise<void> {
  const { deps } = context;
  const result = await deps.store.control.resume({ workflowId, now: deps.clock.now() });
  if (result.effect === 'resumed') deps.poke(result.queue);
  if (result.effect === 'withdrawn') for (const runtime of runtimesOf(context, workflowId)) runtime.requestControl(undefined);
}

/** Ends a workflow's pause once its body stopped for it (`runtime`), or before entering the body when the pause was found on the task. */
export async function endPaused(context: ControlContext, workflow: { readonly id: string; readonly queue: string }, runtime?: WorkflowRuntime): Promise<void> {
  const { deps } = context;
  const result = await deps.store.control.endPaused({ workflowId: workflow.id, ...(runtime ? { executionId: runtime.info.executionId } : {}), now: deps.clock.now() });
  if (result === 'withdrawn') deps.poke(workflow.queue);
  else await deps.observer?.workflowPaused(workflow.id, runtime);
}
