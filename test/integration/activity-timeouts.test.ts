import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Activity,
  ActivityFailure,
  ActivityTimeoutFailure,
  InvalidOptionsError,
  Saga,
  SideEffect,
  TestClock,
  Workflow,
  WorkflowCancelledFailure,
  WorkflowFailure,
  activityContext,
  rootCause,
  workflowContext,
} from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { Latch } from '../helpers/latch.js';

/** Resolves when `signal` fires, with its reason. */
function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

class Slow {
  static reasons: unknown[] = [];
  static calls = 0;
  /** Attempts that hang, ignoring their signal, until `release` opens. */
  static hangFor = 0;
  static release = new Latch<string>();
  static started = new Latch();

  @Activity({ name: 'slow.listens', timeout: '40ms', retry: { maxAttempts: 2, initialIntervalMs: 1 } }) async listens(): Promise<string> {
    Slow.calls += 1;
    Slow.reasons.push(await aborted(activityContext().signal));
    return 'too late';
  }

  @Activity({ name: 'slow.ignores', timeout: '40ms', retry: { maxAttempts: 3, initialIntervalMs: 1 } }) async ignores(): Promise<string> {
    Slow.calls += 1;
    const attempt = activityContext().attempt;
    if (attempt <= Slow.hangFor) return `late ${attempt}: ${await Slow.release.wait()}`;
    return `on time ${attempt}`;
  }

  @Activity({ name: 'slow.quick', timeout: '30d' }) async quick(n: number): Promise<number> {
    // Some real work: a 30-day deadline overflowing Node's timer would fire within it.
    await new Promise((resolve) => setTimeout(resolve, 5));
    return n * 2;
  }

  @Activity({ name: 'slow.untimed', retry: { maxAttempts: 1 } }) async untimed(): Promise<string> {
    Slow.calls += 1;
    Slow.started.open();
    Slow.reasons.push(await aborted(activityContext().signal));
    return 'stopped';
  }

  @Activity({ name: 'slow.fatal', timeout: '20ms', retry: { maxAttempts: 5, initialIntervalMs: 1, nonRetryableErrors: ['ActivityTimeoutFailure'] } }) async fatal(): Promise<void> {
    Slow.calls += 1;
    await aborted(activityContext().signal);
  }

  @Saga({ name: 'slow.book', compensate: 'unbook', timeout: '30ms', retry: { maxAttempts: 1 } }) async book(): Promise<void> {
    await aborted(activityContext().signal);
  }
  async unbook(): Promise<void> {}

  @SideEffect({ name: 'slow.id' }) async id(): Promise<string> {
    return 'id-1';
  }

  @Workflow({ name: 'slow.listensFlow' }) async listensFlow(): Promise<string> {
    return this.listens();
  }
  @Workflow({ name: 'slow.ignoresFlow' }) async ignoresFlow(): Promise<string> {
    return this.ignores();
  }
  @Workflow({ name: 'slow.quickFlow' }) async quickFlow(): Promise<number> {
    let total = 0;
    for (let i = 1; i <= 3; i += 1) total += await this.quick(i);
    return total;
  }
  @Workflow({ name: 'slow.perCall' }) async perCall(): Promise<string> {
    return workflowContext().withTimeout('10s').run(() => this.untimed());
  }
  @Workflow({ name: 'slow.fatalFlow' }) async fatalFlow(): Promise<void> {
    await this.fatal();
  }
  @Workflow({ name: 'slow.sagaFlow' }) async sagaFlow(): Promise<void> {
    await this.book();
  }
  @Workflow({ name: 'slow.wrapsWaits' }) async wrapsWaits(): Promise<string[]> {
    const ctx = workflowContext();
    const refused = async (call: () => Promise<unknown>): Promise<string> =>
      call().then(
        () => 'ran',
        (error: unknown) => (error instanceof InvalidOptionsError ? `${error.subject} ${error.path}` : `other: ${String(error)}`),
      );
    return [
      await refused(() => ctx.withTimeout('1s').run(() => ctx.sleep(10))),
      await refused(() => ctx.withId('nap').run(() => ctx.sleep(10))),
      await refused(() => ctx.withTimeout('1s').run(() => ctx.waitForSignal('go', { timeout: 10 }))),
      await refused(() => ctx.withRetry({ maxAttempts: 2 }).run(() => ctx.compensate())),
      await refused(() => ctx.withQueue('default').run(() => ctx.startWorkflow(Slow, 'quickFlow', []))),
    ];
  }

  @Workflow({ name: 'slow.misused' }) async misused(which: 'timeout' | 'retry' | 'queue' | 'badTimeout' | 'badRetry'): Promise<string> {
    const ctx = workflowContext();
    const outcome = await (which === 'timeout'
      ? ctx.withTimeout('1s').run(() => this.id())
      : which === 'retry'
        ? ctx.withRetry({ maxAttempts: 2 }).run(() => this.id())
        : which === 'queue'
          ? ctx.withQueue('default').run(() => this.quick(1))
          : which === 'badTimeout'
            ? ctx.withTimeout('-1s').run(() => this.quick(1))
            : ctx.withRetry({ maxAttempts: 0 }).run(() => this.quick(1))
    ).then(
      () => 'ran',
      (error: unknown) => (error instanceof InvalidOptionsError ? `${error.subject} ${error.path}: ${error.message}` : `other: ${String(error)}`),
    );
    // The refused call took no step id: the next call of each name is the first.
    return `${outcome} | next ${await this.id()} ${await this.quick(1)}`;
  }
}

describe('activity timeouts', () => {
  let dispose: (() => Promise<void>) | undefined;
  let file = '';
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });
  async function engineWith(options: Parameters<typeof startEngine>[0] = {}) {
    const started = await startEngine({ register: [Slow], ...options });
    dispose = started.dispose;
    file = started.file;
    return started.engine;
  }

  it('an attempt past its timeout fails with an ActivityTimeoutFailure, its signal fires with it, and retries run out into an ActivityFailure', async () => {
    Slow.reasons = [];
    Slow.calls = 0;
    const engine = await engineWith();
    const handle = await engine.startWorkflow(Slow, 'listensFlow', [], { id: 'times-out' });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailure);
    const failure = (error as WorkflowFailure).cause as ActivityFailure;
    expect(failure).toBeInstanceOf(ActivityFailure);
    expect(failure.attempts).toBe(2);
    expect(rootCause(error)).toBeInstanceOf(ActivityTimeoutFailure);
    expect(rootCause(error)).toMatchObject({ code: 'TEMPOLITE_ACTIVITY_TIMED_OUT', workflowId: 'times-out', stepId: 'slow.listens#0', activityName: 'slow.listens', attempt: 2, timeoutMs: 40 });
    expect(Slow.calls).toBe(2);
    await eventually(() => Slow.reasons.length === 2, 'both attempts saw their signal fire');
    expect(Slow.reasons.map((r) => [(r as ActivityTimeoutFailure).name, (r as ActivityTimeoutFailure).attempt])).toEqual([
      ['ActivityTimeoutFailure', 1],
      ['ActivityTimeoutFailure', 2],
    ]);
    const step = (await handle.describe()).steps[0]!;
    expect(step.status).toBe('failed');
    expect(step.executions.map((x) => [x.attempt, x.status, x.error?.name])).toEqual([
      [1, 'failed', 'ActivityTimeoutFailure'],
      [2, 'failed', 'ActivityTimeoutFailure'],
    ]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it("a timed-out attempt that ignores its signal is left behind: the retry's result is recorded and the late one dropped", async () => {
    Slow.calls = 0;
    Slow.hangFor = 1;
    Slow.release = new Latch<string>();
    const engine = await engineWith();
    const handle = await engine.startWorkflow(Slow, 'ignoresFlow', []);
    expect(await handle.result()).toBe('on time 2');
    Slow.release.open('released');
    const step = (await handle.describe()).steps[0]!;
    expect(step.executions.map((x) => [x.attempt, x.status])).toEqual([
      [1, 'failed'],
      [2, 'completed'],
    ]);
    expect(step.output).toBe('on time 2');
    expect(Slow.calls).toBe(2);
  });

  it('a step that finishes in time is not affected by its timeout, also one longer than a Node timer can hold (30 days)', async () => {
    const engine = await engineWith();
    expect(await (await engine.startWorkflow(Slow, 'quickFlow', [])).result()).toBe(12);
  });

  it("withTimeout sets one call's timeout, on the engine's clock: a TestClock's advance runs it out", async () => {
    Slow.reasons = [];
    Slow.calls = 0;
    Slow.started = new Latch();
    const clock = new TestClock();
    const engine = await engineWith({ clock });
    const handle = await engine.startWorkflow(Slow, 'perCall', []);
    await Slow.started.wait();
    clock.advance('9s');
    expect(Slow.reasons).toEqual([]);
    clock.advance('1s');
    const error = await handle.result().catch((e: unknown) => e);
    expect(rootCause(error)).toMatchObject({ name: 'ActivityTimeoutFailure', timeoutMs: 10_000, attempt: 1 });
    expect(Slow.calls).toBe(1);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it("nonRetryableErrors: ['ActivityTimeoutFailure'] stops after the first timeout", async () => {
    Slow.calls = 0;
    const engine = await engineWith();
    const error = await (await engine.startWorkflow(Slow, 'fatalFlow', [])).result().catch((e: unknown) => e);
    expect((error as WorkflowFailure).cause).toMatchObject({ name: 'ActivityFailure', attempts: 1 });
    expect(Slow.calls).toBe(1);
  });

  it("a saga transaction's timeout fails it like an activity's; nothing was completed, so nothing is compensated", async () => {
    const engine = await engineWith();
    const handle = await engine.startWorkflow(Slow, 'sagaFlow', []);
    const error = await handle.result().catch((e: unknown) => e);
    expect(rootCause(error)).toMatchObject({ name: 'ActivityTimeoutFailure', stepId: 'slow.book#0', timeoutMs: 30 });
    expect(await handle.status()).toBe('failed');
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a cancel during a timed attempt reaches it through the same signal, and is not a timeout', async () => {
    Slow.reasons = [];
    Slow.calls = 0;
    Slow.started = new Latch();
    const engine = await engineWith();
    const handle = await engine.startWorkflow(Slow, 'perCall', []);
    await Slow.started.wait();
    await handle.cancel();
    const outcome = await handle.result().catch((e: unknown) => e);
    expect((outcome as WorkflowFailure).cause).toBeInstanceOf(WorkflowCancelledFailure);
    expect(await handle.status()).toBe('cancelled');
    await eventually(() => Slow.reasons.length === 1, 'the attempt saw its signal');
    expect((Slow.reasons[0] as Error).name).not.toBe('ActivityTimeoutFailure');
    const step = (await handle.describe()).steps[0]!;
    // It returned normally after its abort: recorded, and the body stopped right after (as without a timeout).
    expect([step.output, step.executions.map((x) => x.status)]).toEqual(['stopped', ['completed']]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a builder wrapping a wait, compensate() or a detached start refuses it before it runs: nothing recorded', async () => {
    const engine = await engineWith();
    const handle = await engine.startWorkflow(Slow, 'wrapsWaits', []);
    expect(await handle.result()).toEqual([
      'workflowContext().withTimeout() timeout',
      'workflowContext().withId() id',
      'workflowContext().withTimeout() timeout',
      'workflowContext().withRetry() retry',
      'workflowContext().withQueue() queue',
    ]);
    const description = await handle.describe();
    expect([description.timers, description.steps, description.children]).toEqual([[], [], []]);
    expect((await engine.list({ name: 'slow.quickFlow' })).length).toBe(0);
  });

  it('a builder option the call cannot use is an InvalidOptionsError in the body, and takes no step id', async () => {
    const engine = await engineWith();
    const stepIds: string[][] = [];
    const run = async (which: string): Promise<string> => {
      const handle = await engine.startWorkflow(Slow, 'misused', [which as 'timeout']);
      const result = await handle.result();
      stepIds.push((await handle.describe()).steps.map((step) => step.stepId));
      return result;
    };
    expect(await run('timeout')).toBe('workflowContext().withTimeout() timeout: Invalid option "timeout" for workflowContext().withTimeout(): does not apply to a side effect ("slow.id"); it takes withId | next id-1 2');
    expect(await run('retry')).toMatch(/^workflowContext\(\)\.withRetry\(\) retry: .*does not apply to a side effect .* \| next id-1 2$/);
    expect(await run('queue')).toMatch(/^workflowContext\(\)\.withQueue\(\) queue: .*does not apply to an activity \("slow.quick"\); it takes withId, withRetry, withTimeout \| next id-1 2$/);
    expect(await run('badTimeout')).toMatch(/^workflowContext\(\)\.withTimeout\(\) timeout: .*is not a duration.* \| next id-1 2$/);
    expect(await run('badRetry')).toMatch(/^workflowContext\(\)\.withRetry\(\) retry\.maxAttempts: .* \| next id-1 2$/);
    // A malformed value, too, is refused before the call takes its id: a later fix shifts no step id.
    expect(stepIds).toEqual(Array.from({ length: 5 }, () => ['slow.id#0', 'slow.quick#0']));
    expect(await checkConsistency(file)).toEqual([]);
  });
});
