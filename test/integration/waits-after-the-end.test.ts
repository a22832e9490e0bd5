import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { Tempolite, registerActivity, registerSaga, registerWorkflow, silentLogger, workflowContext } from '../../src/index.js';
import { consistencyProblems } from '../helpers/consistency.js';
import { eventually } from '../helpers/eventually.js';
import { onPostgres, tempDatabase } from '../helpers/test-store.js';

const ran: string[] = [];
const charge = registerActivity('afterEnd.charge', async (what: string) => {
  ran.push(`charge ${what}`);
  return `charged ${what}`;
});
const book = registerSaga('afterEnd.book', {
  run: async (what: string) => {
    ran.push(`book ${what}`);
    return `booked ${what}`;
  },
  compensate: async (what: string) => {
    ran.push(`cancel ${what}`);
  },
});

/** Its first attempt throws while a short sleep it does not await is pending; its retry waits for that sleep. */
const retried = registerWorkflow(
  'afterEnd.retried',
  async () => {
    const ctx = workflowContext();
    const charged = ctx.sleep('150ms').then(() => charge('once'));
    if (ctx.attempt === 1) {
      charged.catch(() => undefined);
      throw new Error('transient');
    }
    return charged;
  },
  { retry: { maxAttempts: 2, initialIntervalMs: 20 } },
);
const returnsEarly = registerWorkflow('afterEnd.returnsEarly', async () => {
  void workflowContext().sleep('150ms').then(() => charge('late'));
  return 'returned';
});
const throwsEarly = registerWorkflow('afterEnd.throwsEarly', async () => {
  void workflowContext().sleep('150ms').then(() => book('hotel'));
  throw new Error('boom');
});
/** Runs after the others' sleeps would have ended: the engine is still up when they would wake. */
const later = registerWorkflow('afterEnd.later', async () => {
  await workflowContext().sleep('400ms');
  return 'later';
});

describe('a short wait the body left behind when it ended', () => {
  it('takes no step after the end: not in a completed or failed workflow, not twice beside its retry', async () => {
    const temp = tempDatabase();
    ran.length = 0;
    const engine = new Tempolite({ database: temp.file, register: [charge, book, retried, returnsEarly, throwsEarly, later], pollIntervalMs: 20, logger: silentLogger });
    try {
      await engine.start();
      const first = await engine.startWorkflow(retried, []);
      expect(await first.result()).toBe('charged once');
      const early = await engine.startWorkflow(returnsEarly, []);
      expect(await early.result()).toBe('returned');
      const failing = await engine.startWorkflow(throwsEarly, []);
      await expect(failing.result()).rejects.toThrow('boom');
      // Past the moment every left-behind sleep would have ended, on a live engine.
      expect(await (await engine.startWorkflow(later, [])).result()).toBe('later');
      expect(ran).toEqual(['charge once']);
      expect((await first.describe()).steps.map((s) => [s.stepId, s.status, s.executions.length])).toEqual([['afterEnd.charge#0', 'completed', 1]]);
      expect((await early.describe()).steps).toEqual([]);
      expect((await failing.describe()).steps).toEqual([]);
      await eventually(async () => (await engine.list({ status: ['running', 'pending'] })).length === 0, 'nothing to run');
      if (!onPostgres) expect(consistencyProblems(temp.file)).toEqual([]);
    } finally {
      await engine.close();
      await temp.cleanup();
    }
  });
});
