import type { ActivityContext } from '../../context/activity-context.js';
import { ambient } from '../../context/ambient.js';
import type { StepCallOptions } from '../../context/ambient.js';
import { ActivityFailure, ActivityTimeoutFailure, PayloadTooLargeError, SerializationError } from '../../errors.js';
import type { StepDefinition } from '../../registry/definitions.js';
import type { PayloadLocation } from '../../store/codec.js';
import type { CheckpointRow } from '../../store/rows.js';
import type { AttemptStart } from '../../store/workflow-store.js';
import { newId, stepIdempotencyKey } from '../ids.js';
import { resolveRetryPolicy, retryDelayMs, shouldRetry, type RetryPolicy } from '../retry-policy.js';
import type { WorkflowRuntime } from '../workflow-runtime.js';
import { noteSagaCompleted } from '../saga/body-compensation.js';
import { assertCompensationResolvable } from '../saga/compensation-call.js';
import { attemptSignal, attemptTimeoutMs, withDeadline } from './attempt-deadline.js';
import { recordedFailure } from './checkpoints.js';
import { noAttempt } from '../../events/observer.js';
import { reviveFailure } from '../revive-failure.js';

type AttemptOutcome =
  | { readonly ok: true; readonly output: string }
  /** `stored`: the error as recorded (absent for an interrupted attempt); `endedAt`: the attempt's recorded end. */
  | { readonly ok: false; readonly error: unknown; readonly retry: boolean; readonly stored?: string; readonly endedAt?: number };

/**
 * Runs an activity (or a saga transaction) as a checkpointed step: attempts
 * under the retry policy, each one an execution row, with durable waits
 * between them. A recorded outcome is the caller's to return first
 * (`replayActivityStep`, which also hands over `recorded`); a step recorded
 * as pending, running or retrying goes on from where it was.
 */
export async function runActivityStep(
  rt: WorkflowRuntime,
  definition: StepDefinition,
  stepId: string,
  recorded: CheckpointRow | undefined,
  thisArg: unknown,
  args: readonly unknown[],
  options: StepCallOptions | undefined,
): Promise<unknown> {
  const { payloads, clock, store } = rt.deps;
  const workflowId = rt.info.workflowId;
  const kind = definition.kind === 'saga' ? 'saga' : 'activity';
  const label = stepLabel(kind, stepId, workflowId);

  const policy = options?.retry === undefined ? definition.retry : resolveRetryPolicy(options.retry, definition.retry, `step "${stepId}"`, 'step');
  const timeoutMs = options?.timeout === undefined ? definition.timeoutMs : attemptTimeoutMs(options.timeout, `step "${stepId}"`);
  if (kind === 'saga') assertCompensationResolvable(rt.deps, rt.info.workflowName, definition);
  const stepEntityId = recorded?.id ?? newId();
  // Each attempt gets its own decoded copy, as a compensation does: an activity that changed an argument in
  // place would otherwise change the body's object on the first run only, not on a re-entry that replays it.
  // A step already under way goes on with the arguments of its first attempt, as its compensation gets them:
  // code deployed since may pass others, and the step must not run (and be compensated) with two sets.
  // (Not compared with the new ones: an encrypting codec encodes equal values differently.)
  const stored = recorded === undefined ? null : await rt.track(store.stepInput(kind, recorded.id));
  const input = stored ?? payloads.encode(args, { description: `input of ${label}`, workflowId, stepId });
  let create: AttemptStart['create'] = recorded
    ? undefined
    : {
        workflowId,
        generation: rt.info.generation,
        stepId,
        name: definition.name,
        input,
        ...(definition.compensation && 'method' in definition.compensation ? { compensateName: definition.compensation.method } : {}),
      };
  let failed = recorded?.attempts ?? 0;
  if (recorded?.status === 'running') await rt.track(store.interruptAttempts(kind, stepEntityId, clock.now()));
  if (recorded?.status === 'retrying') await rt.wait(Math.max(0, recorded.updatedAt + retryDelayMs(policy, failed) - clock.now()));

  for (;;) {
    await rt.boundary();
    const attempt = failed + 1;
    const outcome = await rt.track(runAttempt(rt, definition, { stepId, stepEntityId, create, attempt, policy, timeoutMs, label, kind }, thisArg, input));
    create = undefined;
    if (outcome.ok) {
      rt.checkpoints.set(checkpoint(kind, stepEntityId, stepId, definition.name, 'completed', failed, outcome.output, clock.now()));
      if (kind === 'saga') noteSagaCompleted(rt, stepId);
      // Finished although a cancel (or the engine closing) aborted it: recorded, but the body stops here all the same.
      if (rt.abort.signal.aborted) await rt.boundary();
      // The stored copies, as a re-entered body gets them: the live value could alias the arguments, a live
      // error be of a class the codec does not restore. A body that saw otherwise could branch otherwise.
      return payloads.decode(outcome.output, () => ({ description: `output of ${label}`, workflowId, stepId }));
    }
    if (rt.abort.signal.aborted) await rt.boundary();
    failed = attempt;
    if (!outcome.retry) throw new ActivityFailure(workflowId, stepId, definition.name, failed, outcome.stored === undefined ? outcome.error : storedCause(payloads, outcome.stored));
    // From the attempt's recorded end, as documented (and as a re-entry counts it): the clock may have moved since.
    await rt.waitUntil((outcome.endedAt ?? clock.now()) + retryDelayMs(policy, failed));
  }
}

function stepLabel(kind: 'activity' | 'saga', stepId: string, workflowId: string): string {
  return `${kind === 'saga' ? 'saga step' : 'activity'} "${stepId}" in workflow "${workflowId}"`;
}

/** A completed step's recorded value, or the checkpoint (if any) an unfinished step goes on from. */
export type ActivityReplay = { readonly replayed: true; readonly value: unknown } | { readonly replayed: false; readonly recorded: CheckpointRow | undefined };

/**
 * The outcome an activity (or saga transaction) recorded at `stepId`, when it
 * has one: its value, or its terminal failure thrown again. Synchronous, so
 * re-entering a long body costs no promise per completed step.
 * @throws NonDeterminismError when another kind or name was recorded there; the recorded ActivityFailure
 */
export function replayActivityStep(rt: WorkflowRuntime, definition: StepDefinition, stepId: string): ActivityReplay {
  const workflowId = rt.info.workflowId;
  const kind = definition.kind === 'saga' ? 'saga' : 'activity';
  const recorded = rt.checkpoints.at(workflowId, stepId, kind, definition.name);
  if (recorded === undefined) return { replayed: false, recorded };
  const { payloads } = rt.deps;
  switch (recorded.status) {
    case 'pending':
    case 'running':
    case 'retrying':
      return { replayed: false, recorded };
    case 'failed':
      throw recordedFailure(workflowId, recorded, storedCause(payloads, recorded.error ?? ''));
    default: {
      const value = payloads.decode(recorded.output ?? '', () => ({ description: `output of ${stepLabel(kind, stepId, workflowId)}`, workflowId, stepId }));
      if (kind === 'saga') noteSagaCompleted(rt, stepId);
      return { replayed: true, value };
    }
  }
}

interface AttemptPlan {
  readonly stepId: string;
  readonly stepEntityId: string;
  readonly create: AttemptStart['create'];
  readonly attempt: number;
  readonly policy: RetryPolicy;
  readonly timeoutMs: number | undefined;
  readonly label: string;
  readonly kind: 'activity' | 'saga';
}

/** @param input the step's encoded arguments */
async function runAttempt(rt: WorkflowRuntime, definition: StepDefinition, plan: AttemptPlan, thisArg: unknown, input: string): Promise<AttemptOutcome> {
  const { store, clock, payloads } = rt.deps;
  const workflowId = rt.info.workflowId;
  const args = payloads.decode(input, () => ({ description: `input of ${plan.label}`, workflowId, stepId: plan.stepId })) as unknown[];
  const attemptId = newId();
  const startedAt = clock.now();
  // Not awaited before the attempt runs: the start record rides the same group commit as the result when the step is quick.
  const started = store.beginAttempt({
    kind: plan.kind,
    stepEntityId: plan.stepEntityId,
    ...(plan.create ? { create: plan.create } : {}),
    attemptId,
    workflowExecutionId: rt.info.executionId,
    attempt: plan.attempt,
    ...(plan.kind === 'saga' ? { attemptKind: 'transaction' as const } : {}),
    now: startedAt,
  });
  started.catch(() => undefined);
  // Lifecycle events and spans (issue 9): `step.started` once the start record is committed.
  const observed = rt.deps.observer?.attempt(rt, { kind: plan.kind, stepId: plan.stepId, name: definition.name, attempt: plan.attempt }, started, startedAt) ?? noAttempt();

  let key: string | undefined;
  const { runId, generation } = rt.info;
  const call = (signal: () => AbortSignal): unknown => {
    const context: ActivityContext = {
      workflowId,
      stepId: plan.stepId,
      name: definition.name,
      attempt: plan.attempt,
      // Derived, not the step row's id: that row may not be committed yet when a crash cuts the first attempt short.
      get idempotencyKey(): string {
        return (key ??= stepIdempotencyKey(runId, workflowId, generation, plan.stepId));
      },
      get signal(): AbortSignal {
        return signal();
      },
    };
    return observed.run(() => ambient.run({ kind: 'step', activity: context }, () => definition.registration.original.apply(thisArg, args as never[])));
  };
  let outcome: AttemptOutcome;
  try {
    const { timeoutMs } = plan;
    let value: unknown;
    if (timeoutMs === undefined) {
      // The execution's signal would do, but a listener the activity left on it would fire at a later cancel or close.
      const scope = attemptSignal(rt.abort.signal);
      try {
        value = await call(scope.signal);
      } finally {
        scope.release();
      }
    } else {
      value = await withDeadline(clock, timeoutMs, rt.abort.signal, () => new ActivityTimeoutFailure(workflowId, plan.stepId, definition.name, plan.attempt, timeoutMs), call);
    }
    const where: PayloadLocation = { description: `output of ${plan.label}`, workflowId, stepId: plan.stepId };
    try {
      outcome = { ok: true, output: payloads.encode(value, where) };
    } catch (encodeError) {
      outcome = { ok: false, error: encodeError, retry: false };
    }
  } catch (error) {
    const unrecordable = error instanceof SerializationError || error instanceof PayloadTooLargeError;
    outcome = { ok: false, error, retry: !unrecordable && shouldRetry(plan.policy, plan.attempt, error) };
  }

  // Queued behind the start record (same batch when the step was quick), then both awaited: one commit.
  const now = clock.now();
  let ended: Promise<void>;
  let stored: string | undefined;
  if (outcome.ok) {
    ended = store.endAttempt({ kind: plan.kind, stepEntityId: plan.stepEntityId, attemptId, attemptStatus: 'completed', stepStatus: 'completed', attempts: plan.attempt - 1, output: outcome.output, now });
  } else if (rt.abort.signal.aborted) {
    // Stopped from outside (engine closing, cancel): not the step's failure, so it does not count as an attempt.
    ended = store.endAttempt({ kind: plan.kind, stepEntityId: plan.stepEntityId, attemptId, attemptStatus: 'interrupted', stepStatus: 'pending', attempts: plan.attempt - 1, now });
  } else {
    stored = payloads.encodeError(outcome.error, { description: `error of ${plan.label}`, workflowId, stepId: plan.stepId });
    const stepStatus = outcome.retry ? 'retrying' : 'failed';
    ended = store.endAttempt({ kind: plan.kind, stepEntityId: plan.stepEntityId, attemptId, attemptStatus: 'failed', stepStatus, attempts: plan.attempt, error: stored, now });
  }
  const interrupted = !outcome.ok && rt.abort.signal.aborted;
  await Promise.all([started, ended]);
  if (outcome.ok) observed.completed(now);
  else if (interrupted) observed.interrupted();
  else observed.failed(outcome.error, outcome.retry, now);
  return outcome.ok || stored === undefined ? outcome : { ...outcome, stored, endedAt: now };
}

/** A recorded attempt error as every entry of the body sees it: decoded, Tempolite's own classes restored. */
function storedCause(payloads: WorkflowRuntime['deps']['payloads'], text: string): Error {
  return reviveFailure(payloads.decodeError(text));
}

function checkpoint(kind: 'activity' | 'saga', id: string, stepId: string, name: string, status: CheckpointRow['status'], attempts: number, output: string, now: number): CheckpointRow {
  return { kind, id, stepId, name, status, attempts, output, error: null, updatedAt: now };
}
