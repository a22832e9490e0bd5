import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, NonDeterminismError, TestClock, Workflow, workflowContext } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { timersOf } from '../helpers/waits.js';

class Invoice {
  static recorded: number[] = [];
  @Activity({ name: 'invoice.record' }) async record(days: number): Promise<string> {
    Invoice.recorded.push(days);
    return `paid after ${days} day(s)`;
  }
  /** Temporal's "a signal handler sets a flag", ported directly: a loop of sleeps only. */
  @Workflow({ name: 'invoice.await' }) async awaitPayment(): Promise<string> {
    const ctx = workflowContext();
    let paid = false;
    void ctx.waitForSignal('paid').then(() => {
      paid = true;
    });
    let days = 0;
    while (!paid && days < 30) {
      await ctx.sleep('1d');
      days += 1;
    }
    return this.record(days);
  }
}

describe('a flag set by a wait the body did not await, beside a loop of sleeps', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('pauses the workflow with a NonDeterminismError at a re-entry that skips recorded sleeps, instead of completing wrongly', async () => {
    Invoice.recorded = [];
    const clock = new TestClock();
    const started = await startEngine({ register: [Invoice], clock });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Invoice, 'awaitPayment', [], { id: 'invoice' });
    for (let day = 0; day < 3; day++) {
      await eventually(async () => (await timersOf(started.file, 'invoice')).some((t) => t.stepId === `tempolite.sleep#${day}` && t.status === 'pending'), `sleep ${day}`);
      clock.advance('1d');
    }
    await eventually(async () => (await timersOf(started.file, 'invoice')).some((t) => t.stepId === 'tempolite.sleep#3' && t.status === 'pending'), 'sleep 3');
    await handle.signal('paid');
    // The signal wakes a re-entry that takes it while sleep 3 waits on; the next day's re-entry replays it first.
    await eventually(async () => (await started.engine.list({ status: 'waiting' })).length === 1 && (await handle.describe()).signals.every((s) => s.consumedBy !== undefined), 'the signal to be taken');
    clock.advance('1d');

    await eventually(async () => (await handle.status()) === 'paused', 'the workflow to pause');
    const last = (await handle.describe()).executions.at(-1)!;
    expect(last.error).toBeInstanceOf(NonDeterminismError);
    expect(last.error).toMatchObject({ expected: { kind: 'end' }, recorded: { kind: 'sleep', name: 'tempolite.sleep' } });
    expect(Invoice.recorded.every((days) => days < 3)).toBe(true);
    expect(await checkConsistency(started.file)).toEqual([]);
  });
});
