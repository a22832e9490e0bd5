import type { SagaStepRow } from '../../store/saga-store.js';
import { compensateStep, recordedCompensationFailure } from './compensate-step.js';
import type { CompensationHost } from './compensation-host.js';

/**
 * Compensates `steps` one after the other, in the order given (latest
 * completion first), skipping those already compensated.
 *
 * Stops at the first compensation that gives up, leaving the earlier steps
 * uncompensated: the reverse order is the saga's one guarantee (a step is
 * undone only once everything done after it is undone), so nothing runs past
 * a hole. `engine.retry(id)` on the `compensation_failed` workflow resumes
 * from that step once it can succeed.
 * @throws CompensationFailure of the step that gave up (now or before)
 */
export async function runCompensations(host: CompensationHost, steps: readonly SagaStepRow[], originalFailure?: unknown): Promise<void> {
  for (const step of steps) {
    if (step.status === 'compensated') continue;
    if (step.status === 'compensation_failed') throw recordedCompensationFailure(host, step, originalFailure);
    await compensateStep(host, step, originalFailure);
  }
}

/** Whether any of `steps` still has a compensation to run (or one that failed). */
export function hasPendingCompensation(steps: readonly SagaStepRow[]): boolean {
  return steps.some((step) => step.status === 'completed' || step.status === 'compensating' || step.status === 'compensation_failed');
}
