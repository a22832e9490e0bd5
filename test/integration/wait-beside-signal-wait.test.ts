import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { Tempolite, TestClock, registerActivity, registerWorkflow, silentLogger, workflowContext } from '../../src/index.js';
import { eventually } from '../helpers/eventually.js';
import { tempDatabase } from '../helpers/test-store.js';

const done: number[] = [];
const work = registerActivity('besideSignal.work', async (period: number) => {
  done.push(period);
  return period;
});
/** A signal wait without a timeout that the body never awaits, beside a loop of long sleeps and steps. */
const periods = registerWorkflow('besideSignal.periods', async (count: number) => {
  const ctx = workflowContext();
  void ctx.waitForSignal('never-sent');
  for (let i = 0; i < count; i++) {
    await ctx.sleep('30d');
    await work(i);
  }
  return 'done';
});

describe('a long sleep reached while a signal wait without a timeout is pending', () => {
  it('is recorded before the workflow suspends, so the workflow wakes by itself at its end', async () => {
    const temp = tempDatabase();
    const clock = new TestClock();
    done.length = 0;
    const engine = new Tempolite({ database: temp.file, register: [work, periods], clock, pollIntervalMs: 20, logger: silentLogger });
    try {
      await engine.start();
      const handle = await engine.startWorkflow(periods, [3]);
      const pendingSleeps = async (n: number) => {
        const d = await handle.describe();
        return d.status === 'waiting' && d.timers.filter((t) => t.kind === 'sleep').length === n && d.timers.every((t, i) => t.status === (i === n - 1 ? 'pending' : 'fired'));
      };
      for (let period = 0; period < 3; period++) {
        // The step of the re-entry that woke from the sleep was in flight when the signal wait asked to suspend.
        await eventually(() => pendingSleeps(period + 1), `sleep ${period} to be recorded`);
        clock.advance('30d');
      }
      expect(await handle.result()).toBe('done');
      expect(done).toEqual([0, 1, 2]);
    } finally {
      await engine.close();
      await temp.cleanup();
    }
  });
});
