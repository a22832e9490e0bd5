import { ambient } from '../../context/ambient.js';
import type { StepDefinition } from '../../registry/definitions.js';
import type { PayloadLocation } from '../../store/codec.js';
import { newId } from '../ids.js';
import { reviveFailure } from '../revive-failure.js';
import { isSetupFailure } from '../setup-failure.js';
import type { WorkflowRuntime } from '../workflow-runtime.js';

/**
 * Runs a side effect once and records its value, or the error it threw; afterwards the recorded value is
 * returned (the recorded error thrown), so a body that catches the error takes the same branch on every re-entry.
 */
export function runSideEffectStep(
  rt: WorkflowRuntime,
  definition: StepDefinition,
  stepId: string,
  thisArg: unknown,
  args: readonly unknown[],
): Promise<unknown> {
  return recordOnce(rt, stepId, definition.name, () => ambient.run({ kind: 'step' }, () => definition.registration.original.apply(thisArg, args as never[])), true);
}

/**
 * The shared body of side effects and Tempolite's own once-only steps
 * (detached starts): the recorded value on re-entry, else `produce()`'s value,
 * durable before it is returned.
 * @param recordFailures record what `produce()` throws (a side effect's own failure); Tempolite's own steps
 *   leave theirs unrecorded: they are the engine's (a lost connection, a workflow left out of `register`)
 */
export async function recordOnce(rt: WorkflowRuntime, stepId: string, name: string, produce: () => unknown, recordFailures = false): Promise<unknown> {
  const { store, payloads, clock } = rt.deps;
  const workflowId = rt.info.workflowId;
  const where: PayloadLocation = { description: `value of side effect "${stepId}" in workflow "${workflowId}"`, workflowId, stepId };
  const recorded = rt.checkpoints.at(workflowId, stepId, 'sideEffect', name);
  if (recorded?.status === 'completed') return payloads.decode(recorded.output ?? '', where);
  if (recorded?.status === 'failed') throw reviveFailure(payloads.decodeError(recorded.error ?? ''));
  // Else nothing recorded, or a failure a workflow retry gave a fresh round (`pending`).
  await rt.boundary();
  const startedAt = clock.now();
  let output: string | null = null;
  let error: string | undefined;
  try {
    output = payloads.encode(await produce(), where);
  } catch (thrown) {
    if (!recordFailures || isSetupFailure(thrown)) throw thrown;
    error = payloads.encodeError(thrown, { ...where, description: `error of side effect "${stepId}" in workflow "${workflowId}"` });
  }
  const id = recorded?.id ?? newId();
  const now = clock.now();
  // The value must be durable before the body can act on it, or a crash could hand out a second value.
  await rt.track(
    store.recordSideEffect({
      id,
      attemptId: newId(),
      workflowId,
      generation: rt.info.generation,
      stepId,
      name,
      workflowExecutionId: rt.info.executionId,
      output,
      ...(error !== undefined ? { error } : {}),
      startedAt,
      now,
    }),
  );
  rt.checkpoints.set({ kind: 'sideEffect', id, stepId, name, status: error === undefined ? 'completed' : 'failed', attempts: error === undefined ? 0 : 1, output, error: error ?? null, updatedAt: now });
  if (error !== undefined) {
    // The stored copy, as every re-entry throws it.
    const failure = reviveFailure(payloads.decodeError(error));
    rt.deps.observer?.sideEffectFailed(rt, stepId, name, startedAt, now, failure);
    throw failure;
  }
  // Lifecycle events (issue 9): the value is committed.
  rt.deps.observer?.sideEffectRecorded(rt, stepId, name, startedAt, now);
  // The stored copy, not the value itself: a re-entered body gets the decoded one, and must not behave otherwise.
  return payloads.decode(output!, where);
}
