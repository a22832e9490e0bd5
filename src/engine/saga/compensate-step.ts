import type { ActivityContext } from '../../context/activity-context.js';
import { ambient } from '../../context/ambient.js';
import { CompensationFailure, PayloadTooLargeError, SerializationError } from '../../errors.js';
import { thrownAsError } from '../../store/codec-errors.js';
import type { SagaStepRow } from '../../store/saga-store.js';
import { compensationIdempotencyKey, newId } from '../ids.js';
import { retryDelayMs, shouldRetry } from '../retry-policy.js';
import { reviveFailure } from '../revive-failure.js';
import { resolveCompensation, type CompensationTarget } from './compensation-call.js';
import type { CompensationHost } from './compensation-host.js';
import { noAttempt } from '../../events/observer.js';

/** `endedAt`: a failed attempt's recorded end, which its backoff counts from. */
type AttemptOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown; readonly retry: boolean; readonly endedAt?: number };

/**
 * Runs the compensation of one completed saga step: a durable, retried
 * execution of kind `compensation` per attempt, under the saga's
 * `compensationRetry` policy. A step left `compensating` by a crash continues
 * its round (the attempt the crash cut short is repeated, like an activity's:
 * compensations are at-least-once, so they should be idempotent; the
 * `idempotencyKey` of `activityContext()` helps).
 * @throws CompensationFailure when the compensation gives up; the step is then `compensation_failed`
 */
export async function compensateStep(host: CompensationHost, step: SagaStepRow, originalFailure?: unknown): Promise<void> {
  originalFailure = originalFailureOf(host.info.workflowId, step.stepId, originalFailure);
  const { store, clock } = host.deps;
  const target = resolveCompensation(host.deps, host.info.workflowId, host.info.workflowName, step.name);
  let failed = step.status === 'compensating' ? step.compensationAttempts : 0;
  if (step.status === 'compensating') {
    await host.track(store.interruptAttempts('saga', step.id, clock.now()));
    // The wait between attempts is durable: measured from the last failure, not from this restart.
    if (failed > 0) await host.wait(Math.max(0, step.updatedAt + retryDelayMs(target.policy, failed) - clock.now()));
  }
  for (;;) {
    await host.boundary();
    const attempt = failed + 1;
    const outcome = await host.track(runAttempt(host, step, attempt, target));
    if (outcome.ok) return;
    if (host.abort.signal.aborted) await host.boundary();
    failed = attempt;
    if (!outcome.retry) throw new CompensationFailure(host.info.workflowId, step.stepId, step.name, failed, thrownAsError(outcome.error), originalFailure);
    // From the attempt's recorded end, as a restart counts it: the clock may have moved since.
    await host.wait(Math.max(0, (outcome.endedAt ?? clock.now()) + retryDelayMs(target.policy, failed) - clock.now()));
  }
}

/** The failure a step's compensation recorded when it gave up, as thrown again later. */
export function recordedCompensationFailure(host: CompensationHost, step: SagaStepRow, originalFailure?: unknown): CompensationFailure {
  originalFailure = originalFailureOf(host.info.workflowId, step.stepId, originalFailure);
  const cause = step.compensationError === null ? new Error('the compensation failed') : reviveFailure(host.deps.payloads.decodeError(step.compensationError));
  return new CompensationFailure(host.info.workflowId, step.stepId, step.name, step.compensationAttempts, cause, originalFailure);
}

/**
 * The failure the compensation phase of step `stepId` of `workflowId` started from, unless it is that step's own failure to
 * compensate: a body that let `compensate()`'s `CompensationFailure` through would otherwise wrap it in itself.
 */
export function originalFailureOf(workflowId: string, stepId: string, originalFailure: unknown): unknown {
  return originalFailure instanceof CompensationFailure && originalFailure.workflowId === workflowId && originalFailure.stepId === stepId
    ? originalFailure.originalFailure
    : originalFailure;
}

async function runAttempt(host: CompensationHost, step: SagaStepRow, attempt: number, target: CompensationTarget): Promise<AttemptOutcome> {
  const { store, clock, payloads } = host.deps;
  const workflowId = host.info.workflowId;
  const attemptId = newId();
  const label = `compensation of saga step "${step.stepId}" in workflow "${workflowId}"`;
  // Not awaited before the compensation runs: the start record rides the same group commit as the end when it is quick.
  const startedAt = clock.now();
  const started = store.beginCompensationAttempt({ stepEntityId: step.id, attemptId, workflowExecutionId: host.info.executionId, attempt, now: startedAt });
  started.catch(() => undefined);
  // Lifecycle events and spans (issue 9): `compensation.started` once the start record is committed.
  const observed = host.deps.observer?.attempt(host, { kind: 'compensation', stepId: step.stepId, name: step.name, attempt }, started, startedAt) ?? noAttempt();

  const controller = new AbortController();
  const onAbort = (): void => controller.abort(host.abort.signal.reason);
  host.abort.signal.addEventListener('abort', onAbort, { once: true });
  if (host.abort.signal.aborted) onAbort();
  const context: ActivityContext = {
    workflowId,
    stepId: step.stepId,
    name: step.name,
    attempt,
    idempotencyKey: compensationIdempotencyKey(step.id),
    signal: controller.signal,
  };
  let outcome: AttemptOutcome;
  try {
    const where = { description: `payload of saga step "${step.stepId}" in workflow "${workflowId}"`, workflowId, stepId: step.stepId };
    const args = payloads.decode(step.input ?? '[]', where) as unknown[];
    const result = step.output === null ? undefined : payloads.decode(step.output, where);
    await observed.run(() => ambient.run({ kind: 'step', activity: context }, () => target.invoke(args, result)));
    outcome = { ok: true };
  } catch (error) {
    const permanent = target.unavailable !== undefined || error instanceof SerializationError || error instanceof PayloadTooLargeError;
    outcome = { ok: false, error, retry: !permanent && shouldRetry(target.policy, attempt, error) };
  } finally {
    host.abort.signal.removeEventListener('abort', onAbort);
  }

  await started;
  const now = clock.now();
  const base = { stepEntityId: step.id, attemptId, now };
  if (outcome.ok) {
    await store.endCompensationAttempt({ ...base, attemptStatus: 'completed', stepStatus: 'compensated', attempts: attempt - 1 });
    observed.completed(now);
  } else if (host.abort.signal.aborted) {
    // Stopped from outside (engine closing): not the compensation's failure, so it does not count as an attempt.
    await store.endCompensationAttempt({ ...base, attemptStatus: 'interrupted', stepStatus: 'compensating', attempts: attempt - 1 });
    observed.interrupted();
  } else {
    const error = payloads.encodeError(outcome.error, { description: `error of ${label}`, workflowId, stepId: step.stepId });
    await store.endCompensationAttempt({ ...base, attemptStatus: 'failed', stepStatus: outcome.retry ? 'compensating' : 'compensation_failed', attempts: attempt, error });
    observed.failed(outcome.error, outcome.retry, now);
    return { ...outcome, endedAt: now };
  }
  return outcome;
}

