/**
 * The torture workflow: `TortureFlow.run` interprets a {@link Plan} with every
 * feature Tempolite exports (activities and their twin, retries through the
 * policy and `withRetry`, `withId`, `withTimeout` (attempts that time out), `Promise.all`, side effects (one that
 * throws too), `version()`, sagas and
 * their twin, `compensate()`, sleeps, signal waits with and without timeout,
 * children, cross-queue children, detached starts, continue-as-new) and
 * `TortureFlow.retried` does the same under a workflow retry policy. Every
 * real execution of a step is written to the ledger.
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  Activity,
  ActivityFailure,
  ChildWorkflowFailure,
  Saga,
  SideEffect,
  Workflow,
  activityContext,
  registerActivity,
  registerSaga,
  workflowContext,
} from '../../src/index.js';
import type { LedgerWriter } from './ledger.js';
import { MAX_ATTEMPTS, RETRY_ACT_ATTEMPTS, TIMED_ACT_TIMEOUT_MS, VERSION_MAX, type ActSpec, type FlowMethod, type Plan } from './plan.js';

/** What a workflow returns, and carries from one generation to the next. */
export interface Carried {
  /** One entry per operation, computed deterministically (the oracle predicts it). */
  readonly trace: readonly string[];
  /** The side effects' values, in the order recorded (random: checked against the database and the ledger). */
  readonly sides: readonly string[];
  /** The messages of the failing side effects' errors the body caught, in call order (random, as `sides`). */
  readonly sideErrors: readonly string[];
}

/** The input of a root, child or detached workflow's first generation. */
export const EMPTY: Carried = { trace: [], sides: [], sideErrors: [] };

/** The start of the message of `torture.sideFail`'s error; the rest is the value it made. */
export const SIDE_FAILURE = 'side failure ';

/** A saga transaction's spec: an activity spec plus how often its compensation fails. */
export interface SagaSpec extends ActSpec {
  readonly compFails: number;
}

const RETRY = { maxAttempts: MAX_ATTEMPTS, initialIntervalMs: 5, backoffCoefficient: 2 };

/** Where the worker's flows write: set by the worker process before its engine starts. */
export const tortureLedger: { writer: LedgerWriter | undefined } = { writer: undefined };

function ledger(): LedgerWriter {
  if (!tortureLedger.writer) throw new Error('the torture ledger is not set');
  return tortureLedger.writer;
}

/** An activity or saga transaction: ledger line, some work, the injected failure of this attempt, ledger line. */
async function work(kind: 'act' | 'txn', prefix: string, spec: ActSpec, gen: number): Promise<string> {
  const context = activityContext();
  const line = { kind, wf: context.workflowId, gen, step: context.stepId, att: context.attempt };
  ledger().write({ ev: 'start', ...line });
  if (spec.ms > 0) await delay(spec.ms);
  if (context.attempt <= spec.fails) {
    ledger().write({ ev: 'fail', ...line });
    throw new Error(`injected failure ${prefix}${spec.n} attempt ${context.attempt}`);
  }
  ledger().write({ ev: 'ok', ...line });
  return `${prefix}${spec.n}`;
}

/** A compensation: fails its first `compFails` attempts. */
async function undo(spec: SagaSpec, gen: number, result: string): Promise<void> {
  const context = activityContext();
  const line = { kind: 'comp' as const, wf: context.workflowId, gen, step: context.stepId, att: context.attempt };
  ledger().write({ ev: 'start', ...line });
  if (spec.ms > 0) await delay(Math.min(spec.ms, 10));
  if (context.attempt <= spec.compFails) {
    ledger().write({ ev: 'fail', ...line });
    throw new Error(`injected compensation failure ${result} attempt ${context.attempt}`);
  }
  ledger().write({ ev: 'ok', ...line });
}

/** The `registerActivity` twin of `TortureFlow.act`. */
export const twinAct = registerActivity('torture.twin', (spec: ActSpec, gen: number) => work('act', 't', spec, gen), { retry: RETRY });

/** The `registerSaga` twin of `TortureFlow.saga`. */
export const twinSaga = registerSaga(
  'torture.sagaTwin',
  { run: (spec: SagaSpec, gen: number) => work('txn', 'S', spec, gen), compensate: (spec: SagaSpec, gen: number, result: string) => undo(spec, gen, result) },
  { retry: RETRY, compensationRetry: RETRY },
);

/** The workflows and steps of the torture workload. */
export class TortureFlow {
  @Activity({ name: 'torture.act', retry: RETRY })
  async act(spec: ActSpec, gen: number): Promise<string> {
    return work('act', 'a', spec, gen);
  }

  /** Its first `fails` attempts hang until their timeout aborts them (the engine records the timeout, not this throw). */
  @Activity({ name: 'torture.timed', retry: RETRY })
  async timed(spec: ActSpec, gen: number): Promise<string> {
    const context = activityContext();
    const line = { kind: 'act' as const, wf: context.workflowId, gen, step: context.stepId, att: context.attempt };
    ledger().write({ ev: 'start', ...line });
    if (context.attempt <= spec.fails) {
      const signal = context.signal;
      await new Promise((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', resolve, { once: true })));
      ledger().write({ ev: 'fail', ...line });
      throw new Error(`timed out ${spec.n} attempt ${context.attempt}`);
    }
    ledger().write({ ev: 'ok', ...line });
    return `m${spec.n}`;
  }

  @SideEffect({ name: 'torture.side' })
  async side(workflowId: string, gen: number, step: string): Promise<string> {
    const value = `${ledger().inc}:${Math.random().toString(36).slice(2, 10)}`;
    ledger().write({ ev: 'side', kind: 'side', wf: workflowId, gen, step, att: 0, value });
    return value;
  }

  /** Makes a value as `side` does, then throws it in an error: the engine records the failure, not a value. */
  @SideEffect({ name: 'torture.sideFail' })
  async sideFail(workflowId: string, gen: number, step: string): Promise<string> {
    const value = `${ledger().inc}:${Math.random().toString(36).slice(2, 10)}`;
    ledger().write({ ev: 'side', kind: 'side', wf: workflowId, gen, step, att: 0, value });
    throw new Error(`${SIDE_FAILURE}${value}`);
  }

  @Saga({ name: 'torture.saga', compensate: 'undo', retry: RETRY, compensationRetry: RETRY })
  async saga(spec: SagaSpec, gen: number): Promise<string> {
    return work('txn', 's', spec, gen);
  }

  async undo(spec: SagaSpec, gen: number, result: string): Promise<void> {
    await undo(spec, gen, result);
  }

  @Workflow({ name: 'torture.run' })
  async run(plan: Plan, gen: number, carried: Carried): Promise<Carried> {
    return interpret(this, 'run', plan, gen, carried);
  }

  @Workflow({ name: 'torture.retried', retry: { maxAttempts: 3, initialIntervalMs: 20 } })
  async retried(plan: Plan, gen: number, carried: Carried): Promise<Carried> {
    return interpret(this, 'retried', plan, gen, carried);
  }
}

/** Runs generation `gen` of `plan`, then continues as new or returns what it carried. */
async function interpret(flow: TortureFlow, method: FlowMethod, plan: Plan, gen: number, carried: Carried): Promise<Carried> {
  const ctx = workflowContext();
  const trace = [...carried.trace];
  const sides = [...carried.sides];
  const sideErrors = [...carried.sideErrors];
  let sideIndex = 0;
  let sideFailIndex = 0;
  let childIndex = 0;
  let detachedIndex = 0;
  for (const op of plan.gens[gen] ?? []) {
    switch (op.op) {
      case 'act': {
        const call = op.twin ? twinAct(op, gen) : flow.act(op, gen);
        if (!op.catch) {
          trace.push(await call);
          break;
        }
        try {
          trace.push(await call);
        } catch (error) {
          if (!(error instanceof ActivityFailure)) throw error;
          trace.push(`caught:${op.twin ? 't' : 'a'}${op.n}`);
        }
        break;
      }
      case 'timedAct':
        trace.push(await ctx.withTimeout(TIMED_ACT_TIMEOUT_MS).run(() => flow.timed(op, gen)));
        break;
      case 'retryAct':
        trace.push(await ctx.withRetry({ maxAttempts: RETRY_ACT_ATTEMPTS, initialIntervalMs: 5 }).run(() => flow.act(op, gen)));
        break;
      case 'idAct':
        trace.push(await ctx.withId(op.id).run(() => flow.act(op, gen)));
        break;
      case 'all':
        trace.push(...(await Promise.all(op.acts.map((spec) => flow.act(spec, gen)))));
        break;
      case 'side':
        sides.push(await flow.side(ctx.workflowId, gen, `torture.side#${sideIndex++}`));
        trace.push('side');
        break;
      case 'version':
        trace.push(`v${await ctx.version(`torture.v${op.change}`, 0, VERSION_MAX)}`);
        break;
      case 'sideFail':
        try {
          await flow.sideFail(ctx.workflowId, gen, `torture.sideFail#${sideFailIndex++}`);
          trace.push('sideFail returned?!');
        } catch (error) {
          if (!(error instanceof Error) || !error.message.startsWith(SIDE_FAILURE)) throw error;
          sideErrors.push(error.message);
          trace.push('side!');
        }
        break;
      case 'saga':
        trace.push(await (op.twin ? twinSaga(op, gen) : flow.saga(op, gen)));
        break;
      case 'compensate':
        await ctx.compensate();
        trace.push('rolled-back');
        break;
      case 'sleep':
        await ctx.sleep(op.ms);
        trace.push('z');
        break;
      case 'timeout': {
        const result = await ctx.waitForSignal('nope', { timeout: op.ms });
        trace.push(result.timedOut ? 'timeout' : `unexpected:${result.name}`);
        break;
      }
      case 'signals':
        for (let i = 0; i < op.seqs.length; i++) {
          const received = await ctx.waitForSignal<{ seq: number }>('s');
          trace.push(`sig${received.payload.seq}`);
        }
        break;
      case 'go': {
        const received = await ctx.waitForSignal<{ seq: number }>('go');
        trace.push(`go${received.payload.seq}`);
        break;
      }
      case 'never':
        await ctx.waitForSignal('never');
        trace.push('never?!');
        break;
      case 'child': {
        const args: [Plan, number, Carried] = [op.plan, 0, EMPTY];
        const queue = op.queue === undefined ? {} : { queue: op.queue };
        const call =
          op.via === 'ctx'
            ? ctx.child(TortureFlow, 'run', args, { id: `c${childIndex++}`, ...queue })
            : op.queue !== undefined
              ? ctx.withQueue(op.queue).run(() => flow.run(...args))
              : flow.run(...args);
        try {
          trace.push(`c[${(await call).trace.join(',')}]`);
        } catch (error) {
          if (!op.catch || !(error instanceof ChildWorkflowFailure)) throw error;
          trace.push(`c!${error.status}`);
        }
        break;
      }
      case 'detached': {
        const options = op.explicitId ? { id: `${ctx.workflowId}~g${gen}d${detachedIndex}` } : {};
        detachedIndex++;
        const started = await ctx.startWorkflow(TortureFlow, 'run', [op.plan, 0, EMPTY], options);
        trace.push(`d:${started.workflowId}`);
        break;
      }
      case 'fail':
        throw new Error(`planned failure ${op.n}`);
    }
  }
  if (gen < plan.gens.length - 1) return ctx.continueAsNew(plan, gen + 1, { trace, sides, sideErrors });
  if (method === 'retried' && ctx.attempt <= plan.bodyFails) throw new Error(`body failure attempt ${ctx.attempt}`);
  return { trace, sides, sideErrors };
}
