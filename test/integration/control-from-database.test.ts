import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, Tempolite, TestClock, Workflow, type TempoliteOptions, WorkflowCancelledFailure, WorkflowFailure, activityContext, silentLogger, workflowContext } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { execute } from '../helpers/db-rows.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { Latch } from '../helpers/latch.js';
import { onPostgres } from '../helpers/test-store.js';

class Looper {
  static ticks = 0;
  @Activity({ name: 'looper.tick' }) async tick(n: number): Promise<number> {
    Looper.ticks += 1;
    return n;
  }
  @Workflow({ name: 'looper.run' }) async run(rounds: number): Promise<number> {
    for (let n = 0; n < rounds; n++) {
      await this.tick(n);
      await workflowContext().sleep(5);
    }
    return rounds;
  }
  @Workflow({ name: 'looper.wait' }) async wait(): Promise<string> {
    return (await workflowContext().waitForSignal<string>('never')).payload;
  }

  static started = new Latch();
  static aborted = new Latch<unknown>();
  /** Like fetch(url, { signal }): runs until its signal aborts. */
  @Activity({ name: 'looper.hang' }) async hang(): Promise<void> {
    const { signal } = activityContext();
    Looper.started.open();
    await new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => {
        Looper.aborted.open(signal.reason);
        reject(signal.reason as Error);
      });
    });
  }
  @Workflow({ name: 'looper.hanging' }) async hanging(): Promise<void> {
    await this.hang();
  }
  static release = new Latch();
  /** After its one step, waits for the test (no boundary left) and returns. */
  @Workflow({ name: 'looper.finish' }) async finish(): Promise<number> {
    const n = await this.tick(7);
    Looper.started.open();
    await Looper.release.wait();
    return n;
  }
  /** A signal wait with a timeout short enough to be waited in memory. */
  @Workflow({ name: 'looper.ask' }) async ask(): Promise<unknown> {
    await this.tick(0);
    return workflowContext().waitForSignal<string>('answer', { timeout: '1m' });
  }
  /** A minute's sleep kept in memory (the engine below suspends only after two). */
  @Workflow({ name: 'looper.nap' }) async nap(): Promise<string> {
    await this.tick(0);
    await workflowContext().sleep('1m');
    return 'rested';
  }
}

/** What another process (a CLI, an admin tool) does: writes the request on the task directly. */
function writeRequest(file: string, workflowId: string, action: 'cancel' | 'pause'): Promise<void> {
  return execute(
    file,
    `UPDATE tempolite_task SET control = ?, wakeups = wakeups + 1, available_at = CASE WHEN owner IS NULL THEN ? ELSE available_at END WHERE workflow_id = ?`,
    action,
    Date.now(),
    workflowId,
  );
}

describe('cancel and pause recorded in the database by another process', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  /** An engine running Looper, with fresh latches. */
  async function startLooper(options: Omit<TempoliteOptions, 'register'> = {}): Promise<Awaited<ReturnType<typeof startEngine>>> {
    const started = await startEngine({ register: [Looper], ...options });
    dispose = started.dispose;
    Looper.started = new Latch();
    Looper.aborted = new Latch();
    Looper.release = new Latch();
    return started;
  }

  it('a running body notices a recorded pause at a step boundary within a poll interval', async () => {
    const started = await startEngine({ register: [Looper] });
    dispose = started.dispose;
    Looper.ticks = 0;
    const handle = await started.engine.startWorkflow(Looper, 'run', [100_000], { id: 'looping' });
    await eventually(() => Looper.ticks >= 3, 'a few rounds');
    await writeRequest(started.file, 'looping', 'pause');
    await eventually(async () => (await handle.status()) === 'paused', 'the pause');
    expect((await handle.describe()).executions.map((x) => x.status)).toEqual(['paused']);
    expect(await checkConsistency(started.file)).toEqual([]);
    await handle.cancel();
  });

  it('a recorded cancel aborts a running activity within a poll interval, not at the boundary after it', async () => {
    const started = await startLooper();
    const handle = await started.engine.startWorkflow(Looper, 'hanging', [], { id: 'hanging' });
    await Looper.started.wait();
    await writeRequest(started.file, 'hanging', 'cancel');
    expect(await Looper.aborted.wait()).toBeInstanceOf(WorkflowCancelledFailure);
    const error = await handle.result().catch((e: unknown) => e);
    expect((error as WorkflowFailure).cause).toBeInstanceOf(WorkflowCancelledFailure);
    expect((await handle.describe()).steps.map((step) => [step.name, step.status])).toEqual([['looper.hang', 'pending']]);
    expect(await checkConsistency(started.file)).toEqual([]);
  });

  it('a recorded pause ends an in-memory sleep within a poll interval; the workflow is paused, not left running', async () => {
    const started = await startEngine({ register: [Looper], suspendAfterMs: 120_000 });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Looper, 'nap', [], { id: 'napping' });
    await eventually(async () => (await handle.describe()).steps.length === 1, 'the step before the sleep');
    await writeRequest(started.file, 'napping', 'pause');
    await eventually(async () => (await handle.status()) === 'paused', 'the pause', 10_000);
    expect((await handle.describe()).executions.map((x) => x.status)).toEqual(['paused']);
    expect(await checkConsistency(started.file)).toEqual([]);
    await handle.cancel();
  });

  it('a signal from a client-mode engine reaches a signal wait held in memory within a poll interval, not at its timeout', async () => {
    // The test clock never runs the minute out: only the signal can end the wait.
    const started = await startEngine({ register: [Looper], suspendAfterMs: 120_000, clock: new TestClock() });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Looper, 'ask', [], { id: 'asking' });
    await eventually(async () => (await handle.describe()).timers.length === 1, 'the wait and its timer');
    const client = new Tempolite({ database: started.file, workers: false, logger: silentLogger });
    await client.start();
    try {
      await (await client.getHandle('asking')).signal('answer', 'yes');
    } finally {
      await client.close();
    }
    await eventually(async () => (await handle.status()) === 'completed', 'the signal reaching the wait', 10_000);
    expect(await handle.result()).toEqual({ timedOut: false, name: 'answer', payload: 'yes' });
    expect((await handle.describe()).executions.map((x) => [x.reason, x.status])).toEqual([['start', 'completed']]);
    expect(await checkConsistency(started.file)).toEqual([]);
  });

  it.runIf(onPostgres)('on PostgreSQL a cancel from a client-mode engine reaches a running activity at once, without waiting for a poll', async () => {
    const started = await startLooper({ pollIntervalMs: 600_000 });
    const handle = await started.engine.startWorkflow(Looper, 'hanging', [], { id: 'hanging-pg' });
    await Looper.started.wait();
    const client = new Tempolite({ database: started.file, workers: false, logger: silentLogger });
    await client.start();
    try {
      await (await client.getHandle('hanging-pg')).cancel();
      expect(await Looper.aborted.wait()).toBeInstanceOf(WorkflowCancelledFailure);
      expect(((await handle.result().catch((e: unknown) => e)) as WorkflowFailure).cause).toBeInstanceOf(WorkflowCancelledFailure);
    } finally {
      await client.close();
    }
  });

  it('a cancel recorded after the last step boundary, not yet read by the engine, still wins over the completion', async () => {
    // No poll before the end: only the end's own check can see the request.
    const started = await startLooper({ pollIntervalMs: 600_000 });
    const handle = await started.engine.startWorkflow(Looper, 'finish', [], { id: 'finishing' });
    await Looper.started.wait();
    await writeRequest(started.file, 'finishing', 'cancel');
    Looper.release.open();
    const error = await handle.result().catch((e: unknown) => e);
    expect((error as WorkflowFailure).cause).toBeInstanceOf(WorkflowCancelledFailure);
    expect((await handle.describe()).executions.map((x) => [x.reason, x.status])).toEqual([['start', 'cancelled']]);
    expect(await checkConsistency(started.file)).toEqual([]);
  });

  it('a recorded cancel is applied when the workflow is claimed, before its body is entered', async () => {
    const started = await startEngine({ register: [Looper] });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Looper, 'wait', [], { id: 'waiting' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the wait');
    await writeRequest(started.file, 'waiting', 'cancel');
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailure);
    expect((error as WorkflowFailure).cause).toBeInstanceOf(WorkflowCancelledFailure);
    expect((await handle.describe()).executions.map((x) => [x.reason, x.status])).toEqual([['start', 'suspended']]);
    expect(await checkConsistency(started.file)).toEqual([]);
  });
});
