import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, TestClock, Workflow, formatRunTree, workflowContext, type SignalResult, type TempoliteOptions } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { Latch } from '../helpers/latch.js';
import { signalsOf, timersOf } from '../helpers/waits.js';

class Inbox {
  static gate = new Latch();
  @Activity({ name: 'inbox.gate' }) async gateStep(): Promise<void> {
    await Inbox.gate.wait();
  }
  @Workflow({ name: 'inbox.collect' }) async collect(count: number): Promise<string[]> {
    await this.gateStep();
    const got: string[] = [];
    for (let i = 0; i < count; i++) got.push((await workflowContext().waitForSignal<string>('item')).payload);
    return got;
  }
  @Workflow({ name: 'inbox.either' }) async either(timeout: string): Promise<SignalResult<{ by: string }>> {
    return workflowContext().waitForSignal<{ by: string }>(['approve', 'reject'], { timeout: timeout as '1s' });
  }
  @Workflow({ name: 'inbox.poll' }) async poll(): Promise<SignalResult<string>> {
    await this.gateStep();
    return workflowContext().waitForSignal<string>('ready', { timeout: 0 });
  }
  @Workflow({ name: 'inbox.late' }) async late(): Promise<[boolean, string, string]> {
    const ctx = workflowContext();
    const first = await ctx.waitForSignal<string>('late', { timeout: '1h' });
    const go = await ctx.waitForSignal<string>('go');
    const buffered = await ctx.waitForSignal<string>('late');
    return [first.timedOut, go.payload, buffered.payload];
  }
  @Workflow({ name: 'inbox.types' }) async types(): Promise<unknown> {
    return (await workflowContext().waitForSignal('typed')).payload;
  }
  /** A short sleep in each of three generations. */
  @Workflow({ name: 'inbox.napper' }) async napper(generation: number): Promise<number> {
    await workflowContext().sleep(1);
    if (generation < 2) return workflowContext().continueAsNew(generation + 1);
    return generation;
  }
  @Workflow({ name: 'inbox.relay' }) async relay(generation: number, received: number[]): Promise<number[]> {
    const { payload } = await workflowContext().waitForSignal<number>('n');
    const all = [...received, payload];
    if (generation < 2) return workflowContext().continueAsNew(generation + 1, all);
    return all;
  }
}

describe('signals', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function engine(options: TempoliteOptions = {}) {
    const started = await startEngine({ register: [Inbox], ...options });
    cleanups.push(started.dispose);
    return started;
  }

  it('sent before the wait, during it, and twice in a row: all received, in order, each by its own step', async () => {
    const { engine: e, file } = await engine();
    Inbox.gate = new Latch();
    const handle = await e.startWorkflow(Inbox, 'collect', [4], { id: 'collect-1' });
    await eventually(async () => (await handle.status()) === 'running', 'the body to start');
    await handle.signal('item', 'before');
    Inbox.gate.open();
    await eventually(async () => (await handle.status()) === 'waiting' && (await signalsOf(file, 'collect-1'))[0]?.consumedStepId != null, 'the second wait');
    // Waiting without a timeout: released from memory and from its slot.
    await eventually(() => e.inMemoryCount === 0, 'the waiting body to leave memory');
    await handle.signal('item', 'during');
    await eventually(async () => (await handle.status()) === 'waiting' && (await signalsOf(file, 'collect-1'))[1]?.consumedStepId != null, 'the third wait');
    await handle.signal('item', 'first of two');
    await e.signal('collect-1', 'item', 'second of two');

    expect(await handle.result()).toEqual(['before', 'during', 'first of two', 'second of two']);
    expect((await signalsOf(file, 'collect-1'))).toEqual([0, 1, 2, 3].map((n) => ({ name: 'item', consumedStepId: `tempolite.signal#${n}`, consumedGeneration: 0 })));
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('keeps the order of signals sent at once, and a re-entered body gets the same ones back', async () => {
    const { engine: e, file } = await engine();
    Inbox.gate = new Latch();
    const handle = await e.startWorkflow(Inbox, 'collect', [20], { id: 'collect-burst' });
    const sent = Array.from({ length: 20 }, (_, n) => `s${n}`);
    await Promise.all(sent.map((payload) => handle.signal('item', payload)));
    Inbox.gate.open();
    expect(await handle.result()).toEqual(sent);
    expect((await signalsOf(file, 'collect-burst')).map((s) => s.consumedStepId)).toEqual(sent.map((_, n) => `tempolite.signal#${n}`));
  });

  it('waits for either of two names in memory when the timeout is short, woken at once by a signal', async () => {
    const { engine: e, file } = await engine({ suspendAfterMs: 60_000 });
    const handle = await e.startWorkflow(Inbox, 'either', ['30s'], { id: 'either-1' });
    await eventually(async () => (await timersOf(file, 'either-1')).length === 1, 'the wait to record its deadline');
    expect(e.inMemoryCount).toBe(1);
    await handle.signal('reject', { by: 'ana' });
    expect(await handle.result()).toEqual({ timedOut: false, name: 'reject', payload: { by: 'ana' } });
    expect((await timersOf(file, 'either-1')).map((t) => t.status)).toEqual(['fired']);
    expect((await handle.describe()).executions.map((x) => x.status)).toEqual(['completed']);
    // The deadline was never reached: the tree does not say it "woke".
    expect(formatRunTree(await handle.describe())).toMatch(/Signal deadline tempolite\.signal#0 · fired · signal came before the deadline at /);
  });

  it('returns { timedOut: true } after a timeout, also when the timeout is 0 and nothing is buffered', async () => {
    const { engine: e, file } = await engine();
    const quick = await e.startWorkflow(Inbox, 'either', ['0ms'], { id: 'either-0' });
    expect(await quick.result()).toEqual({ timedOut: true });
    const short = await e.startWorkflow(Inbox, 'either', ['20ms'], { id: 'either-20' });
    expect(await short.result()).toEqual({ timedOut: true });
    // A timeout of 0 still takes a signal that is already buffered.
    Inbox.gate = new Latch();
    const buffered = await e.startWorkflow(Inbox, 'poll', []);
    await buffered.signal('ready', 'yes');
    Inbox.gate.open();
    expect(await buffered.result()).toEqual({ timedOut: false, name: 'ready', payload: 'yes' });
    expect((await timersOf(file, 'either-0')).map((t) => t.status)).toEqual(['timed_out']);
    expect(formatRunTree(await short.describe())).toMatch(/Signal deadline tempolite\.signal#0 · timed_out · timed out at /);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('records a timeout: the re-entered body sees it again although a signal of that name came later, and that signal stays buffered', async () => {
    const clock = new TestClock();
    const { engine: e, file } = await engine({ clock });
    const handle = await e.startWorkflow(Inbox, 'late', [], { id: 'late-1' });
    await eventually(async () => (await handle.status()) === 'waiting' && (await timersOf(file, 'late-1')).length === 1, 'the timed wait');
    await eventually(() => e.inMemoryCount === 0, 'the waiting body to leave memory');
    clock.advance('2h');
    await eventually(async () => (await handle.status()) === 'waiting' && (await timersOf(file, 'late-1'))[0]?.status === 'timed_out', 'the timeout and the next wait');
    await handle.signal('late', 'after the deadline');
    await handle.signal('go', 'go');
    expect(await handle.result()).toEqual([true, 'go', 'after the deadline']);
    expect((await signalsOf(file, 'late-1')).map((s) => [s.name, s.consumedStepId])).toEqual([
      ['late', 'tempolite.signal#2'],
      ['go', 'tempolite.signal#1'],
    ]);
    expect((await handle.describe()).executions.map((x) => x.reason)).toEqual(['start', 'wake', 'wake']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('carries payloads through the codec (Date, Map, BigInt)', async () => {
    const { engine: e } = await engine();
    const handle = await e.startWorkflow(Inbox, 'types', []);
    const payload = { at: new Date('2030-01-02T03:04:05Z'), tags: new Map([['a', 1n]]) };
    await handle.signal('typed', payload);
    expect(await handle.result()).toEqual(payload);
    const bare = await e.startWorkflow(Inbox, 'types', []);
    await bare.signal('typed');
    expect(await bare.result()).toBeUndefined();
  });

  it('keeps unconsumed signals across continue-as-new: the next generation receives them', async () => {
    const { engine: e, file } = await engine();
    const handle = await e.startWorkflow(Inbox, 'relay', [0, []], { id: 'relay-1' });
    // Two at once: generation 0 takes the first and continues; the second is sent across the continuation.
    await handle.signal('n', 10);
    await handle.signal('n', 11);
    await eventually(async () => (await handle.describe()).generation === 2 && (await handle.status()) === 'waiting', 'generation 2 to wait');
    await handle.signal('n', 12);
    expect(await handle.result()).toEqual([10, 11, 12]);
    expect((await signalsOf(file, 'relay-1')).map((s) => [s.consumedGeneration, s.consumedStepId])).toEqual([
      [0, 'tempolite.signal#0'],
      [1, 'tempolite.signal#0'],
      [2, 'tempolite.signal#0'],
    ]);
    // describe() tells the three waits apart by their generation.
    expect((await handle.describe()).signals.map((s) => [s.payload, s.consumedGeneration, s.consumedBy])).toEqual([
      [10, 0, 'tempolite.signal#0'],
      [11, 1, 'tempolite.signal#0'],
      [12, 2, 'tempolite.signal#0'],
    ]);
    const tree = formatRunTree(await handle.describe());
    expect(tree).toContain('Signal "n" · received by tempolite.signal#0 · sent at');
    expect(tree).toContain('Signal "n" · received by tempolite.signal#0 of generation 2 · sent at');
    expect(await checkConsistency(file)).toEqual([]);
  });

  it("describe() and the tree tell each generation's timers apart", async () => {
    const { engine: e, file } = await engine();
    const handle = await e.startWorkflow(Inbox, 'napper', [0], { id: 'napper-1' });
    expect(await handle.result()).toBe(2);
    const d = await handle.describe();
    expect(d.timers.map((t) => [t.stepId, t.generation, t.status])).toEqual([
      ['tempolite.sleep#0', 0, 'fired'],
      ['tempolite.sleep#0', 1, 'fired'],
      ['tempolite.sleep#0', 2, 'fired'],
    ]);
    const tree = formatRunTree(d);
    expect(tree).toMatch(/Sleep tempolite\.sleep#0 · fired · woke at/);
    expect(tree).toMatch(/Sleep tempolite\.sleep#0 · generation 2 · fired · woke at/);
    expect(await checkConsistency(file)).toEqual([]);
  });
});
