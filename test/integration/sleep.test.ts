import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, TestClock, Workflow, workflowContext, type Duration, type TempoliteOptions } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { taskOf, timersOf } from '../helpers/waits.js';

class Napper {
  static steps: string[] = [];
  @Activity({ name: 'napper.step' }) async step(label: string): Promise<string> {
    Napper.steps.push(label);
    return label;
  }
  @Workflow({ name: 'napper.nap', queue: 'single' }) async nap(duration: Duration): Promise<string> {
    await this.step('before');
    await workflowContext().sleep(duration);
    await workflowContext().sleep(0);
    return this.step('after');
  }
  @Workflow({ name: 'napper.quick', queue: 'single' }) async quick(): Promise<string> {
    return this.step('quick');
  }
}

describe('durable sleep', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function engine(options: TempoliteOptions, file?: string) {
    const started = await startEngine({ register: [Napper], queues: { single: { concurrency: 1 } }, ...options }, file);
    cleanups.push(started.dispose);
    return started;
  }

  it('waits a short sleep in memory, in one execution, following the test clock', async () => {
    const clock = new TestClock();
    const { engine: e, file } = await engine({ clock, suspendAfterMs: 60_000 });
    Napper.steps = [];
    const handle = await e.startWorkflow(Napper, 'nap', ['30s'], { id: 'short' });
    await eventually(() => clock.pendingSleeps === 1, 'the sleep to start');
    expect(e.inMemoryCount).toBe(1);
    // Held in memory, so `running` (README: WorkflowStatus), not `waiting`.
    expect(await handle.status()).toBe('running');
    clock.advance('29s');
    expect(clock.pendingSleeps).toBe(1);
    clock.advance('1s');
    expect(await handle.result()).toBe('after');
    expect((await handle.describe()).executions.map((x) => [x.reason, x.status])).toEqual([['start', 'completed']]);
    expect((await timersOf(file, 'short')).map((t) => [t.stepId, t.status])).toEqual([
      ['tempolite.sleep#0', 'fired'],
      ['tempolite.sleep#1', 'fired'],
    ]);
  });

  it('suspends a long sleep: no memory, no queue slot; the body is re-entered at the wake time and completed steps do not run again', async () => {
    const clock = new TestClock();
    const { engine: e, file } = await engine({ clock });
    Napper.steps = [];
    const sleeper = await e.startWorkflow(Napper, 'nap', ['30d'], { id: 'long' });
    await eventually(async () => (await sleeper.status()) === 'waiting', 'the workflow to sleep');
    expect(e.inMemoryCount).toBe(0);
    // The only slot of the queue is free: another workflow runs while this one sleeps.
    const other = await e.startWorkflow(Napper, 'quick', []);
    expect(await other.result()).toBe('quick');
    const [timer] = (await timersOf(file, 'long'));
    expect(timer).toMatchObject({ stepId: 'tempolite.sleep#0', status: 'pending', wakeAt: clock.now() + 30 * 86_400_000 });

    clock.advance('29d');
    // Not due yet: the task sleeps until the recorded wake time.
    expect((await taskOf(file, 'long'))).toMatchObject({ availableAt: timer!.wakeAt, owner: null });
    expect(await sleeper.status()).toBe('waiting');
    clock.advance('1d');
    expect(await sleeper.result()).toBe('after');
    expect(Napper.steps).toEqual(['before', 'quick', 'after']);
    expect((await sleeper.describe()).executions.map((x) => [x.reason, x.status])).toEqual([
      ['start', 'suspended'],
      ['wake', 'completed'],
    ]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('honours the remaining time of an in-memory sleep across an engine restart', async () => {
    const clock = new TestClock();
    const first = await engine({ clock, suspendAfterMs: 60_000 });
    Napper.steps = [];
    const handle = await first.engine.startWorkflow(Napper, 'nap', ['10s'], { id: 'restart' });
    await eventually(() => clock.pendingSleeps === 1, 'the sleep to start');
    clock.advance('4s');
    await first.engine.close();

    const second = await engine({ clock, suspendAfterMs: 60_000 }, first.file);
    await eventually(() => clock.pendingSleeps === 1, 'the sleep to resume');
    clock.advance('5900ms');
    expect(clock.pendingSleeps).toBe(1);
    // Still asleep in memory, not finished: its new execution is recorded as running (the write may trail the body).
    const resumed = await second.engine.getHandle(handle.workflowId);
    await eventually(async () => (await resumed.status()) === 'running', 'the resumed execution to be recorded');
    clock.advance('100ms');
    expect(await (await second.engine.getHandle<string>(handle.workflowId)).result()).toBe('after');
    expect(Napper.steps).toEqual(['before', 'after']);
    expect((await (await second.engine.getHandle(handle.workflowId)).describe()).executions.map((x) => [x.reason, x.status])).toEqual([
      ['start', 'interrupted'],
      ['recovery', 'completed'],
    ]);
  });
});
