import { EngineStateError } from '../../errors.js';
import type { StepDefinition } from '../../registry/definitions.js';
import type { Constructor } from '../../registry/registration.js';
import { DEFAULT_ACTIVITY_RETRY, type RetryPolicy } from '../retry-policy.js';
import type { EngineDeps } from '../engine-deps.js';
import { asSetupFailure } from '../setup-failure.js';

/** How to run one saga step's compensation. */
export interface CompensationTarget {
  /** The saga's `compensationRetry` policy. */
  readonly policy: RetryPolicy;
  /**
   * Calls the compensation with the transaction's arguments followed by its result, the arguments padded
   * with `undefined` to the transaction's declared parameters: the result's place does not move with an
   * optional argument the call left out (`book(trip, opts?)` gives `undo(trip, opts, result)`).
   */
  readonly invoke: (args: readonly unknown[], result: unknown) => unknown;
  /** Set when the compensation cannot run at all: every attempt fails with it, never retried. */
  readonly unavailable?: Error;
}

/** A compensation that cannot run is not fixed by retrying: one attempt records why. */
const SINGLE_ATTEMPT: RetryPolicy = Object.freeze({ ...DEFAULT_ACTIVITY_RETRY, maxAttempts: 1 });

/**
 * Finds the compensation of the saga step recorded under `sagaName`. Method
 * sagas run on an instance resolved from the engine's container at call time
 * (the workflow's class when it defines or inherits the saga, so constructor
 * injection is the same as for the body); function sagas call the function
 * given to `registerSaga`.
 */
export function resolveCompensation(deps: EngineDeps, workflowId: string, workflowName: string, sagaName: string): CompensationTarget {
  const definition = deps.registry.saga(sagaName);
  const compensation = definition?.compensation;
  if (definition === undefined || compensation === undefined) {
    const kind = deps.registry.kindOf(sagaName);
    const what = kind === undefined ? 'is not registered in this engine' : kind === 'saga' ? 'has no compensation in this engine' : `is registered as ${kindLabel(kind)} in this engine, not as a saga step`;
    const unavailable = new EngineStateError(
      `Saga step "${sagaName}" of workflow "${workflowId}" ${what}, so its compensation cannot run; ` +
        `register it as a saga step again, then call engine.retry("${workflowId}").`,
    );
    return { policy: SINGLE_ATTEMPT, invoke: () => Promise.reject(unavailable), unavailable };
  }
  const policy = definition.compensationRetry ?? SINGLE_ATTEMPT;
  // `length` counts the parameters before the first one with a default value (or a rest parameter).
  const arity = definition.registration.original.length;
  const argsAndResult = (args: readonly unknown[], result: unknown): unknown[] => [...args, ...new Array<undefined>(Math.max(0, arity - args.length)), result];
  if ('fn' in compensation) {
    const fn = compensation.fn as (...args: unknown[]) => unknown;
    return { policy, invoke: (args, result) => fn(...argsAndResult(args, result)) };
  }
  const target = instanceClass(deps, workflowName, definition);
  return {
    policy,
    invoke: (args, result) => {
      const instance = deps.container.resolve(target) as Record<string, unknown>;
      const method = instance[compensation.method];
      if (typeof method !== 'function') throw new EngineStateError(`${target.name} has no method "${compensation.method}" to compensate saga step "${sagaName}".`);
      return (method as (...args: unknown[]) => unknown).apply(instance, argsAndResult(args, result));
    },
  };
}

/**
 * Before a saga transaction runs: refuses it when its compensation could not run later (a method saga whose
 * class the engine's container will not hand out), so no side effect is done that nothing can undo.
 * @throws EngineStateError naming the class
 */
export function assertCompensationResolvable(deps: EngineDeps, workflowName: string, definition: StepDefinition): void {
  const compensation = definition.compensation;
  if (compensation === undefined || 'fn' in compensation || deps.container.assertResolvable === undefined) return;
  try {
    deps.container.assertResolvable(instanceClass(deps, workflowName, definition));
  } catch (error) {
    throw asSetupFailure(error);
  }
}

function instanceClass(deps: EngineDeps, workflowName: string, definition: StepDefinition): Constructor {
  const registration = definition.registration;
  if (registration.source !== 'method') throw new EngineStateError(`Saga "${definition.name}" is not a method saga.`);
  const workflowClass = deps.registry.workflow(workflowName)?.target;
  if (workflowClass !== undefined && (workflowClass === registration.target || workflowClass.prototype instanceof registration.target)) return workflowClass;
  return registration.target;
}

function kindLabel(kind: string): string {
  return kind === 'sideEffect' ? 'a side effect' : kind === 'activity' ? 'an activity' : `a ${kind}`;
}
