import { ChildWorkflowFailure, UnknownQueueError, WorkflowIdConflictError } from '../../errors.js';
import type { WorkflowDefinition } from '../../registry/definitions.js';
import type { ChildRow } from '../../store/rows.js';
import { isTerminal } from '../../store/statuses.js';
import { reviveFailure } from '../revive-failure.js';
import { compensationOutcomeOf } from '../saga/compensation-outcome.js';
import type { WorkflowRuntime } from '../workflow-runtime.js';
import { derivedWorkflowId } from './child-ids.js';

/**
 * A child workflow as a step of its parent: a new entity in the parent's run,
 * started once (its id derives from the parent and step id), run by the
 * workers of its queue. While it runs the parent suspends and holds no slot;
 * the child's end wakes it, and the re-entered step returns the child's result
 * or throws a ChildWorkflowFailure.
 */
export async function runChildStep(rt: WorkflowRuntime, definition: WorkflowDefinition, stepId: string, args: readonly unknown[], queueOption: string | undefined): Promise<unknown> {
  const { store, payloads, clock, options } = rt.deps;
  const { workflowId, generation, runId } = rt.info;
  let child = rt.checkpoints.childAt(workflowId, stepId, definition.name);
  if (child === undefined) {
    const queue = queueOption ?? definition.queue;
    if (!options.queues.has(queue)) throw new UnknownQueueError(queue, [...options.queues.keys()]);
    const id = derivedWorkflowId(workflowId, generation, stepId);
    const input = payloads.encode([...args], { description: `input of child workflow "${id}" (${definition.name})`, workflowId, stepId });
    await rt.boundary();
    const created = await rt.track(
      store.createWorkflow({ id, runId, newRun: false, name: definition.name, queue, priority: 0, input, parent: { id: workflowId, generation, stepId }, now: clock.now() }),
    );
    if (!created.created && (created.existing.parentId !== workflowId || created.existing.parentStepId !== stepId)) {
      throw new WorkflowIdConflictError(id, created.existing.name, definition.name);
    }
    child = { id, name: definition.name, status: created.created ? 'pending' : created.existing.status, parentStepId: stepId, runId, output: null, error: null };
    rt.checkpoints.setChild(child);
    rt.deps.poke(queue);
    if (!created.created) child = (await store.findChild(workflowId, generation, stepId)) ?? child;
  }
  return outcome(rt, child, stepId);
}

function outcome(rt: WorkflowRuntime, child: ChildRow, stepId: string): Promise<unknown> {
  const { payloads } = rt.deps;
  const where = { description: `result of child workflow "${child.id}"`, workflowId: rt.info.workflowId, stepId };
  if (child.status === 'completed') return Promise.resolve(payloads.decode(child.output ?? '', where));
  if (isTerminal(child.status)) {
    const failure = child.error !== null ? reviveFailure(payloads.decodeError(child.error)) : new Error(`child workflow ended ${child.status}`);
    const fail = (cause: unknown): Promise<never> => Promise.reject(new ChildWorkflowFailure(child.id, child.name, child.status, rt.info.workflowId, stepId, cause));
    if (child.status !== 'compensation_failed') return fail(failure);
    // The child's failure as its own handle.result() shows it: the CompensationFailure (what the compensation threw,
    // with the original failure), not only the failure that started the compensations.
    return compensationOutcomeOf(rt.deps.store, payloads, child.id, failure).then(fail);
  }
  return rt.awaitChild();
}
