import { mergeRetry, refusedBuilderOptions, withPendingOptions } from '../decorators/dispatch.js';
import type { AsyncMethod } from '../decorators/decorate-method.js';
import { REGISTRATION, type RegisteredFunction } from '../decorators/register-function.js';
import { waitDurationMs, type Duration } from '../engine/duration.js';
import type { RetryPolicyOptions } from '../engine/retry-policy.js';
import { signalNames } from '../engine/waits/signal-names.js';
import { checkVersionArgs } from '../engine/steps/version-step.js';
import type { ReceivedSignal, SignalResult, WaitForSignalOptions } from '../engine/waits/signal-types.js';
import type { AsyncMethodNames, MethodArgs, MethodResult } from '../engine/workflow-types.js';
import { InvalidOptionsError, OutsideWorkflowError, UnknownWorkflowError } from '../errors.js';
import { refuseUnknownKeys } from '../engine/option-keys.js';
import { recordedMethod } from '../registry/metadata-storage.js';
import type { Constructor } from '../registry/registration.js';
import { currentScope, type DetachedStartOptions, type StepCallOptions, type WorkflowInfo, type WorkflowRuntimeApi } from './ambient.js';

/** Options of a child workflow call. */
export interface ChildOptions {
  /** Step id of the call (the child's workflow id derives from it). @default `name#occurrence` */
  id?: string | undefined;
  /** Queue the child runs on, under that queue's limits. @default the child workflow's `queue` option, else 'default' */
  queue?: string | undefined;
}

/** Options of a detached start from inside a workflow. */
export interface DetachedOptions {
  /** Workflow id of the new workflow. @default derived from the caller's id and the step id, so a retried caller starts it once */
  id?: string | undefined;
  /** Queue to run on. @default the workflow's `queue` option, else 'default' */
  queue?: string | undefined;
  /** Higher runs first among waiting workflows of the queue. @default 0 */
  priority?: number | undefined;
  /**
   * Longest the workflow may take, from this start: once it passes, the workflow (with its children) is
   * cancelled as by `cancel()`, and `result()` throws a `WorkflowFailure` whose cause is a
   * `WorkflowCancelledFailure` with `timedOut: true`. At least 1 ms.
   * @default no deadline
   */
  timeout?: Duration | undefined;
}

/** What a detached start returns. */
export interface DetachedWorkflow {
  /** Id of the new workflow entity. */
  readonly workflowId: string;
  /** Its run: a new execution tree. */
  readonly runId: string;
}

/**
 * Per-call options for the next step, as the seeds' `ctx.WithRetries(...).WithID(...)`:
 * `await workflowContext().withId('charge-eu').withRetry({ maxAttempts: 5 }).run(() => this.charge(order))`.
 */
export class StepOptionsBuilder {
  constructor(private readonly options: StepCallOptions) {}

  /** Uses `id` as the step id instead of `name#occurrence`. Unique within the workflow generation. */
  withId(id: string): StepOptionsBuilder {
    return new StepOptionsBuilder({ ...this.options, id });
  }

  /**
   * Retries this call by `policy`, over the step's own policy (fields not given keep the step's values).
   * Chained `withRetry` calls merge, the later one's fields winning (a field given as `undefined` is left out:
   * it keeps the earlier call's value).
   */
  withRetry(policy: RetryPolicyOptions): StepOptionsBuilder {
    const earlier = this.options.retry;
    const merged = earlier !== null && typeof earlier === 'object' && policy !== null && typeof policy === 'object' ? mergeRetry(earlier, policy) : policy;
    return new StepOptionsBuilder({ ...this.options, retry: merged });
  }

  /** Gives each attempt of this activity or saga call at most `timeout`, over the step's own `timeout`. */
  withTimeout(timeout: Duration): StepOptionsBuilder {
    return new StepOptionsBuilder({ ...this.options, timeout });
  }

  /** Runs the child workflow started by this call on `queue` (a cross-queue child). */
  withQueue(queue: string): StepOptionsBuilder {
    return new StepOptionsBuilder({ ...this.options, queue });
  }

  /** Runs `call`, which must make exactly one step call; that call takes these options. */
  run<T>(call: () => Promise<T>): Promise<T> {
    return withPendingOptions(this.options, call);
  }
}


/** What a workflow body can do beyond calling its steps. */
export class WorkflowContext implements WorkflowInfo {
  constructor(private readonly runtime: WorkflowRuntimeApi) {}

  get workflowId(): string {
    return this.runtime.info.workflowId;
  }
  get runId(): string {
    return this.runtime.info.runId;
  }
  get workflowName(): string {
    return this.runtime.info.workflowName;
  }
  get executionId(): string {
    return this.runtime.info.executionId;
  }
  get generation(): number {
    return this.runtime.info.generation;
  }
  get attempt(): number {
    return this.runtime.info.attempt;
  }

  /** Options for the next step call: an explicit step id. */
  withId(id: string): StepOptionsBuilder {
    return new StepOptionsBuilder({ id });
  }

  /** Options for the next step call: a retry policy. */
  withRetry(policy: RetryPolicyOptions): StepOptionsBuilder {
    return new StepOptionsBuilder({ retry: policy });
  }

  /** Options for the next step call: an attempt timeout (activities and saga steps). */
  withTimeout(timeout: Duration): StepOptionsBuilder {
    return new StepOptionsBuilder({ timeout });
  }

  /** Options for the next call of a workflow method: the queue its child runs on. */
  withQueue(queue: string): StepOptionsBuilder {
    return new StepOptionsBuilder({ queue });
  }

  /**
   * Runs a workflow method as a child: a new workflow entity in this run; this
   * workflow waits for it without holding a queue slot, and gets its result or
   * a ChildWorkflowFailure. Same as calling the method directly, plus options.
   */
  child<C extends Constructor, K extends AsyncMethodNames<InstanceType<C>>>(
    workflowClass: C,
    method: K,
    args: Readonly<MethodArgs<InstanceType<C>, K>>,
    options?: ChildOptions,
  ): Promise<MethodResult<InstanceType<C>, K>>;
  /** Runs a workflow registered with `registerWorkflow` as a child: same as calling it directly, plus options. */
  child<A extends unknown[], R>(workflow: RegisteredFunction<A, R>, args: Readonly<A>, options?: ChildOptions): Promise<R>;
  child(target: unknown, methodOrArgs: unknown, argsOrOptions?: unknown, maybeOptions?: unknown): Promise<unknown> {
    const isFunction = typeof target === 'function' && REGISTRATION in target;
    const call = isFunction ? childOfFunction(target as RegisteredFunction<unknown[], unknown>, methodOrArgs) : childOfMethod(target as Constructor, methodOrArgs, argsOrOptions);
    if (call instanceof Error) return Promise.reject(call);
    const given = isFunction ? argsOrOptions : maybeOptions;
    const options = (given === undefined ? {} : given) as ChildOptions;
    if (options === null || typeof options !== 'object') return Promise.reject(new InvalidOptionsError('workflowContext().child()', 'options', 'must be an object'));
    try {
      refuseUnknownKeys('workflowContext().child()', options, ['id', 'queue']);
    } catch (error) {
      return Promise.reject(error);
    }
    const stepOptions: StepCallOptions = {
      ...(options.id !== undefined ? { id: options.id } : {}),
      ...(options.queue !== undefined ? { queue: options.queue } : {}),
      givenBy: 'workflowContext().child()',
    };
    return withPendingOptions(stepOptions, call);
  }

  /**
   * Starts a workflow in a new run without waiting for it (fire-and-forget).
   * The start is a recorded step: a retried or recovered caller does not start it twice.
   */
  startWorkflow<C extends Constructor, K extends AsyncMethodNames<InstanceType<C>>>(
    workflowClass: C,
    method: K,
    args: Readonly<MethodArgs<InstanceType<C>, K>>,
    options?: DetachedOptions,
  ): Promise<DetachedWorkflow>;
  /** Starts a workflow registered with `registerWorkflow` in a new run. */
  startWorkflow<A extends unknown[], R>(workflow: RegisteredFunction<A, R>, args: Readonly<A>, options?: DetachedOptions): Promise<DetachedWorkflow>;
  startWorkflow(target: unknown, methodOrArgs: unknown, argsOrOptions?: unknown, maybeOptions?: unknown): Promise<DetachedWorkflow> {
    const isFunction = typeof target === 'function' && REGISTRATION in target;
    const registration = isFunction ? (target as RegisteredFunction<unknown[], unknown>)[REGISTRATION] : recordedMethod(target, String(methodOrArgs), 'workflow');
    if (registration === undefined) {
      const recordedAs = recordedMethod(target, String(methodOrArgs))?.kind;
      return Promise.reject(new UnknownWorkflowError(`${(target as Constructor).name}.${String(methodOrArgs)}`, undefined, recordedAs));
    }
    const args = (isFunction ? methodOrArgs : argsOrOptions) as unknown[];
    const options = ((isFunction ? argsOrOptions : maybeOptions) ?? {}) as DetachedStartOptions;
    const refused = refusedBuilderOptions('workflowContext().startWorkflow() (give its options as its last argument)');
    if (refused !== undefined) return Promise.reject(refused);
    return this.runtime.startDetached(registration, args, options);
  }

  /**
   * Ends this generation and starts the next one of the same workflow entity
   * with `args` as its input: step checkpoints and retry counts start fresh,
   * buffered signals are kept. The returned promise never settles. Give the
   * workflow method's type to have `args` checked against its parameters:
   * `continueAsNew<Poller['run']>(next, total)` (unchecked without it).
   */
  continueAsNew<F extends AsyncMethod = (...args: unknown[]) => Promise<unknown>>(...args: Parameters<F>): Promise<never> {
    const refused = refusedBuilderOptions('workflowContext().continueAsNew()');
    if (refused !== undefined) return Promise.reject(refused);
    return this.runtime.continueAsNew(args);
  }

  /**
   * Rolls back now: runs the compensations of the saga steps whose calls have
   * completed in this body so far, latest completion first, each a durable,
   * retried compensation (as after a terminal failure), then returns so the
   * body can go on, e.g. to return a "rolled back" result.
   *
   * ```ts
   * try {
   *   await this.bookCar(trip);
   * } catch {
   *   await workflowContext().compensate(); // cancels hotel, then flight
   *   return { status: 'rolled back' };
   * }
   * ```
   *
   * Safe on re-entry: after a crash, a retry or a wake-up the body replays to
   * this call, which covers the same steps; finished compensations are not run
   * again, one cut short continues, and saga steps completed after this point
   * in an earlier execution are not touched. Compensated steps are not
   * compensated again when the workflow later fails. The workflow's status
   * stays `running`: only a terminal failure ends in `compensated`.
   * @throws CompensationFailure when a compensation gives up; it stays failed
   *   (calling compensate() again rethrows it), and if the workflow then fails,
   *   it ends `compensation_failed`.
   */
  compensate(): Promise<void> {
    const refused = refusedBuilderOptions('workflowContext().compensate()');
    if (refused !== undefined) return Promise.reject(refused);
    return this.runtime.compensate();
  }

  /**
   * The version of a code change this workflow runs, to change a body under workflows already in flight
   * (Temporal's `GetVersion`). A workflow that reaches this call for the first time records `maxSupported`
   * (a side effect `tempolite.version/<changeId>`) and gets it on every re-entry; one that had passed this point
   * under the code before the change (what it recorded goes on past here) gets `DEFAULT_VERSION` (0).
   * Branch on it, and keep the old branch until no workflow needs it:
   *
   * ```ts
   * const v = await workflowContext().version('tax-before-charge', DEFAULT_VERSION, 1);
   * if (v === 1) await this.addTax(order);
   * await this.charge(order);
   * ```
   *
   * Raise `minSupported` to drop an old branch: a workflow on a version below it (or above `maxSupported`)
   * is paused with a `NonDeterminismError`. Await it before the next step (not inside a `Promise.all`).
   * @param changeId names the change: unique per change within the workflow (1 to 237 characters)
   * @param minSupported the oldest version this code still runs, ≥ 0
   * @param maxSupported the version this code takes when it reaches the point first, ≥ `minSupported`
   * @throws InvalidOptionsError for malformed arguments (the body fails with it, as with any error)
   */
  version(changeId: string, minSupported: number, maxSupported: number): Promise<number> {
    const refused = refusedBuilderOptions('workflowContext().version()');
    if (refused !== undefined) return Promise.reject(refused);
    try {
      checkVersionArgs(`workflowContext().version() in workflow "${this.workflowId}"`, changeId, minSupported, maxSupported);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.runtime.version(changeId, minSupported, maxSupported);
  }

  /**
   * Sleeps durably: `await workflowContext().sleep('30d')`. A step (`tempolite.sleep#n`)
   * whose wake time is recorded when the body first reaches it, so after a
   * crash, a pause or a restart only the remaining time is waited. Sleeps
   * longer than the engine's `suspendAfterMs` release the workflow from
   * memory and its queue slot until the wake time; shorter ones wait in memory.
   * @param duration milliseconds, or a string such as `'500ms'`, `'10s'`, `'10m'`, `'2h'`, `'2d'`
   * @throws InvalidOptionsError for a negative or malformed duration
   */
  sleep(duration: Duration): Promise<void> {
    const refused = refusedBuilderOptions('workflowContext().sleep()');
    if (refused !== undefined) return Promise.reject(refused);
    try {
      return this.runtime.sleep(waitDurationMs(duration, `workflowContext().sleep() in workflow "${this.workflowId}"`, 'duration'));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Waits for a signal sent with `handle.signal(name, payload)`, as a step
   * (`tempolite.signal#n`). Signals are buffered until consumed, so one sent
   * before the wait is received too; each wait consumes one signal, the
   * oldest of the given name(s), and a re-entered body receives the same one
   * again. With several names, the first to arrive is taken and `name` says
   * which. Without a timeout the workflow holds no slot and no memory while it waits.
   *
   * ```ts
   * const decision = await workflowContext().waitForSignal<Decision>(['approve', 'reject'], { timeout: '3d' });
   * if (decision.timedOut) return this.escalate(expense);
   * ```
   * @returns the signal (`timedOut: false`, `name`, `payload`), or `{ timedOut: true }` when a timeout passed first
   *   (recorded too: re-entry sees the timeout again even if a signal came later)
   * @throws InvalidOptionsError for a bad name or timeout
   */
  waitForSignal<T = unknown>(name: string | readonly string[], options?: WaitForSignalOptions & { timeout?: undefined }): Promise<ReceivedSignal<T>>;
  waitForSignal<T = unknown>(name: string | readonly string[], options: WaitForSignalOptions): Promise<SignalResult<T>>;
  waitForSignal(name: string | readonly string[], options: WaitForSignalOptions = {}): Promise<SignalResult<unknown>> {
    const refused = refusedBuilderOptions('workflowContext().waitForSignal()');
    if (refused !== undefined) return Promise.reject(refused);
    try {
      const subject = `workflowContext().waitForSignal() in workflow "${this.workflowId}"`;
      const names = signalNames(name, subject);
      // A misspelt `timeout` would wait forever.
      if (options === null || typeof options !== 'object') throw new InvalidOptionsError(subject, 'options', 'must be an object');
      refuseUnknownKeys(subject, options, ['timeout']);
      const timeoutMs = options?.timeout === undefined ? undefined : waitDurationMs(options.timeout, subject, 'timeout');
      return this.runtime.waitForSignal(names, timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/**
 * The context of the workflow running now.
 * @throws OutsideWorkflowError outside a workflow body (also inside a step, which is not the body)
 */
export function workflowContext(): WorkflowContext {
  const scope = currentScope();
  if (scope?.kind !== 'workflow') throw new OutsideWorkflowError('workflowContext()');
  return new WorkflowContext(scope.runtime);
}

/** The call of a child given as a class and a method name, or the error that it is not a workflow method. */
function childOfMethod(workflowClass: Constructor, method: unknown, args: unknown): (() => Promise<unknown>) | Error {
  const fn = (workflowClass.prototype as Record<string, (...a: unknown[]) => Promise<unknown>>)[String(method)];
  // An undecorated method would run as plain code, and the options would find no step call to take them.
  if (typeof fn !== 'function' || recordedMethod(workflowClass, String(method), 'workflow') === undefined) {
    return new UnknownWorkflowError(`${workflowClass.name}.${String(method)}`, undefined, recordedMethod(workflowClass, String(method))?.kind);
  }
  // The dispatcher ignores `this` for workflow calls: the child resolves its own instance.
  return () => fn.call(undefined, ...(args as readonly unknown[]));
}

/** The call of a child given as a registered function, or the error that it is a step's twin. */
function childOfFunction(fn: RegisteredFunction<unknown[], unknown>, args: unknown): (() => Promise<unknown>) | Error {
  const { kind, name } = fn[REGISTRATION];
  if (kind !== 'workflow') return new UnknownWorkflowError(name, undefined, kind);
  return () => fn(...(args as readonly unknown[]));
}
