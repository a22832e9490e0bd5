import { ambient, currentScope, outsideStarter, type PendingOptions, type StepCallOptions } from '../context/ambient.js';
import { EngineStateError, InvalidOptionsError } from '../errors.js';
import type { RetryPolicyOptions } from '../engine/retry-policy.js';
import { registrationName, type Registration } from '../registry/registration.js';

/**
 * Routes a call to a registered method or function by where it is made:
 * inside a workflow body it becomes a durable step; inside a step it is a
 * plain call; outside, a workflow starts durably and is awaited, anything
 * else simply runs.
 */
export function dispatch(registration: Registration, thisArg: unknown, args: unknown[]): unknown {
  const scope = currentScope();
  if (scope?.kind === 'workflow') {
    let options: StepCallOptions | undefined;
    if (scope.pending !== undefined && !scope.pending.taken) {
      take(scope.pending);
      options = scope.pending.options;
    } else if (scope.pending?.taken === true) {
      return Promise.reject(new EngineStateError('A step options builder\'s run() must make exactly one step call; make further calls outside run().'));
    }
    return scope.runtime.callStep(registration, thisArg, args, options);
  }
  if (scope === undefined && registration.kind === 'workflow') {
    const start = outsideStarter();
    if (start === undefined) {
      const what = registration.source === 'method' ? 'A @Workflow method' : `The registered workflow function "${registrationName(registration)}"`;
      return Promise.reject(new EngineStateError(`${what} was called outside any workflow, but no Tempolite engine is started. Call engine.start() first.`));
    }
    return start(registration, args);
  }
  // Inside a step, nested registered calls are ordinary calls, not steps of their own.
  return registration.original.apply(thisArg, args as never[]);
}

/** Marks a builder's options as taken by a call, with those of the builders whose `run()` it runs in. */
function take(pending: PendingOptions): void {
  for (let p: PendingOptions | undefined = pending; p !== undefined; p = p.outer) p.taken = true;
}

/**
 * Runs `fn` so that the first step call it makes takes `options`; `fn` must make one. Inside another builder's
 * `run()` (a helper that uses a builder of its own), the options add to that builder's: the one call takes both.
 */
export function withPendingOptions<T>(options: StepCallOptions, fn: () => T): T {
  const scope = currentScope();
  if (scope?.kind !== 'workflow') return fn();
  const outer = scope.pending !== undefined && !scope.pending.taken ? scope.pending : undefined;
  const pending: PendingOptions = outer === undefined ? { options, taken: false } : { options: mergeOptions(outer.options, options), taken: false, outer };
  const result = ambient.run({ ...scope, pending }, fn);
  // A step call made after an await inside `fn` is still made before the promise `fn` returns settles.
  if (result instanceof Promise) return result.then((value: unknown) => (pending.taken ? value : Promise.reject(noStepCall()))) as T;
  if (!pending.taken) throw noStepCall();
  return result;
}

const BUILDER_METHODS = { id: 'withId', retry: 'withRetry', timeout: 'withTimeout', queue: 'withQueue' } as const;

/**
 * For the workflow APIs that are not step calls (`sleep`, `waitForSignal`, `compensate`, `continueAsNew`,
 * a detached `startWorkflow`): inside a builder's `run()` the error to reject with before doing anything,
 * since the builder's options cannot apply to them; otherwise undefined.
 */
export function refusedBuilderOptions(api: string): InvalidOptionsError | undefined {
  const scope = currentScope();
  const pending = scope?.kind === 'workflow' ? scope.pending : undefined;
  if (pending === undefined || pending.taken) return undefined;
  // Taken, so run() reports this error and not that no step call was made.
  take(pending);
  const key = (Object.keys(BUILDER_METHODS) as (keyof typeof BUILDER_METHODS)[]).find((k) => pending.options[k] !== undefined) ?? 'id';
  return new InvalidOptionsError(`workflowContext().${BUILDER_METHODS[key]}()`, key, `does not apply to ${api}: a builder's run() takes one call of an activity, saga step, side effect or child workflow`);
}

/** `inner` over `outer`; two retry policies merge (see `mergeRetry`). */
function mergeOptions(outer: StepCallOptions, inner: StepCallOptions): StepCallOptions {
  const merged: StepCallOptions = { ...outer, ...inner };
  const [a, b] = [outer.retry, inner.retry];
  return a !== null && typeof a === 'object' && b !== null && typeof b === 'object' ? { ...merged, retry: mergeRetry(a, b) } : merged;
}

/** `later` over `earlier`, except that a field `later` gives as `undefined` keeps `earlier`'s value (a key only `later` has stays, so a misspelt one is still refused). */
export function mergeRetry(earlier: RetryPolicyOptions, later: RetryPolicyOptions): RetryPolicyOptions {
  const merged: Record<string, unknown> = { ...earlier };
  for (const [key, value] of Object.entries(later)) {
    if (value !== undefined || merged[key] === undefined) merged[key] = value;
  }
  return merged;
}

function noStepCall(): EngineStateError {
  return new EngineStateError('A step options builder\'s run() must make exactly one step call; it made none (call the step inside run(), e.g. run(() => this.step(...))).');
}
