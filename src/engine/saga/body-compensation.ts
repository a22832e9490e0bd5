import { RESERVED_PREFIX } from '../../registry/definitions.js';
import { recordOnce } from '../steps/side-effect-step.js';
import type { WorkflowRuntime } from '../workflow-runtime.js';
import type { CompensationHost } from './compensation-host.js';
import { runCompensations } from './run-compensations.js';

/** Durable name of the step that records which saga steps a `compensate()` call covers: `tempolite.compensate#n`. */
export const COMPENSATE_STEP = `${RESERVED_PREFIX}compensate`;

/**
 * Saga steps each body execution has seen complete, in the order it saw
 * them, whether they ran now or returned their checkpoint. Kept beside the
 * runtime (weakly) rather than in it: only `compensate()` reads it.
 */
const seenByBody = new WeakMap<CompensationHost, string[]>();

/** The body's `compensate()` still running, so a second call (e.g. in `Promise.all`) waits instead of running the same compensations twice. */
const inFlight = new WeakMap<CompensationHost, Promise<void>>();

/** Notes that the body saw saga step `stepId` complete. Called by the saga step runner. */
export function noteSagaCompleted(host: CompensationHost, stepId: string): void {
  const seen = seenByBody.get(host);
  if (seen === undefined) seenByBody.set(host, [stepId]);
  else seen.push(stepId);
}

/**
 * `workflowContext().compensate()`: compensates, latest completion first, the
 * saga steps whose calls had completed in this body when it was called, then
 * returns so the body can go on.
 *
 * Which steps it covers comes from the body's own path when it is first called, and is recorded (a side effect
 * `tempolite.compensate#n`): a re-entry replays the steps before the call from their checkpoints, and a saga step
 * that was still running beside it in the first run (a `Promise.all`) now returns at once, before the call, so
 * the body's path alone would cover it too. Compensations that finished are skipped (never run twice); one cut
 * short continues its round.
 * @throws CompensationFailure when a compensation gives up (also when it gave up in an earlier execution)
 */
export async function compensateInBody(host: WorkflowRuntime): Promise<void> {
  // Taken before the first await: a saga call still in flight when compensate() is called is not covered.
  const seen = [...(seenByBody.get(host) ?? [])];
  const stepId = host.stepIdFor(COMPENSATE_STEP, undefined);
  const covered = new Set((await recordOnce(host, stepId, COMPENSATE_STEP, () => seen)) as string[]);
  if (covered.size === 0) return;
  const previous = inFlight.get(host);
  const run = (async (): Promise<void> => {
    await previous?.catch(() => undefined);
    // Read after the previous call ended, so what it compensated is seen as done.
    const steps = (await host.deps.store.completedSagaSteps(host.info.workflowId, host.info.generation)).filter((step) => covered.has(step.stepId));
    await runCompensations(host, steps);
  })();
  inFlight.set(host, run);
  await run;
}
