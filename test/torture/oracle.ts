/**
 * The oracle: what every workflow of a root must end as, computed from its
 * plan alone (so from the seed), by simulating Tempolite's documented
 * semantics: retries by attempt number, sagas compensated in reverse
 * completion order on terminal failure or cancel, compensations stopping at
 * the first that gives up, children failing into their parent, step ids
 * `name#occurrence` per generation.
 */
import { derivedWorkflowId } from '../../src/engine/steps/child-ids.js';
import type { WorkflowStatus } from '../../src/index.js';
import { MAX_ATTEMPTS, RETRY_ACT_ATTEMPTS, TIMED_ACT_TIMEOUT_MS, VERSION_MAX, type FlowMethod, type Plan, type RootSpec } from './plan.js';

/** How a step must end: its table and its entity status. */
export interface ExpectedStep {
  readonly kind: 'activity' | 'saga' | 'sideEffect';
  readonly status: 'completed' | 'failed' | 'compensated' | 'compensation_failed';
}

/** The root cause `handle.result()` must throw (by `rootCause()`). */
export interface ExpectedCause {
  readonly name: string;
  readonly message?: string;
}

/** How one workflow entity must end. */
export interface Expected {
  readonly id: string;
  readonly name: 'torture.run' | 'torture.retried';
  /** The queue it must run on, when the plan says (cross-queue children). */
  readonly queue?: string;
  readonly status: WorkflowStatus;
  /** `result()` of a completed workflow: its trace (its side effects are checked against the database). */
  readonly trace?: readonly string[];
  /** `rootCause(error)` of what `result()` throws otherwise. */
  readonly cause?: ExpectedCause;
  /** Every activity, saga and side-effect step it records, by `<generation>:<stepId>`. */
  readonly steps: ReadonlyMap<string, ExpectedStep>;
  /** Executions that must have failed, for a completed workflow (its workflow retries). */
  readonly failedExecutions?: number;
  /** Whether an execution with reason `resume` must exist (it was paused, then resumed). */
  readonly resumed: boolean;
  /** The signal seqs it must receive, in order. */
  readonly signals: readonly number[];
  /** The generation it ends in. */
  readonly generation: number;
  /** Saga steps (`<generation>:<stepId>`) in the order their compensations must complete. */
  readonly compensationOrder: readonly string[];
}

interface Sim {
  readonly out: Map<string, Expected>;
}

interface Reached {
  trace: string[];
  failure?: ExpectedCause;
  cancelled: boolean;
}

/**
 * The expected end of a root and of every workflow under it (children,
 * detached starts and theirs), by workflow id.
 */
export function expectedOutcomes(root: RootSpec): Map<string, Expected> {
  const sim: Sim = { out: new Map() };
  simulate(sim, root.id, root.method, root.plan, root.queue, root.kind === 'pause');
  return sim.out;
}

function simulate(sim: Sim, id: string, method: FlowMethod, plan: Plan, queue: string | undefined, resumed: boolean): Expected {
  const steps = new Map<string, ExpectedStep>();
  const signals: number[] = [];
  const compensationOrder: string[] = [];
  const state: Reached = { trace: [], cancelled: false };
  let sagas: { key: string; compFails: number; result: string }[] = [];
  let generation = 0;
  outer: for (let gen = 0; gen < plan.gens.length; gen++) {
    generation = gen;
    sagas = [];
    const counters = new Map<string, number>();
    const next = (name: string): string => {
      const n = counters.get(name) ?? 0;
      counters.set(name, n + 1);
      return `${name}#${n}`;
    };
    let childIndex = 0;
    let detachedIndex = 0;
    for (const op of plan.gens[gen]!) {
      switch (op.op) {
        case 'act': {
          const prefix = op.twin ? 't' : 'a';
          const key = `${gen}:${next(op.twin ? 'torture.twin' : 'torture.act')}`;
          if (op.fails >= MAX_ATTEMPTS) {
            steps.set(key, { kind: 'activity', status: 'failed' });
            if (op.catch) {
              state.trace.push(`caught:${prefix}${op.n}`);
              break;
            }
            state.failure = { name: 'Error', message: `injected failure ${prefix}${op.n} attempt ${MAX_ATTEMPTS}` };
            break outer;
          }
          steps.set(key, { kind: 'activity', status: 'completed' });
          state.trace.push(`${prefix}${op.n}`);
          break;
        }
        case 'timedAct': {
          const key = `${gen}:${next('torture.timed')}`;
          if (op.fails >= MAX_ATTEMPTS) {
            steps.set(key, { kind: 'activity', status: 'failed' });
            state.failure = { name: 'ActivityTimeoutFailure', message: `Attempt ${MAX_ATTEMPTS} of activity "${key.slice(key.indexOf(':') + 1)}" (torture.timed) of workflow "${id}" timed out after ${TIMED_ACT_TIMEOUT_MS} ms.` };
            break outer;
          }
          steps.set(key, { kind: 'activity', status: 'completed' });
          state.trace.push(`m${op.n}`);
          break;
        }
        case 'retryAct': {
          const key = `${gen}:${next('torture.act')}`;
          if (op.fails >= RETRY_ACT_ATTEMPTS) {
            steps.set(key, { kind: 'activity', status: 'failed' });
            state.failure = { name: 'Error', message: `injected failure a${op.n} attempt ${RETRY_ACT_ATTEMPTS}` };
            break outer;
          }
          steps.set(key, { kind: 'activity', status: 'completed' });
          state.trace.push(`a${op.n}`);
          break;
        }
        case 'idAct':
          steps.set(`${gen}:${op.id}`, { kind: 'activity', status: 'completed' });
          state.trace.push(`a${op.n}`);
          break;
        case 'all':
          for (const spec of op.acts) {
            steps.set(`${gen}:${next('torture.act')}`, { kind: 'activity', status: 'completed' });
            state.trace.push(`a${spec.n}`);
          }
          break;
        case 'side':
          steps.set(`${gen}:${next('torture.side')}`, { kind: 'sideEffect', status: 'completed' });
          state.trace.push('side');
          break;
        case 'version':
          // One marker per change and generation, however often the body asks.
          steps.set(`${gen}:tempolite.version/torture.v${op.change}`, { kind: 'sideEffect', status: 'completed' });
          state.trace.push(`v${VERSION_MAX}`);
          break;
        case 'sideFail':
          steps.set(`${gen}:${next('torture.sideFail')}`, { kind: 'sideEffect', status: 'failed' });
          state.trace.push('side!');
          break;
        case 'saga': {
          const prefix = op.twin ? 'S' : 's';
          const key = `${gen}:${next(op.twin ? 'torture.sagaTwin' : 'torture.saga')}`;
          if (op.fails >= MAX_ATTEMPTS) {
            steps.set(key, { kind: 'saga', status: 'failed' });
            state.failure = { name: 'Error', message: `injected failure ${prefix}${op.n} attempt ${MAX_ATTEMPTS}` };
            break outer;
          }
          steps.set(key, { kind: 'saga', status: 'completed' });
          sagas.push({ key, compFails: op.compFails, result: `${prefix}${op.n}` });
          state.trace.push(`${prefix}${op.n}`);
          break;
        }
        case 'compensate':
          // The generator never puts a compensate() after a compensation that gives up.
          for (const saga of sagas.reverse()) {
            steps.set(saga.key, { kind: 'saga', status: 'compensated' });
            compensationOrder.push(saga.key);
          }
          sagas = [];
          state.trace.push('rolled-back');
          break;
        case 'sleep':
          next('tempolite.sleep');
          state.trace.push('z');
          break;
        case 'timeout':
          next('tempolite.signal');
          state.trace.push('timeout');
          break;
        case 'signals':
          for (const seq of op.seqs) {
            next('tempolite.signal');
            signals.push(seq);
            state.trace.push(`sig${seq}`);
          }
          break;
        case 'go':
          next('tempolite.signal');
          signals.push(op.seq);
          state.trace.push(`go${op.seq}`);
          break;
        case 'never':
          state.cancelled = true;
          break outer;
        case 'child': {
          const stepId = op.via === 'ctx' ? `c${childIndex++}` : next('torture.run');
          const child = simulate(sim, derivedWorkflowId(id, gen, stepId), 'run', op.plan, op.queue, false);
          if (child.status === 'completed') {
            state.trace.push(`c[${child.trace!.join(',')}]`);
          } else if (child.status === 'cancelled') {
            // Only cascade roots have a child that waits for ever: cancelling the parent cancels it.
            state.cancelled = true;
            break outer;
          } else if (op.catch) {
            state.trace.push(`c!${child.status}`);
          } else {
            state.failure = child.cause!;
            break outer;
          }
          break;
        }
        case 'detached': {
          const stepId = next('tempolite.startWorkflow');
          steps.set(`${gen}:${stepId}`, { kind: 'sideEffect', status: 'completed' });
          const detachedId = op.explicitId ? `${id}~g${gen}d${detachedIndex}` : derivedWorkflowId(id, gen, stepId);
          detachedIndex++;
          simulate(sim, detachedId, 'run', op.plan, undefined, false);
          state.trace.push(`d:${detachedId}`);
          break;
        }
        case 'fail':
          state.failure = { name: 'Error', message: `planned failure ${op.n}` };
          break outer;
      }
    }
  }
  const name = method === 'retried' ? 'torture.retried' : 'torture.run';
  const common = { id, name, ...(queue !== undefined ? { queue } : {}), steps, resumed, signals, generation, compensationOrder } as const;
  let expected: Expected;
  if (state.failure === undefined && !state.cancelled) {
    expected = { ...common, status: 'completed', trace: state.trace, failedExecutions: method === 'retried' ? plan.bodyFails : 0 };
  } else {
    // Terminal failure or cancel: the current generation's completed saga steps, latest first, until one gives up.
    let compensationFailure: ExpectedCause | undefined;
    let compensated = false;
    for (const saga of [...sagas].reverse()) {
      if (saga.compFails >= MAX_ATTEMPTS) {
        steps.set(saga.key, { kind: 'saga', status: 'compensation_failed' });
        compensationFailure = { name: 'Error', message: `injected compensation failure ${saga.result} attempt ${MAX_ATTEMPTS}` };
        break;
      }
      steps.set(saga.key, { kind: 'saga', status: 'compensated' });
      compensationOrder.push(saga.key);
      compensated = true;
    }
    const status: WorkflowStatus = compensationFailure ? 'compensation_failed' : compensated ? 'compensated' : state.cancelled ? 'cancelled' : 'failed';
    const cause = compensationFailure ?? state.failure ?? { name: 'WorkflowCancelledFailure' };
    expected = { ...common, status, cause };
  }
  sim.out.set(id, expected);
  return expected;
}
