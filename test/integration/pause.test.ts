import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, TestClock, Workflow, workflowContext, type Tempolite, type TempoliteOptions } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { Latch } from '../helpers/latch.js';
import { signalsOf, taskOf, timersOf } from '../helpers/waits.js';

class Pausable {
  static runs: Record<string, number> = {};
  static inSlow = new Latch();
  static release = new Latch();

  @Activity({ name: 'pause.count' }) async count(label: string): Promise<string> {
    Pausable.runs[label] = (Pausable.runs[label] ?? 0) + 1;
    return label;
  }
  @Activity({ name: 'pause.slow' }) async slow(): Promise<string> {
    Pausable.runs.slow = (Pausable.runs.slow ?? 0) + 1;
    Pausable.inSlow.open();
    await Pausable.release.wait();
    return 'slow';
  }
  @Workflow({ name: 'pause.flow', queue: 'single' }) async flow(): Promise<string[]> {
    const a = await this.count('a');
    const b = await this.slow();
    const c = await this.count('c');
    return [a, b, c];
  }
  @Workflow({ name: 'pause.quick', queue: 'single' }) async quick(): Promise<string> {
    return this.count('quick');
  }
  @Workflow({ name: 'pause.waiter' }) async waiter(): Promise<string> {
    return (await workflowContext().waitForSignal<string>('go')).payload;
  }
  @Workflow({ name: 'pause.napper' }) async napper(): Promise<string> {
    await this.count('nap start');
    await workflowContext().sleep('10s');
    return this.count('nap end');
  }
}

describe('pause and resume', () => {
  let engine: Tempolite;
  let file: string;
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  async function start(options: TempoliteOptions = {}): Promise<void> {
    const started = await startEngine({ register: [Pausable], queues: { single: { concurrency: 1 } }, ...options });
    ({ engine, file, dispose } = started);
    Pausable.runs = {};
    Pausable.inSlow = new Latch();
    Pausable.release = new Latch();
  }

  it('pauses a running workflow at its next step boundary, frees its slot of a concurrency-1 queue, and resumes without re-running completed steps', async () => {
    await start();
    const handle = await engine.startWorkflow(Pausable, 'flow', [], { id: 'flow' });
    await Pausable.inSlow.wait();
    await handle.pause();
    // The step in flight finishes first; the pause is recorded on the task meanwhile.
    expect(await handle.status()).toBe('running');
    expect((await taskOf(file, 'flow'))?.control).toBe('pause');
    Pausable.release.open();
    await eventually(async () => (await handle.status()) === 'paused', 'the pause to take effect');
    expect((await taskOf(file, 'flow'))).toBeUndefined();
    expect(engine.inMemoryCount).toBe(0);

    // The queue's only slot is free: another workflow of that queue runs while this one is paused.
    const other = await engine.startWorkflow(Pausable, 'quick', []);
    expect(await other.result()).toBe('quick');
    await handle.pause(); // already paused: nothing changes
    expect(await handle.status()).toBe('paused');

    await handle.resume();
    expect(await handle.result()).toEqual(['a', 'slow', 'c']);
    expect(Pausable.runs).toEqual({ a: 1, slow: 1, c: 1, quick: 1 });
    expect((await handle.describe()).executions.map((x) => [x.reason, x.status])).toEqual([
      ['start', 'paused'],
      ['resume', 'completed'],
    ]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('pauses a waiting workflow at once; signals sent meanwhile stay buffered and are received after resume', async () => {
    await start();
    const handle = await engine.startWorkflow(Pausable, 'waiter', [], { id: 'waiter' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the wait');
    await handle.pause();
    expect(await handle.status()).toBe('paused');
    await handle.signal('go', 'after the pause');
    expect(await handle.status()).toBe('paused');
    expect((await taskOf(file, 'waiter'))).toBeUndefined();
    expect((await signalsOf(file, 'waiter'))).toEqual([{ name: 'go', consumedStepId: null, consumedGeneration: null }]);
    expect(await checkConsistency(file)).toEqual([]);

    await handle.resume();
    expect(await handle.result()).toBe('after the pause');
    expect((await handle.describe()).executions.map((x) => [x.reason, x.status])).toEqual([
      ['start', 'paused'],
      ['resume', 'completed'],
    ]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('interrupts a sleep waiting in memory, and after resume waits only the rest of it', async () => {
    const clock = new TestClock();
    await start({ clock, suspendAfterMs: 60_000 });
    const handle = await engine.startWorkflow(Pausable, 'napper', [], { id: 'napper' });
    await eventually(() => clock.pendingSleeps === 1, 'the sleep to start');
    clock.advance('4s');
    await handle.pause();
    await eventually(async () => (await handle.status()) === 'paused', 'the pause');
    expect(clock.pendingSleeps).toBe(0);
    await handle.resume();
    await eventually(() => clock.pendingSleeps === 1, 'the sleep to go on');
    clock.advance('5999ms');
    expect(clock.pendingSleeps).toBe(1);
    clock.advance('1ms');
    expect(await handle.result()).toBe('nap end');
    expect(Pausable.runs).toEqual({ 'nap start': 1, 'nap end': 1 });
    expect((await timersOf(file, 'napper')).map((t) => t.status)).toEqual(['fired']);
  });

  it('a resume before the pause took effect withdraws it; resuming a workflow that is not paused does nothing', async () => {
    await start();
    const handle = await engine.startWorkflow(Pausable, 'flow', [], { id: 'withdrawn' });
    await Pausable.inSlow.wait();
    await handle.resume(); // not paused: nothing happens
    await handle.pause();
    await handle.resume();
    expect((await taskOf(file, 'withdrawn'))?.control).toBeNull();
    Pausable.release.open();
    expect(await handle.result()).toEqual(['a', 'slow', 'c']);
    expect((await handle.describe()).executions.map((x) => [x.reason, x.status])).toEqual([['start', 'completed']]);
    expect(await checkConsistency(file)).toEqual([]);
  });
});
