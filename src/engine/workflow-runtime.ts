import type { DetachedStartOptions, StepCallOptions, WorkflowInfo, WorkflowRuntimeApi } from '../context/ambient.js';
import { isClosedEngineError } from '../store/storage-errors.js';
import { supportedVersion, versionOf } from './steps/version-step.js';
import { EngineStateError, InvalidOptionsError, LeaseLostError, NonDeterminismError, StorageError, TempoliteError, UnknownWorkflowError, WorkflowCancelledFailure } from '../errors.js';
import type { Registration } from '../registry/registration.js';
import { NOT_STORABLE, isStorableText } from '../store/storable-text.js';
import { describeRegistration, registrationName } from '../registry/registration.js';
import type { WorkflowRow } from '../store/rows.js';
import type { EngineDeps } from './engine-deps.js';
import { never } from './never.js';
import { replayActivityStep, runActivityStep, type ActivityReplay } from './steps/activity-step.js';
import { runChildStep } from './steps/child-step.js';
import { runDetachedStart, type DetachedWorkflow } from './steps/detached-start.js';
import type { Checkpoints } from './steps/checkpoints.js';
import { runSideEffectStep } from './steps/side-effect-step.js';
import { assertOptionsApply } from './steps/step-call-options.js';
import { compensateInBody } from './saga/body-compensation.js';
import type { ControlAction } from '../store/control-store.js';
import { runSignalStep, SIGNAL_STEP } from './waits/signal-step.js';
import { asSetupFailure, isSetupFailure } from './setup-failure.js';
import type { SignalResult } from './waits/signal-types.js';
import { runSleepStep, SLEEP_STEP } from './waits/sleep-step.js';
import { sharedAbortController } from './shared-abort.js';

/** Why a body stopped without settling. */
export type SuspensionCause = 'wait' | 'stop' | 'continue' | 'pause' | 'cancel';

/** Why a body stopped without settling: a long wait, the engine stopping, or continue-as-new. */
export interface Suspension {
  /** When the workflow should run again; `null` when only an event (signal, child) wakes it. */
  readonly wakeAt: number | null;
  /** `wait`: the workflow waits; `stop`: the engine is closing; `continue`: continue-as-new; `pause` / `cancel`: asked by a client (issue 5). */
  readonly cause: SuspensionCause;
  /** The next generation's encoded input, for `continue`. */
  readonly continueWith?: string;
}

/**
 * Which cause wins when several branches of a body suspend: a continuation must not be lost to a stop;
 * a pause is left on the task across a continuation (the next generation pauses at entry); a cancel ends everything.
 */
const CAUSE_RANK: Record<SuspensionCause, number> = { wait: 0, stop: 1, pause: 2, continue: 3, cancel: 4 };

/** What a boundary that lets the body go on returns. */
const PASSED: Promise<void> = Promise.resolve();

/**
 * State of one entry into a workflow body: step counters, checkpoints, the
 * steps in flight, and how the body ends if it does not settle (suspension).
 */
export class WorkflowRuntime implements WorkflowRuntimeApi {
  /** Fires when the execution must stop (engine closing, cancel). */
  readonly abort = sharedAbortController();
  /** Settles when the body has been abandoned and every step in flight has finished. */
  readonly suspended: Promise<Suspension>;
  /** An error that fails the execution even if the body catches it (non-determinism). */
  fatal: Error | undefined;
  /**
   * A write of this execution that the database refused (a full disk, a lost connection, a lease taken
   * over): its outcome can no longer be recorded faithfully, so the execution ends without writing.
   */
  broken: Error | undefined;
  /** Set once the body settled or was abandoned: only the execution's end is left to write. */
  bodyEnded = false;
  /**
   * Set when the body's promise settled (returned or threw), before the steps still in flight finish: code a
   * wait the body left behind resumes later must take no step then (it would run after the workflow's end).
   */
  private returned = false;

  private readonly counters = new Map<string, number>();
  private readonly explicitIds = new Set<string>();
  private readonly busy = new Set<Promise<unknown>>();
  private suspension: { wakeAt: number | null; cause: SuspensionCause; continueWith?: string } | undefined;
  private resolveSuspended!: (suspension: Suspension) => void;
  /**
   * Fires when the body must leave any in-memory wait for its next step boundary: engine closing, cancel, pause.
   * Made on first use: most bodies never wait in memory, and an AbortController is among the dearer objects.
   */
  private halt: AbortController | undefined;
  /** A halt asked before anything waited on it. */
  private haltAsked = false;
  private requested: ControlAction | undefined;
  /**
   * Wake times of the in-memory waits under way. A branch that suspends the body abandons them with it, so the
   * suspension comes back by the earliest of them: nothing else would wake a workflow whose short sleep sat
   * beside, say, a signal wait without a timeout.
   */
  private readonly inMemoryWakeAts = new Map<object, number>();
  /** The last wait's lookup of its record (see `inCallOrder`). */
  private waitLookups: Promise<unknown> = PASSED;
  /** Lookups of waits not settled yet: a wait's suspension waits for them (see `whenQuiet`). */
  private readonly lookups = new Set<Promise<unknown>>();
  /** Wake times of the waits that asked to suspend the body while it was not quiet yet (`null`: a signal). */
  private readonly deferredWakeAts: (number | null)[] = [];
  /** Set when a child workflow still running made the body suspend: that wait outlasts the body's end (see `awaitChild`). */
  awaitsChild = false;
  /** Step ids of the sleeps and signal waits the body called in this execution (see `unreachedWait`). */
  readonly reachedWaits = new Set<string>();
  /** The version this execution takes at each change it called `version()` for, by change id. */
  readonly versions = new Map<string, Promise<number>>();
  /** Whether an earlier execution of this generation ran the body: its waits' records must be reached again. */
  reentersGeneration = false;

  constructor(
    readonly deps: EngineDeps,
    readonly workflow: WorkflowRow,
    readonly info: WorkflowInfo,
    readonly checkpoints: Checkpoints,
    /** The task's wake-up counter at entry. */
    readonly wakeupsAtEntry: number,
  ) {
    this.suspended = new Promise((resolve) => (this.resolveSuspended = resolve));
  }

  callStep(registration: Registration, thisArg: unknown, args: readonly unknown[], options: StepCallOptions | undefined): Promise<unknown> {
    // After a non-determinism error the body's path is no longer trustworthy: no further step may run.
    if (this.fatal !== undefined) return Promise.reject(this.fatal);
    if (this.returned) return never();
    const definition = this.deps.registry.definitionOf(registration);
    if (definition === undefined) {
      // A child workflow left out of `register` is an unknown workflow, as it is for engine.startWorkflow().
      const error =
        registration.kind === 'workflow'
          ? new UnknownWorkflowError(registrationName(registration), undefined, 'workflow')
          : new EngineStateError(`${describeRegistration(registration)} is not registered in this engine; add it to the engine's "register" option.`);
      // The deployment left code out: paused for the fix, as a class the container cannot create, not failed
      // (and compensated) for good.
      return this.failFatally(Promise.reject(asSetupFailure(error)));
    }
    let stepId: string;
    try {
      if (options !== undefined) assertOptionsApply(definition, options);
      stepId = this.stepIdFor(definition.name, options?.id, options?.givenBy);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.suspension !== undefined) return never();
    if (definition.kind === 'workflow') return this.failFatally(runChildStep(this, definition, stepId, args, options?.queue));
    if (definition.kind === 'sideEffect') return this.failFatally(runSideEffectStep(this, definition, stepId, thisArg, args));
    let replay: ActivityReplay;
    try {
      replay = replayActivityStep(this, definition, stepId);
    } catch (error) {
      return this.failFatally(Promise.reject(error));
    }
    if (replay.replayed) return Promise.resolve(replay.value);
    return this.failFatally(runActivityStep(this, definition, stepId, replay.recorded, thisArg, args, options));
  }

  /**
   * After a non-determinism error the body's path is no longer trustworthy, and after a set-up failure the
   * engine cannot run it: either fails (pauses) the execution even if the body catches it.
   */
  private failFatally<T>(step: Promise<T>): Promise<T> {
    return step.catch((error: unknown) => {
      if (error instanceof NonDeterminismError || isSetupFailure(error)) this.fatal ??= error as Error;
      throw error;
    });
  }

  startDetached(registration: Registration, args: readonly unknown[], options: DetachedStartOptions): Promise<DetachedWorkflow> {
    if (this.fatal !== undefined) return Promise.reject(this.fatal);
    if (this.returned) return never();
    const definition = this.deps.registry.definitionOf(registration);
    if (definition?.kind !== 'workflow') {
      // A workflow left out of `register` is the deployment's mistake (see callStep); any other call is the body's.
      if (registration.kind === 'workflow' && definition === undefined) {
        return this.failFatally(Promise.reject(asSetupFailure(new UnknownWorkflowError(registrationName(registration), undefined, 'workflow'))));
      }
      return Promise.reject(new EngineStateError(`${describeRegistration(registration)} is not a workflow registered in this engine.`));
    }
    if (this.suspension !== undefined) return never();
    return runDetachedStart(this, definition, args, options);
  }

  continueAsNew(args: readonly unknown[]): Promise<never> {
    const workflowId = this.info.workflowId;
    let continueWith: string;
    try {
      continueWith = this.deps.payloads.encode([...args], { description: `continue-as-new input of workflow "${workflowId}"`, workflowId });
    } catch (error) {
      return Promise.reject(error);
    }
    return this.suspend(this.deps.clock.now(), 'continue', continueWith);
  }

  /**
   * Step ids are taken synchronously at call time, so `Promise.all` of steps numbers them in call order.
   * @param givenBy the call that gave `explicit`, named in errors; undefined: `withId`
   */
  stepIdFor(name: string, explicit: string | undefined, givenBy?: string): string {
    if (explicit !== undefined) {
      const refuse = (problem: string): never => {
        throw givenBy === undefined
          ? new InvalidOptionsError(`workflow "${this.info.workflowId}"`, 'withId', problem)
          : new InvalidOptionsError(`${givenBy} in workflow "${this.info.workflowId}"`, 'id', problem);
      };
      if (typeof explicit !== 'string') refuse(`a step id must be a string, got ${typeof explicit}`);
      if (explicit.length === 0 || explicit.length > 255) refuse('a step id must have 1 to 255 characters');
      // Else stored as another id: a re-entered body would not find its checkpoint and run the step again.
      if (!isStorableText(explicit)) refuse(`a step id ${NOT_STORABLE}`);
      // Automatic ids are `name#n` and Tempolite's own steps `tempolite.…`: an explicit id in either form could be
      // another call's, whose checkpoint the step would then return without running.
      if (explicit.includes('#') || explicit.startsWith('tempolite.')) {
        refuse(`step id "${explicit}" may not contain "#" or start with "tempolite." (the forms of automatic step ids)`);
      }
      if (this.explicitIds.has(explicit)) {
        refuse(`step id "${explicit}" is used twice in one generation`);
      }
      this.explicitIds.add(explicit);
      return explicit;
    }
    const occurrence = this.counters.get(name) ?? 0;
    this.counters.set(name, occurrence + 1);
    return `${name}#${occurrence}`;
  }

  /** Keeps `work` (a step attempt and its writes) counted until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.busy.add(work);
    const forget = (): void => {
      this.busy.delete(work);
    };
    work.then(forget, (error: unknown) => {
      forget();
      // Tracked work rejects only when a write failed; Tempolite's own refusals (a payload too large...) are the step's
      // outcome. A closed engine's refusal is no outcome either: the body was left behind, and must not end the workflow.
      if (error instanceof StorageError || error instanceof LeaseLostError || isClosedEngineError(error) || !(error instanceof TempoliteError)) {
        this.broken ??= error instanceof Error ? error : new Error(String(error));
        this.haltNow();
      }
    });
    return work;
  }

  /** Resolves once no step attempt or write of this execution is in flight. */
  async settle(): Promise<void> {
    while (this.busy.size > 0) await Promise.allSettled([...this.busy]);
  }

  /**
   * Abandons the body until `wakeAt` (or an event when `null`); the returned promise never settles.
   * A wait's suspension is decided once the body is quiet (see `whenQuiet`); a stop, a request or a continuation at once.
   */
  suspend(wakeAt: number | null, cause: SuspensionCause = 'wait', continueWith?: string): Promise<never> {
    if (cause === 'wait' && this.suspension === undefined) {
      this.deferredWakeAts.push(wakeAt);
      if (this.deferredWakeAts.length === 1) {
        void this.whenQuiet().then(() => {
          const wakeAts = this.deferredWakeAts.splice(0);
          const known = wakeAts.filter((at): at is number => at !== null);
          return this.suspendNow(known.length > 0 ? Math.min(...known) : null, 'wait');
        });
      }
      return never();
    }
    return this.suspendNow(wakeAt, cause, continueWith);
  }

  /**
   * Suspends for a child workflow still running. A re-entered parent does not run past such a child: when the body
   * fails meanwhile with a sibling's `ChildWorkflowFailure` (its `Promise.all` rejected), the workflow still waits.
   */
  awaitChild(): Promise<never> {
    this.awaitsChild = true;
    return this.suspend(null);
  }

  /**
   * Resolves once no step is in flight and no wait is reading its record: every other branch of the body has
   * reached a wait (or the body's end). A wait that suspended the body while another branch was still on its
   * way to its own wait (a step in flight, a lookup) would abandon that branch before it recorded when to wake:
   * beside a signal wait without a timeout, the workflow would then never wake by itself.
   */
  private async whenQuiet(): Promise<void> {
    for (;;) {
      // Continuations of what just settled run first: they may start a step or a lookup.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.busy.size > 0) await this.settle();
      else if (this.lookups.size > 0) await Promise.allSettled([...this.lookups]);
      else return;
    }
  }

  private suspendNow(wakeAt: number | null, cause: SuspensionCause, continueWith?: string): Promise<never> {
    if (this.suspension === undefined) {
      this.suspension = { wakeAt, cause, ...(continueWith !== undefined ? { continueWith } : {}) };
      void this.settle().then(() => {
        const current = this.suspension!;
        // A cancel or pause asked while the steps in flight settled still decides how this execution ends.
        if (this.requested !== undefined && CAUSE_RANK[this.requested] > CAUSE_RANK[current.cause]) current.cause = this.requested;
        for (const at of this.inMemoryWakeAts.values()) if (current.wakeAt === null || at < current.wakeAt) current.wakeAt = at;
        this.resolveSuspended({ ...current });
      });
    } else {
      const current = this.suspension;
      if (CAUSE_RANK[cause] > CAUSE_RANK[current.cause]) {
        current.cause = cause;
        if (continueWith !== undefined) current.continueWith = continueWith;
      }
      if (wakeAt !== null && (current.wakeAt === null || wakeAt < current.wakeAt)) current.wakeAt = wakeAt;
    }
    return never();
  }

  /** A step boundary: a stopping engine, a cancel or a pause abandons the body here. */
  boundary(): Promise<void> {
    // An abandoned body goes no further, also inside a step: a retry whose backoff ran out in memory after the
    // body suspended would otherwise run its attempt outside any execution.
    if (this.suspension !== undefined || this.returned) return never();
    // The common case, nothing asked: no promise of its own per step.
    if (!this.halted) return PASSED;
    return this.suspend(this.deps.clock.now(), this.requested ?? 'stop');
  }

  /** Waits `ms` in memory when short, else suspends the workflow until then. */
  wait(ms: number): Promise<void> {
    return this.waitUntil(this.deps.clock.now() + ms);
  }

  /** As `wait`, until the clock reads `until` (a durable sleep's recorded wake time). */
  async waitUntil(until: number): Promise<void> {
    const clock = this.deps.clock;
    if (until - clock.now() > this.deps.options.suspendAfterMs) await this.suspend(until);
    // A pause withdrawn by a resume wakes the wait early without stopping it: wait out the rest.
    do {
      await this.sleepUntil(until);
      await this.boundary();
    } while (clock.now() < until);
  }

  /**
   * A wait step's read of what it recorded (a fired timer, a consumed signal): the reads run at once, but their
   * results reach the body in the order the waits were called, as a re-entered body's other steps do. On
   * PostgreSQL the reads of a `Promise.all` of waits come back in any order, and a branch that goes on to a
   * step would then take another branch's step id (and its recorded result).
   */
  inCallOrder<T>(read: Promise<T>): Promise<T> {
    const ordered = this.waitLookups.then(() => read);
    const settled = ordered.catch(() => undefined);
    this.waitLookups = settled;
    this.lookups.add(settled);
    void settled.then(() => this.lookups.delete(settled));
    return ordered;
  }

  /**
   * A wait's in-memory part (a short sleep, a signal wait's short timeout, a short retry backoff): waits until `until`, or until
   * a halt (or `also`) aborts it. Such a wait is no step a suspension waits for, so a suspension that abandons the
   * body meanwhile wakes it again by then.
   */
  async sleepUntil(until: number, also?: AbortSignal): Promise<void> {
    const token = {};
    this.inMemoryWakeAts.set(token, until);
    try {
      await this.deps.clock.sleep(Math.max(0, until - this.deps.clock.now()), also === undefined ? this.haltSignal : AbortSignal.any([this.haltSignal, also]));
    } finally {
      // Once the body is abandoned the wait's continuation cannot take a step: its wake time stays for the suspension.
      if (this.suspension === undefined) this.inMemoryWakeAts.delete(token);
    }
  }

  /** Fires when the body should leave an in-memory wait and reach its next step boundary. */
  get haltSignal(): AbortSignal {
    if (this.halt === undefined) {
      const halt = (this.halt = new AbortController());
      // Whatever aborts the execution (closing, cancel, a compensation phase taking over) also ends its in-memory waits.
      if (this.haltAsked || this.abort.signal.aborted) halt.abort();
      else this.abort.signal.addEventListener('abort', () => halt.abort(), { once: true });
    }
    return this.halt.signal;
  }

  /** Whether the body must stop at this boundary (the halt signal fires exactly for these two). */
  private get halted(): boolean {
    return this.haltAsked || this.abort.signal.aborted;
  }

  private haltNow(): void {
    this.haltAsked = true;
    this.halt?.abort();
  }

  /** The cancel or pause asked of this body, if any. */
  get controlRequest(): ControlAction | undefined {
    return this.requested;
  }

  /**
   * Asks the body to stop at its next step boundary for a cancel or a pause
   * (`undefined`: a resume withdrew the pause). A cancel also aborts running
   * activities; a pause lets them finish. A cancel is never withdrawn.
   */
  requestControl(action: ControlAction | undefined): void {
    if (this.requested === 'cancel' || this.requested === action) return;
    this.requested = action;
    if (action === undefined) {
      if (!this.abort.signal.aborted) {
        this.halt = undefined;
        this.haltAsked = false;
      }
      return;
    }
    if (action === 'cancel') {
      // As the workflow's end says (cancel.ts): a cancel at or after the deadline is the deadline's.
      const deadlineAt = this.workflow.deadlineAt;
      const timedOut = deadlineAt !== null && deadlineAt !== undefined && deadlineAt <= this.deps.clock.now();
      this.abort.abort(new WorkflowCancelledFailure(this.info.workflowId, this.info.workflowName, timedOut ? new Date(deadlineAt) : undefined));
    } else this.haltNow();
  }

  /** `workflowContext().version()`; the logic lives in src/engine/steps/version-step.ts. */
  version(changeId: string, minSupported: number, maxSupported: number): Promise<number> {
    if (this.fatal !== undefined) return Promise.reject(this.fatal);
    if (this.suspension !== undefined || this.returned) return never();
    return this.failFatally(versionOf(this, changeId, maxSupported).then((version) => supportedVersion(this, changeId, version, minSupported, maxSupported)));
  }

  /** `workflowContext().sleep()`; the logic lives in src/engine/waits/ (issue 5). */
  sleep(ms: number): Promise<void> {
    return this.runWait(SLEEP_STEP, (stepId) => runSleepStep(this, stepId, ms));
  }

  /** `workflowContext().waitForSignal()`; the logic lives in src/engine/waits/ (issue 5). */
  waitForSignal(names: readonly string[], timeoutMs: number | undefined): Promise<SignalResult<unknown>> {
    return this.runWait(SIGNAL_STEP, (stepId) => runSignalStep(this, stepId, names, timeoutMs));
  }

  /** Takes a wait's step id at call time (as for any step) and runs it unless the body is already abandoned. */
  private runWait<T>(name: string, run: (stepId: string) => Promise<T>): Promise<T> {
    if (this.fatal !== undefined) return Promise.reject(this.fatal);
    const stepId = this.stepIdFor(name, undefined);
    this.reachedWaits.add(stepId);
    if (this.suspension !== undefined || this.returned) return never();
    return this.failFatally(run(stepId));
  }

  /**
   * The body's promise settled: no later step or wait may start, and the in-memory waits it left behind end
   * now (their continuations stop at their boundary) instead of waking up after the workflow's end.
   */
  bodyReturned(): void {
    this.returned = true;
    this.haltNow();
  }

  /** `workflowContext().compensate()`; the logic lives in src/engine/saga/ (sagas, issue 3). */
  compensate(): Promise<void> {
    if (this.fatal !== undefined) return Promise.reject(this.fatal);
    return compensateInBody(this);
  }

  /**
   * Another worker took the workflow over (this one stalled past its lease): its running activities see
   * their AbortSignal now, not when their end is refused, and the execution ends without writing.
   */
  loseLease(error: LeaseLostError): void {
    if (this.bodyEnded) return;
    this.broken ??= error;
    this.abort.abort(error);
  }

  /** Whether this body was told that another worker took its workflow over. */
  get leaseLost(): boolean {
    return this.broken instanceof LeaseLostError;
  }

  /** Asks the body to stop at its next step boundary (engine closing). */
  stop(): void {
    this.abort.abort(new EngineStateError('The engine is closing.'));
  }
}
