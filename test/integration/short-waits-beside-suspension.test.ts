import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, TestClock, Workflow, workflowContext, type SignalResult, type WorkflowHandle } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { taskOf, timersOf } from '../helpers/waits.js';

/**
 * A wait short enough to stay in memory (at most `suspendAfterMs`) beside a branch that suspends the body:
 * the suspension abandons the in-memory wait, so the workflow must come back by that wait's end.
 */
class Beside {
  static ran: string[] = [];
  static flaky = 0;
  @Activity({ name: 'beside.remind' }) async remind(): Promise<string> {
    Beside.ran.push('remind');
    return 'reminded';
  }
  @Activity({ name: 'beside.flaky', retry: { maxAttempts: 2, initialIntervalMs: 2000 } }) async flakyStep(): Promise<string> {
    Beside.ran.push('flaky');
    if (Beside.flaky++ === 0) throw new Error('first attempt fails');
    return 'flaky done';
  }
  @Workflow({ name: 'beside.sleep' }) async sleepBesideSignal(): Promise<unknown[]> {
    const ctx = workflowContext();
    return Promise.all([ctx.sleep('500ms').then(() => this.remind()), ctx.waitForSignal('approve').then((s) => s.name)]);
  }
  @Activity({ name: 'beside.label' }) async label(name: string): Promise<string> {
    Beside.ran.push(name);
    return `label:${name}`;
  }
  @Workflow({ name: 'beside.sleeps' }) async sleepsBesideSignal(): Promise<unknown[]> {
    const ctx = workflowContext();
    const after = (seconds: number): Promise<string> => ctx.sleep(seconds * 1000).then(() => this.label(`after ${seconds}s`));
    return Promise.all([after(1), after(2), after(3), after(4), ctx.waitForSignal('go').then((s) => s.name)]);
  }
  @Workflow({ name: 'beside.outOfOrder' }) async outOfOrderBesideSignal(): Promise<unknown[]> {
    const ctx = workflowContext();
    // The later-called sleep ends first: each branch's step has an id of its own, so a re-entry hands it back to that branch.
    const after = (seconds: number, id: string): Promise<string> => ctx.sleep(seconds * 1000).then(() => ctx.withId(id).run(() => this.label(id)));
    return Promise.all([after(2, 'slow'), after(1, 'fast'), ctx.waitForSignal('go').then((s) => s.name)]);
  }
  @Workflow({ name: 'beside.timedWait' }) async timedWaitBesideSignal(): Promise<SignalResult[]> {
    const ctx = workflowContext();
    return Promise.all([ctx.waitForSignal('a', { timeout: '500ms' }), ctx.waitForSignal('b')]);
  }
  @Workflow({ name: 'beside.backoff' }) async backoffBesideSignal(): Promise<unknown[]> {
    return Promise.all([this.flakyStep(), workflowContext().waitForSignal('go').then((s) => s.name)]);
  }
}

/**
 * Until the execution numbered `executions` has ended suspended. Not the status: a new execution's start is
 * written with its first step's commit, so right after a step ran the workflow may still read `waiting`.
 */
async function suspendedAgain(handle: WorkflowHandle, executions: number): Promise<void> {
  await eventually(async () => {
    const all = (await handle.describe()).executions;
    return all.length === executions && all.at(-1)?.status === 'suspended';
  }, `execution ${executions} to end suspended`);
}

describe('a short in-memory wait beside a branch that suspends the body', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function begin(method: 'sleepBesideSignal' | 'sleepsBesideSignal' | 'outOfOrderBesideSignal' | 'timedWaitBesideSignal' | 'backoffBesideSignal', id: string) {
    const clock = new TestClock();
    const started = await startEngine({ register: [Beside], clock });
    cleanups.push(started.dispose);
    Beside.ran = [];
    Beside.flaky = 0;
    const handle = await started.engine.startWorkflow(Beside, method, [], { id });
    const entered = clock.now();
    await eventually(async () => (await handle.status()) === 'waiting', 'the body to suspend for the untimed signal wait');
    return { ...started, clock, handle, entered };
  }

  it('a sleep: the workflow is due when the sleep ends, and its branch goes on then', async () => {
    const { clock, handle, file, entered } = await begin('sleepBesideSignal', 'sleep-beside');
    expect(await taskOf(file, 'sleep-beside')).toMatchObject({ availableAt: entered + 500 });
    clock.advance('1s');
    await eventually(() => Beside.ran.includes('remind'), 'the step after the sleep');
    await suspendedAgain(handle, 2);
    await handle.signal('approve');
    expect(await handle.result()).toEqual(['reminded', 'approve']);
    expect(Beside.ran).toEqual(['remind']);
    expect((await handle.describe()).executions.map((x) => [x.reason, x.status])).toEqual([
      ['start', 'suspended'],
      ['wake', 'suspended'],
      ['wake', 'completed'],
    ]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('several sleeps, each then a step: every re-entry hands the recorded steps back to the branches that took them', async () => {
    const { clock, handle, file } = await begin('sleepsBesideSignal', 'sleeps-beside');
    for (let second = 1; second <= 4; second++) {
      clock.advance('1s');
      await eventually(() => Beside.ran.includes(`after ${second}s`), `the step after the ${second}s sleep`);
      await suspendedAgain(handle, second + 1);
    }
    await handle.signal('go');
    expect(await handle.result()).toEqual(['label:after 1s', 'label:after 2s', 'label:after 3s', 'label:after 4s', 'go']);
    expect(Beside.ran).toEqual(['after 1s', 'after 2s', 'after 3s', 'after 4s']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('waits that end in another order than they were called: steps with ids of their own go back to their branches', async () => {
    const { clock, handle, file } = await begin('outOfOrderBesideSignal', 'out-of-order');
    clock.advance('1s');
    await eventually(() => Beside.ran.includes('fast'), 'the step after the 1 s sleep');
    await suspendedAgain(handle, 2);
    clock.advance('1s');
    await eventually(() => Beside.ran.includes('slow'), 'the step after the 2 s sleep');
    await suspendedAgain(handle, 3);
    await handle.signal('go');
    expect(await handle.result()).toEqual(['label:slow', 'label:fast', 'go']);
    expect(Beside.ran).toEqual(['fast', 'slow']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it("a signal wait's short timeout: it times out on time beside an untimed wait", async () => {
    const { clock, handle, file, entered } = await begin('timedWaitBesideSignal', 'timed-beside');
    expect(await taskOf(file, 'timed-beside')).toMatchObject({ availableAt: entered + 500 });
    clock.advance('1s');
    await eventually(async () => (await timersOf(file, 'timed-beside')).some((t) => t.status === 'timed_out'), 'the timeout to be recorded');
    await handle.signal('b');
    expect(await handle.result()).toEqual([{ timedOut: true }, { timedOut: false, name: 'b', payload: undefined }]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it("an activity's short retry backoff: the workflow comes back when it ends, and its next attempt runs then", async () => {
    const { clock, handle, file, entered } = await begin('backoffBesideSignal', 'backoff-beside');
    await eventually(() => Beside.ran.length === 1, 'the first attempt');
    expect((await taskOf(file, 'backoff-beside'))?.availableAt).toBeGreaterThanOrEqual(entered + 2000);
    clock.advance('3s');
    await eventually(() => Beside.ran.length === 2, 'the second attempt');
    await suspendedAgain(handle, 2);
    await handle.signal('go');
    expect(await handle.result()).toEqual(['flaky done', 'go']);
    // The suspended body ran no attempt of its own: the second attempt is the re-entry's, when the backoff ended.
    expect((await handle.describe()).executions.map((x) => [x.reason, x.status])).toEqual([
      ['start', 'suspended'],
      ['wake', 'suspended'],
      ['wake', 'completed'],
    ]);
    const [step] = (await handle.describe()).steps.filter((s) => s.name === 'beside.flaky');
    expect(step!.executions.map((a) => a.status)).toEqual(['failed', 'completed']);
    expect(await checkConsistency(file)).toEqual([]);
  });
});
