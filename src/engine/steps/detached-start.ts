import type { StartOptions } from '../../client/start-options.js';
import { UnknownQueueError, WorkflowIdConflictError } from '../../errors.js';
import type { WorkflowDefinition } from '../../registry/definitions.js';
import { RESERVED_PREFIX } from '../../registry/definitions.js';
import { newId } from '../ids.js';
import type { WorkflowRuntime } from '../workflow-runtime.js';
import { derivedWorkflowId } from './child-ids.js';
import { checkStartOptions } from '../../client/validate-start-options.js';
import { recordOnce } from './side-effect-step.js';

/** Durable name of the step that records a detached start. */
export const DETACHED_START_STEP = `${RESERVED_PREFIX}startWorkflow`;

/** What a detached start returns: the new workflow's ids. */
export interface DetachedWorkflow {
  /** Id of the new workflow entity. */
  readonly workflowId: string;
  /** Its run: a new execution tree, not the caller's. */
  readonly runId: string;
}

/**
 * Starts a workflow in a new run (fire-and-forget) as a recorded step: its
 * id derives from the caller and step unless given, so a retried or recovered
 * caller finds the same workflow instead of starting a second one.
 */
export async function runDetachedStart(rt: WorkflowRuntime, definition: WorkflowDefinition, args: readonly unknown[], options: StartOptions): Promise<DetachedWorkflow> {
  const { store, payloads, clock } = rt.deps;
  const stepId = rt.stepIdFor(DETACHED_START_STEP, undefined);
  const value = await recordOnce(rt, stepId, DETACHED_START_STEP, async (): Promise<DetachedWorkflow> => {
    // The options come from workflow code: types checked like engine.startWorkflow's (issue 8).
    const checked = checkStartOptions(options, `startWorkflow("${definition.name}")`);
    const queue = checked.queue ?? definition.queue;
    if (!rt.deps.options.queues.has(queue)) throw new UnknownQueueError(queue, [...rt.deps.options.queues.keys()]);
    const priority = checked.priority;
    const id = checked.id ?? derivedWorkflowId(rt.info.workflowId, rt.info.generation, stepId);
    const input = payloads.encode([...args], { description: `input of workflow "${id}" (${definition.name})`, workflowId: id });
    const runId = newId();
    const now = clock.now();
    const deadline = checked.timeoutMs === undefined ? {} : { deadlineAt: now + checked.timeoutMs };
    const created = await rt.track(store.createWorkflow({ id, runId, newRun: true, name: definition.name, queue, priority, input, ...deadline, now }));
    if (!created.created && created.existing.name !== definition.name) throw new WorkflowIdConflictError(id, created.existing.name, definition.name);
    rt.deps.poke(queue);
    return { workflowId: id, runId: created.created ? runId : created.existing.runId };
  });
  return value as DetachedWorkflow;
}
