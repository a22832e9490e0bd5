import type { CompensationHost } from './compensation-host.js';
import { runCompensations } from './run-compensations.js';

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
 * Which steps it covers comes from the body's own path, not from the
 * database: on re-entry (crash recovery, retry, wake) the body replays its
 * steps from their checkpoints and calls `compensate()` at the same point, so
 * it covers the same steps, and saga steps completed after that point in an
 * earlier execution are left alone. Compensations that finished are skipped
 * (never run twice); one cut short continues its round.
 * @throws CompensationFailure when a compensation gives up (also when it gave up in an earlier execution)
 */
export async function compensateInBody(host: CompensationHost & { readonly info: { readonly generation: number } }): Promise<void> {
  // Taken before the first await: a saga call still in flight when compensate() is called is not covered.
  const covered = new Set(seenByBody.get(host) ?? []);
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
