import { ambient } from '../context/ambient.js';
import { ChildWorkflowFailure, NonDeterminismError, PayloadTooLargeError, SerializationError } from '../errors.js';
import type { WorkflowDefinition } from '../registry/definitions.js';
import type { CheckpointRow, ExecutionRow } from '../store/rows.js';
import { isTerminal, type ExecutionReason } from '../store/statuses.js';
import type { EngineDeps } from './engine-deps.js';
import { newId } from './ids.js';
import { asSetupFailure, isSetupFailure } from './setup-failure.js';
import { retryDelayMs, shouldRetry } from './retry-policy.js';
import { Checkpoints } from './steps/checkpoints.js';
import { compensateWorkflow } from './saga/compensate-workflow.js';
import { cancelWorkflow } from './control/cancel.js';
import { applyAtEntry, endForControl } from './control/requested-control.js';
import type { ControlAction } from '../store/control-store.js';
import { WorkflowRuntime, type Suspension } from './workflow-runtime.js';
import { SIGNAL_STEP } from './waits/signal-step.js';
import { SLEEP_STEP } from './waits/sleep-step.js';
import { VERSION_STEP } from './steps/version-step.js';

type BodyOutcome = { readonly kind: 'completed'; readonly value: unknown } | { readonly kind: 'failed'; readonly error: unknown } | { readonly kind: 'suspended'; readonly suspension: Suspension };

/** The workflow's instance from the container; a container that cannot create it is a deployment problem. */
function resolveInstance(container: EngineDeps['container'], target: NonNullable<WorkflowDefinition['target']>): unknown {
  try {
    return container.resolve(target);
  } catch (error) {
    throw asSetupFailure(error);
  }
}

/** Decides why a body is entered from how the previous execution ended. */
function reasonFor(last: ExecutionRow | undefined): Exclude<ExecutionReason, 'compensate'> {
  switch (last?.status) {
    case undefined:
      return 'start';
    case 'failed':
      return 'retry';
    case 'suspended':
      return 'wake';
    case 'paused':
      return 'resume';
    case 'continued':
      return 'continue';
    default:
      return 'recovery';
  }
}

/**
 * Runs one claimed workflow task: one WorkflowExecution from entry to its end
 * (completed, failed and maybe scheduled for retry, or suspended).
 */
export class WorkflowRunner {
  /** Runtimes of the bodies running now, so `close()` can stop them at a step boundary. */
  readonly active = new Set<WorkflowRuntime>();
  /** Set by `stopAll()`: a run that reaches its entry after it does not enter the body. */
  private stopping = false;
  /** Workflows whose `run()` has not entered (or decided not to enter) the body yet. */
  private readonly entering = new Map<string, symbol>();
  /** Bodies that ended, by workflow: settles once the end is recorded (see `run`). */
  private readonly ending = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: EngineDeps,
    /** Called after a workflow reached a terminal status; with its encoded output when it completed. */
    private readonly onFinished: (workflowId: string, output?: string) => void,
  ) {}

  /**
   * Runs the workflow `workflowId` that this engine has just claimed.
   * @param claimedAt when it was claimed: the execution's start, as queue rate limits count it
   */
  async run(workflowId: string, claimedAt: number): Promise<void> {
    // This engine may claim its own task again when its lease looks expired (a test clock jumping past leaseMs
    // before the renewal lands): the body it already runs, or is about to enter, goes on; a second would repeat its steps.
    if (this.entering.has(workflowId)) return;
    for (const runtime of this.active) if (!runtime.bodyEnded && runtime.info.workflowId === workflowId) return;
    // A body that has ended, its end not committed yet: what it records decides what this claim does (nothing
    // for a workflow that completed; a re-entry for one that suspended and was woken in the same commit).
    const ending = this.ending.get(workflowId);
    if (ending !== undefined) {
      await ending;
      if (this.entering.has(workflowId)) return;
    }
    const token = Symbol(workflowId);
    this.entering.set(workflowId, token);
    const entered = (): void => {
      if (this.entering.get(workflowId) === token) this.entering.delete(workflowId);
    };
    try {
      await this.enter(workflowId, claimedAt, entered);
    } finally {
      entered();
    }
  }

  /** @param entered called once the body's runtime is active (the guard of `run` takes over from there). */
  private async enter(workflowId: string, claimedAt: number, entered: () => void): Promise<void> {
    const { store, registry } = this.deps;
    const snapshot = (await store.loadSnapshot(workflowId));
    if (snapshot === undefined) return;
    const { workflow, lastExecution } = snapshot;
    if (isTerminal(workflow.status)) {
      await store.dropTask(workflowId);
      return;
    }
    const definition = registry.workflow(workflow.name);
    if (definition === undefined) return; // claims filter on registered names; nothing to do if the code vanished since
    // Sagas (issue 3): a workflow claimed while compensating resumes its compensations; its body never runs again.
    if (workflow.status === 'compensating') {
      await compensateWorkflow(this.deps, workflowId, { active: this.active, onFinished: this.onFinished });
      return;
    }
    // Waiting and control (issue 5): a cancel or pause left on the task is applied instead of entering the body.
    const context = { deps: this.deps, active: this.active, onFinished: this.onFinished };
    const requested = snapshot.control === undefined ? await store.control.requestedControl(workflowId) : (snapshot.control ?? undefined);
    if (requested !== undefined) {
      await applyAtEntry(context, workflow, requested);
      return;
    }
    // Past its deadline (a recovery, a retry, a start that waited in its queue): cancelled, not entered, so no step
    // of it runs after the deadline. The cancel reaches its children too; the one left on this task ends it here.
    if (workflow.deadlineAt != null && Number(workflow.deadlineAt) <= this.deps.clock.now()) {
      await cancelWorkflow(context, workflowId, Number(workflow.deadlineAt));
      if ((await store.control.requestedControl(workflowId)) === 'cancel') await applyAtEntry(context, workflow, 'cancel');
      return;
    }

    // Claimed just before the engine closed: leave it to the next engine (its lease is released on close).
    if (this.stopping) return;
    const reason = reasonFor(lastExecution);
    const executionId = newId();
    const attempt = (lastExecution?.attempt ?? 0) + 1;
    const now = claimedAt;
    const begun = store.beginExecution({
      id: executionId,
      workflowId,
      generation: workflow.generation,
      attempt,
      reason,
      owner: this.deps.workerId,
      ...(lastExecution?.status === 'running' ? { interrupted: lastExecution.id } : {}),
      now,
    });
    begun.catch(() => undefined);

    const runtime = new WorkflowRuntime(
      this.deps,
      workflow,
      { workflowId, runId: workflow.runId, workflowName: workflow.name, executionId, generation: workflow.generation, attempt: workflow.attempts + 1 },
      new Checkpoints(snapshot.checkpoints, snapshot.children),
      snapshot.wakeups,
    );
    runtime.reentersGeneration = lastExecution !== undefined && lastExecution.generation === workflow.generation;
    this.active.add(runtime);
    entered();
    // Lifecycle events (issue 9): `workflow.started` once the execution row is committed.
    this.deps.observer?.executionBegan(runtime, reason, runtime.info.attempt, begun, now);
    try {
      const outcome = await this.runBody(runtime, definition, snapshot.input);
      runtime.bodyEnded = true;
      const finishing = begun.then(() => this.finish(runtime, definition, outcome));
      const settled = finishing.then(
        () => undefined,
        () => undefined,
      );
      this.ending.set(workflowId, settled);
      try {
        await finishing;
      } finally {
        if (this.ending.get(workflowId) === settled) this.ending.delete(workflowId);
      }
    } finally {
      this.active.delete(runtime);
    }
  }

  /** The workflows whose bodies (or compensation phases) this engine holds now. */
  runningWorkflowIds(): string[] {
    return [...new Set([...this.active].map((runtime) => runtime.info.workflowId))];
  }

  /** Stops the running bodies at their next step boundary, and keeps bodies not yet entered from entering. */
  stopAll(): void {
    this.stopping = true;
    for (const runtime of this.active) runtime.stop();
  }

  private async runBody(runtime: WorkflowRuntime, definition: WorkflowDefinition, input: string | null): Promise<BodyOutcome> {
    const { payloads, container } = this.deps;
    const where = { description: `input of workflow "${runtime.info.workflowId}"`, workflowId: runtime.info.workflowId };
    let body: Promise<unknown>;
    try {
      const args = payloads.decode(input ?? '', where) as unknown[];
      const instance = definition.target === undefined ? undefined : resolveInstance(container, definition.target);
      body = Promise.resolve(ambient.run({ kind: 'workflow', runtime }, () => definition.registration.original.apply(instance, args as never[])));
    } catch (error) {
      body = Promise.reject(error);
    }
    const settled = body.then(
      (value): BodyOutcome => ({ kind: 'completed', value }),
      (error: unknown): BodyOutcome => ({ kind: 'failed', error }),
    );
    const suspended = runtime.suspended.then((suspension): BodyOutcome => ({ kind: 'suspended', suspension }));
    const outcome = await Promise.race([settled, suspended]);
    // A failed child fails its parent once its siblings still running are done (`Promise.all` of children):
    // the wait for them outlasts the body's end. A child the body left behind does not hold a failure of its own.
    if (outcome.kind === 'failed' && outcome.error instanceof ChildWorkflowFailure && runtime.awaitsChild) return suspended;
    if (outcome.kind !== 'suspended') {
      runtime.bodyReturned();
      await runtime.settle();
    }
    return outcome;
  }

  /** Ends an execution that a cancel or a pause stopped. */
  private async endForRequest(runtime: WorkflowRuntime, action: ControlAction): Promise<void> {
    await endForControl({ deps: this.deps, active: this.active, onFinished: this.onFinished }, runtime, action);
    this.deps.observer?.executionEnded(runtime);
  }

  /**
   * The code no longer matches what the workflow recorded, or this engine cannot run it as deployed (see
   * `setup-failure.ts`): a deployment's mistake, not the workflow's outcome. Failing it would compensate its
   * sagas and end it for good; paused, it waits for the fix and a resume.
   */
  private async pauseForFix(runtime: WorkflowRuntime, error: Error, encoded: string): Promise<void> {
    const { workflowId, executionId } = runtime.info;
    const paused = await this.deps.store.control.pauseForFix({ workflowId, executionId, error: encoded, now: this.deps.clock.now() });
    if (!paused) {
      await this.endForRequest(runtime, 'cancel');
      return;
    }
    const stepId = (error as { stepId?: unknown }).stepId;
    this.deps.logger.error(
      { err: error, workflowId, workflowName: runtime.info.workflowName, ...(typeof stepId === 'string' ? { stepId } : {}) },
      error instanceof NonDeterminismError
        ? 'workflow paused: its code no longer matches the steps it recorded; deploy a fix (or give the new step an explicit id), then resume() it'
        : 'workflow paused: this engine cannot run it as deployed (the container cannot create its class, its register option leaves out a step or workflow it calls, or the codec cannot decode what it stored); fix the set-up, then resume() it',
    );
    await this.deps.observer?.workflowPaused(workflowId, runtime, error);
    this.deps.observer?.executionEnded(runtime, error);
  }

  private async finish(runtime: WorkflowRuntime, definition: WorkflowDefinition, outcome: BodyOutcome): Promise<void> {
    const { store, payloads, clock } = this.deps;
    const { workflowId, executionId } = runtime.info;
    // The queue worker runs it again after a pause; recording this execution's end now could record a wrong outcome.
    if (runtime.broken !== undefined) throw runtime.broken;
    const now = clock.now();
    if (outcome.kind === 'suspended' && (outcome.suspension.cause === 'cancel' || outcome.suspension.cause === 'pause')) {
      await this.endForRequest(runtime, outcome.suspension.cause);
      return;
    }
    if (outcome.kind === 'suspended' && outcome.suspension.cause === 'continue') {
      await store.continueAsNew({ workflowId, executionId, input: outcome.suspension.continueWith ?? '[]', now });
      this.deps.observer?.executionEnded(runtime);
      return;
    }
    if (outcome.kind === 'suspended') {
      const stopping = outcome.suspension.cause === 'stop';
      await store.endExecution({
        workflowId,
        executionId,
        executionStatus: stopping ? 'interrupted' : 'suspended',
        workflowStatus: stopping ? 'pending' : 'waiting',
        nextRunAt: stopping ? now : outcome.suspension.wakeAt,
        seenWakeups: runtime.wakeupsAtEntry,
        // Stopped by a closing engine: its takeover comes before the work that became due meanwhile.
        ...(stopping ? { keepsItsPlace: true } : {}),
        now,
      });
      this.deps.observer?.executionEnded(runtime);
      return;
    }
    // A body that could not run at all (its input undecodable) reached no step: that is no dropped call.
    const cannotRun = outcome.kind === 'failed' && (isSetupFailure(outcome.error) || outcome.error instanceof NonDeterminismError);
    let error: unknown = runtime.fatal ?? (cannotRun ? undefined : runtime.checkpoints.unreached(workflowId, runtime.info.workflowName, isVersionMarker));
    if (error === undefined && !cannotRun && runtime.reentersGeneration) error = await unreachedWait(this.deps, runtime);
    let output: string | undefined;
    if (error === undefined && outcome.kind === 'completed') {
      try {
        output = payloads.encode(outcome.value, { description: `output of workflow "${workflowId}"`, workflowId });
      } catch (encodeError) {
        error = encodeError;
      }
    } else if (error === undefined && outcome.kind === 'failed') {
      error = outcome.error;
    }
    if (output !== undefined) {
      const completed = await store.endExecution({ workflowId, executionId, executionStatus: 'completed', workflowStatus: 'completed', output, parentId: runtime.workflow.parentId, unlessCancelRequested: true, now });
      // A cancel recorded before the end could commit (after the body's last boundary) wins, as at a boundary.
      if (!completed) {
        await this.endForRequest(runtime, 'cancel');
        return;
      }
      this.deps.observer?.workflowCompleted(runtime, now);
      this.onFinished(workflowId, output);
      return;
    }
    const encoded = payloads.encodeError(error, { description: `error of workflow "${workflowId}"`, workflowId });
    if (error instanceof NonDeterminismError || isSetupFailure(error)) {
      await this.pauseForFix(runtime, error as Error, encoded);
      return;
    }
    const failed = runtime.workflow.attempts + 1;
    const permanent = error instanceof SerializationError || error instanceof PayloadTooLargeError;
    if (!permanent && shouldRetry(definition.retry, failed, error)) {
      const retryAt = now + retryDelayMs(definition.retry, failed);
      await store.endExecution({
        workflowId,
        executionId,
        executionStatus: 'failed',
        executionError: encoded,
        workflowStatus: 'pending',
        attempts: failed,
        nextRunAt: retryAt,
        resetFailedSteps: true,
        now,
      });
      this.deps.observer?.workflowRetried(runtime, error, failed, retryAt);
      return;
    }
    // Sagas (issue 3): completed saga steps are compensated before the workflow ends (compensated / compensation_failed).
    const saga = await compensateWorkflow(this.deps, workflowId, { body: runtime, error: encoded, attempts: failed, active: this.active, onFinished: this.onFinished });
    if (saga !== 'nothing') return;
    await store.endExecution({ workflowId, executionId, executionStatus: 'failed', executionError: encoded, workflowStatus: 'failed', attempts: failed, error: encoded, parentId: runtime.workflow.parentId, now });
    this.deps.observer?.workflowFailed(runtime, error, failed);
    this.onFinished(workflowId);
  }
}

/** A version marker the body no longer reaches is no dropped call: a deployment may remove a `version()` no workflow needs. */
function isVersionMarker(row: CheckpointRow): boolean {
  return row.name === VERSION_STEP;
}

/**
 * A sleep or timed signal wait an earlier execution of this generation recorded, which the body ended without
 * calling again, as a `NonDeterminismError`: a sleep is no checkpoint row, so `Checkpoints.unreached` cannot see
 * a loop of sleeps that a flag set by a replayed signal cut short. Read only on a re-entry: a first execution
 * reached every timer it recorded.
 */
async function unreachedWait(deps: EngineDeps, runtime: WorkflowRuntime): Promise<NonDeterminismError | undefined> {
  const { workflowId, generation, workflowName } = runtime.info;
  const timers = await deps.store.waits.timersOf(workflowId);
  const missed = timers.find((timer) => timer.generation === generation && timer.status !== 'cancelled' && !runtime.reachedWaits.has(timer.stepId));
  if (missed === undefined) return undefined;
  const kind = missed.stepId.startsWith(`${SLEEP_STEP}#`) ? 'sleep' : 'signal';
  return new NonDeterminismError(workflowId, missed.stepId, { kind: 'end', name: workflowName }, { kind, name: kind === 'sleep' ? SLEEP_STEP : SIGNAL_STEP });
}

