/**
 * The torture workload as data: a workflow's body is a plan (a list of
 * operations per generation) that `TortureFlow` interprets and the oracle
 * simulates. Plans are generated from the seed by {@link generateBatch}.
 */
import { Prng } from './prng.js';

/** An activity call: fails its first `fails` attempts (by attempt number), then returns `a<n>`. */
export interface ActSpec {
  readonly n: number;
  readonly fails: number;
  /** How long the activity works (a timer), so kills land while it runs. */
  readonly ms: number;
}

/** One operation of a plan. Activities retry 3 times in all unless the op says otherwise. */
export type Op =
  /** `@Activity` (or its `registerActivity` twin); `catch`: the body catches its ActivityFailure. */
  | ({ readonly op: 'act'; readonly twin: boolean; readonly catch: boolean } & ActSpec)
  /** The activity through `withRetry({ maxAttempts: 5 })`. */
  | ({ readonly op: 'retryAct' } & ActSpec)
  /** `torture.timed` under `withTimeout(TIMED_ACT_TIMEOUT_MS)`: its first `fails` attempts hang until their timeout fires. */
  | ({ readonly op: 'timedAct' } & ActSpec)
  /** The activity under an explicit step id (`withId`). */
  | ({ readonly op: 'idAct'; readonly id: string } & ActSpec)
  /** Activities run at once with `Promise.all`. */
  | { readonly op: 'all'; readonly acts: readonly ActSpec[] }
  /** `@SideEffect`: a random value, recorded once. */
  | { readonly op: 'side' }
  /**
   * `workflowContext().version('torture.v<change>', 0, VERSION_MAX)`: the code never changes, so every call,
   * re-entries after a kill and a second call on the same change included, must get VERSION_MAX.
   */
  | { readonly op: 'version'; readonly change: number }
  /** `@SideEffect` that throws; the body catches it. Recorded failed once, thrown again on every re-entry. */
  | { readonly op: 'sideFail' }
  /** `@Saga` (or its `registerSaga` twin); the compensation fails its first `compFails` attempts. */
  | ({ readonly op: 'saga'; readonly twin: boolean; readonly compFails: number } & ActSpec)
  /** `workflowContext().compensate()`. */
  | { readonly op: 'compensate' }
  /** Durable sleep. */
  | { readonly op: 'sleep'; readonly ms: number }
  /** `waitForSignal('nope', { timeout })`: nobody sends it, so it times out. */
  | { readonly op: 'timeout'; readonly ms: number }
  /** Waits for the signals `s` the driver sends, one wait per seq, in this order. */
  | { readonly op: 'signals'; readonly seqs: readonly number[] }
  /** Waits for the signal `go` (seq `seq`), which the driver sends after a pause and a resume. */
  | { readonly op: 'go'; readonly seq: number }
  /** Waits for the signal `never`, which nobody sends: the driver cancels the workflow. */
  | { readonly op: 'never' }
  /** A child workflow: called as a method (`call`) or through `workflowContext().child` with step id `c<index>` (`ctx`). */
  | { readonly op: 'child'; readonly plan: Plan; readonly via: 'call' | 'ctx'; readonly queue?: 'side'; readonly catch: boolean }
  /** A detached start (new run); `explicitId`: the id `<caller>~d<index>`, else the derived one. */
  | { readonly op: 'detached'; readonly plan: Plan; readonly explicitId: boolean }
  /** Throws `planned failure <n>`. */
  | { readonly op: 'fail'; readonly n: number };

/** A workflow body: one op list per generation (continue-as-new between them). */
export interface Plan {
  readonly gens: readonly (readonly Op[])[];
  /** `torture.retried` only: the body throws at its end on its first `bodyFails` attempts. */
  readonly bodyFails: number;
}

/** Which workflow method runs a plan. */
export type FlowMethod = 'run' | 'retried';

/** What the driver does to a root from outside, and when. */
export type RootKind = 'general' | 'retried' | 'signals' | 'cancel' | 'cascade' | 'pause';

/** A root workflow the worker starts. */
export interface RootSpec {
  readonly id: string;
  readonly kind: RootKind;
  readonly method: FlowMethod;
  readonly queue?: 'side';
  readonly priority: number;
  readonly plan: Plan;
  /** Delays (ms after the batch is released) at which the driver sends each signal of `signals` ops, in seq order. */
  readonly signalDelays: readonly number[];
  /** `pause` roots: when the driver asks for the pause (ms after release). */
  readonly pauseDelay?: number;
}

/** The activity retry policy's attempts (and the saga's, and compensations'). */
export const MAX_ATTEMPTS = 3;
/** The per-attempt timeout of `timedAct`: long enough that an attempt that does not hang never meets it on a loaded machine. */
export const TIMED_ACT_TIMEOUT_MS = 1500;
/** The highest version of every change the torture code supports: what a first reach records. */
export const VERSION_MAX = 2;
/** Attempts of `retryAct`, through `withRetry`. */
export const RETRY_ACT_ATTEMPTS = 5;

/** Draws the seqs of signals as the generator assigns them (global, ascending). */
export interface SeqSource {
  next(): number;
}

interface Gen {
  readonly rng: Prng;
  readonly seqs: SeqSource;
  n: number;
}

function act(g: Gen, failing: boolean): ActSpec {
  const fails = failing && g.rng.chance(0.15) ? MAX_ATTEMPTS : g.rng.chance(0.3) ? g.rng.int(1, MAX_ATTEMPTS - 1) : 0;
  return { n: g.n++, fails, ms: g.rng.int(0, 25) };
}

/** Ops that never fail the workflow (for retried, signal and pause roots, and plans that must succeed). */
function safeOp(g: Gen, idIndex: { next: number }): Op {
  const { rng } = g;
  switch (rng.int(0, 6)) {
    case 0:
    case 1:
      return { op: 'act', twin: rng.chance(0.3), catch: false, ...act(g, false) };
    case 2:
      return rng.chance(0.5) ? { op: 'version', change: rng.int(0, 1) } : { op: 'side' };
    case 3:
      return { op: 'all', acts: Array.from({ length: rng.int(2, 4) }, () => act(g, false)) };
    case 4:
      return { op: 'saga', twin: rng.chance(0.3), compFails: 0, ...act(g, false) };
    case 5:
      return rng.chance(0.5) ? { op: 'sleep', ms: rng.int(5, 250) } : { op: 'idAct', id: `x${idIndex.next++}`, ...act(g, false) };
    default:
      return { op: 'retryAct', n: g.n++, fails: rng.int(0, RETRY_ACT_ATTEMPTS - 1), ms: rng.int(0, 20) };
  }
}

/** Any op, failures and nesting included; `depth` bounds children and detached starts. */
function anyOp(g: Gen, depth: number, idIndex: { next: number }, sagasSoFar: { failingCompensation: boolean }): Op {
  const { rng } = g;
  const roll = rng.int(0, 15);
  if (roll <= 2) return { op: 'act', twin: rng.chance(0.3), catch: rng.chance(0.3), ...act(g, true) };
  if (roll === 3) {
    const compFails = rng.chance(0.1) ? MAX_ATTEMPTS : rng.chance(0.3) ? rng.int(1, MAX_ATTEMPTS - 1) : 0;
    if (compFails >= MAX_ATTEMPTS) sagasSoFar.failingCompensation = true;
    return { op: 'saga', twin: rng.chance(0.3), compFails, ...act(g, true) };
  }
  if (roll === 4 && !sagasSoFar.failingCompensation) return { op: 'compensate' };
  if (roll === 5) return { op: 'timeout', ms: rng.int(5, 200) };
  if (roll === 6) return { op: 'retryAct', n: g.n++, fails: rng.chance(0.1) ? RETRY_ACT_ATTEMPTS : rng.int(0, RETRY_ACT_ATTEMPTS - 1), ms: rng.int(0, 20) };
  if (roll === 11) return { op: 'timedAct', n: g.n++, fails: rng.chance(0.1) ? MAX_ATTEMPTS : rng.int(0, 1), ms: 0 };
  if (roll <= 8 && depth > 0) {
    return { op: 'child', plan: generalPlan(g, depth - 1, 1), via: rng.chance(0.5) ? 'call' : 'ctx', ...(rng.chance(0.4) ? { queue: 'side' as const } : {}), catch: rng.chance(0.5) };
  }
  if (roll === 9 && depth > 0) return { op: 'detached', plan: generalPlan(g, depth - 1, 1), explicitId: rng.chance(0.5) };
  if (roll === 10 && rng.chance(0.5)) return { op: 'fail', n: g.n++ };
  // Not in safeOp: a workflow retry gives a failed side effect a fresh round, and a caught failure then switches branch.
  if (roll === 12) return { op: 'sideFail' };
  if (roll === 13) return { op: 'version', change: rng.int(0, 1) };
  return safeOp(g, idIndex);
}

function generalPlan(g: Gen, depth: number, maxGens: number): Plan {
  const gens = Array.from({ length: g.rng.int(1, maxGens) }, () => {
    const idIndex = { next: 0 };
    const sagas = { failingCompensation: false };
    return Array.from({ length: g.rng.int(2, 6) }, () => anyOp(g, depth, idIndex, sagas));
  });
  return { gens, bodyFails: 0 };
}

function safePlan(g: Gen, maxGens: number, bodyFails: number): Plan {
  const gens = Array.from({ length: g.rng.int(1, maxGens) }, () => {
    const idIndex = { next: 0 };
    return Array.from({ length: g.rng.int(2, 5) }, () => safeOp(g, idIndex));
  });
  return { gens, bodyFails };
}

function signalPlan(g: Gen): { plan: Plan; count: number } {
  let count = 0;
  const gens = Array.from({ length: g.rng.int(1, 3) }, () => {
    const idIndex = { next: 0 };
    const ops: Op[] = [];
    for (let i = g.rng.int(1, 3); i > 0; i--) {
      const seqs = Array.from({ length: g.rng.int(1, 3) }, () => g.seqs.next());
      count += seqs.length;
      ops.push(safeOp(g, idIndex), { op: 'signals', seqs });
    }
    return ops;
  });
  return { plan: { gens, bodyFails: 0 }, count };
}

/** Sorted random delays: when the driver sends each of `count` signals after the release. */
function delays(rng: Prng, count: number, max: number): number[] {
  return Array.from({ length: count }, () => rng.int(0, max)).sort((a, b) => a - b);
}

/**
 * The roots of batch `batch`: general plans (failures, sagas, children,
 * cross-queue children, detached starts, continue-as-new), a workflow retried
 * by policy, signal waiters, cancel and cascade-cancel targets, a pause target.
 * @param size roughly how many roots
 */
export function generateBatch(seed: number, batch: number, size: number, seqs: SeqSource): RootSpec[] {
  const rng = Prng.stream(seed, 'batch', batch);
  const g: Gen = { rng, seqs, n: 0 };
  const roots: RootSpec[] = [];
  const id = (kind: string): string => `b${batch}-${roots.length}-${kind}`;
  const base = (kind: RootKind, plan: Plan, method: FlowMethod = 'run'): RootSpec => ({
    id: id(kind),
    kind,
    method,
    ...(rng.chance(0.15) ? { queue: 'side' as const } : {}),
    priority: rng.int(-1, 1),
    plan,
    signalDelays: [],
  });
  const kinds: RootKind[] = ['general', 'general', 'retried', 'signals', 'cancel', 'pause'];
  if (rng.chance(0.5)) kinds.push('cascade');
  while (kinds.length < size) kinds.push(rng.pick<RootKind>(['general', 'general', 'general', 'signals', 'retried', 'cancel']));
  for (const kind of kinds) {
    switch (kind) {
      case 'general':
        roots.push(base(kind, generalPlan(g, 2, 2)));
        break;
      case 'retried':
        roots.push(base(kind, safePlan(g, 2, rng.int(1, 2)), 'retried'));
        break;
      case 'signals': {
        const { plan, count } = signalPlan(g);
        roots.push({ ...base(kind, plan), signalDelays: delays(rng, count, 1500) });
        break;
      }
      case 'cancel': {
        const sagas = Array.from({ length: rng.int(0, 2) }, (): Op => ({ op: 'saga', twin: rng.chance(0.3), compFails: rng.chance(0.15) ? MAX_ATTEMPTS : rng.int(0, 1), ...act(g, false) }));
        roots.push(base(kind, { gens: [[...sagas, { op: 'act', twin: false, catch: false, ...act(g, false) }, { op: 'never' }]], bodyFails: 0 }));
        break;
      }
      case 'cascade': {
        const child: Plan = { gens: [[{ op: 'act', twin: false, catch: false, ...act(g, false) }, { op: 'never' }]], bodyFails: 0 };
        roots.push(base(kind, { gens: [[{ op: 'side' }, { op: 'child', plan: child, via: 'ctx', ...(rng.chance(0.5) ? { queue: 'side' as const } : {}), catch: false }]], bodyFails: 0 }));
        break;
      }
      case 'pause': {
        const plan: Plan = {
          gens: [[{ op: 'act', twin: false, catch: false, ...act(g, false) }, { op: 'sleep', ms: rng.int(50, 300) }, { op: 'act', twin: true, catch: false, ...act(g, false) }, { op: 'go', seq: seqs.next() }, { op: 'side' }]],
          bodyFails: 0,
        };
        roots.push({ ...base(kind, plan), pauseDelay: rng.int(0, 400) });
        break;
      }
    }
  }
  return roots;
}
