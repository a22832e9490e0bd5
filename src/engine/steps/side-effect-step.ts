import { ambient } from '../../context/ambient.js';
import type { StepDefinition } from '../../registry/definitions.js';
import { newId } from '../ids.js';
import type { WorkflowRuntime } from '../workflow-runtime.js';

/** Runs a side effect once and records its value; afterwards the recorded value is returned. */
export function runSideEffectStep(
  rt: WorkflowRuntime,
  definition: StepDefinition,
  stepId: string,
  thisArg: unknown,
  args: readonly unknown[],
): Promise<unknown> {
  return recordOnce(rt, stepId, definition.name, () => ambient.run({ kind: 'step' }, () => definition.registration.original.apply(thisArg, args as never[])));
}

/**
 * The shared body of side effects and Tempolite's own once-only steps
 * (detached starts): the recorded value on re-entry, else `produce()`'s value,
 * durable before it is returned.
 */
export async function recordOnce(rt: WorkflowRuntime, stepId: string, name: string, produce: () => unknown): Promise<unknown> {
  const { store, payloads, clock } = rt.deps;
  const workflowId = rt.info.workflowId;
  const where = { description: `value of side effect "${stepId}" in workflow "${workflowId}"`, workflowId, stepId };
  const recorded = rt.checkpoints.at(workflowId, stepId, 'sideEffect', name);
  if (recorded) return payloads.decode(recorded.output ?? '', where);
  await rt.boundary();
  const startedAt = clock.now();
  const value: unknown = await produce();
  const output = payloads.encode(value, where);
  const id = newId();
  const now = clock.now();
  // The value must be durable before the body can act on it, or a crash could hand out a second value.
  await rt.track(
    store.recordSideEffect({ id, attemptId: newId(), workflowId, generation: rt.info.generation, stepId, name, workflowExecutionId: rt.info.executionId, output, startedAt, now }),
  );
  rt.checkpoints.set({ kind: 'sideEffect', id, stepId, name, status: 'completed', attempts: 0, output, error: null, updatedAt: now });
  // Lifecycle events (issue 9): the value is committed.
  rt.deps.observer?.sideEffectRecorded(rt, stepId, name, startedAt);
  // The stored copy, not the value itself: a re-entered body gets the decoded one, and must not behave otherwise.
  return payloads.decode(output, where);
}
