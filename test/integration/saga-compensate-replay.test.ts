import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { CompensationFailure, Tempolite, WorkflowFailure, registerSaga, registerWorkflow, silentLogger, workflowContext } from '../../src/index.js';
import { consistencyProblems } from '../helpers/consistency.js';
import { Latch } from '../helpers/latch.js';
import { onPostgres, tempDatabase } from '../helpers/test-store.js';

const log: string[] = [];
const gate = { slowRunning: new Latch(), compensated: new Latch() };
const quick = registerSaga('compReplay.quick', {
  run: async () => {
    log.push('T quick');
    return 'Q';
  },
  compensate: async () => {
    log.push('C quick');
  },
});
const slow = registerSaga('compReplay.slow', {
  run: async () => {
    log.push('T slow');
    gate.slowRunning.open();
    // Still running when the other branch's compensate() is called.
    await gate.compensated.wait();
    log.push('T slow end');
    return 'S';
  },
  compensate: async () => {
    log.push('C slow');
  },
});
const flow = registerWorkflow(
  'compReplay.flow',
  async () => {
    const ctx = workflowContext();
    await Promise.all([
      slow(),
      (async () => {
        await gate.slowRunning.wait();
        await quick();
        await ctx.compensate();
        gate.compensated.open();
      })(),
    ]);
    if (ctx.attempt === 1) throw new Error('first attempt fails');
    return 'ok';
  },
  { retry: { maxAttempts: 2, initialIntervalMs: 10 } },
);

describe('workflowContext().compensate() on a re-entry', () => {
  it('covers the steps its first call covered, not a saga step that was still running beside it then', async () => {
    const temp = tempDatabase();
    log.length = 0;
    const engine = new Tempolite({ database: temp.file, register: [quick, slow, flow], pollIntervalMs: 20, logger: silentLogger });
    try {
      await engine.start();
      const handle = await engine.startWorkflow(flow, []);
      expect(await handle.result()).toBe('ok');
      expect(log).toEqual(['T slow', 'T quick', 'C quick', 'T slow end']);
      const d = await handle.describe();
      expect(d.steps.filter((s) => s.kind === 'saga').map((s) => [s.stepId, s.status])).toEqual([
        ['compReplay.slow#0', 'completed'],
        ['compReplay.quick#0', 'compensated'],
      ]);
      expect(d.steps.find((s) => s.stepId === 'tempolite.compensate#0')?.output).toEqual(['compReplay.quick#0']);
      if (!onPostgres) expect(consistencyProblems(temp.file)).toEqual([]);
    } finally {
      gate.compensated.open();
      await engine.close();
      await temp.cleanup();
    }
  });
});

const stuck = registerSaga(
  'compReplay.stuck',
  {
    run: async () => 'booked',
    compensate: async () => {
      throw new Error('cannot undo');
    },
  },
  { compensationRetry: { maxAttempts: 1 } },
);
const rethrows = registerWorkflow('compReplay.rethrows', async () => {
  await stuck();
  await workflowContext().compensate();
  return 'unreachable';
});

describe('a body that lets compensate()\'s CompensationFailure through', () => {
  it('ends compensation_failed with that failure once, not wrapped in itself', async () => {
    const temp = tempDatabase();
    const engine = new Tempolite({ database: temp.file, register: [stuck, rethrows], pollIntervalMs: 20, logger: silentLogger });
    try {
      await engine.start();
      const handle = await engine.startWorkflow(rethrows, []);
      const error = (await handle.result().catch((e: unknown) => e)) as WorkflowFailure;
      expect(error).toBeInstanceOf(WorkflowFailure);
      const failure = error.cause as CompensationFailure;
      expect(failure).toBeInstanceOf(CompensationFailure);
      expect(failure.stepId).toBe('compReplay.stuck#0');
      expect(failure.originalFailure).toBeUndefined();
      expect(failure.message).not.toContain('it was compensating after');
      expect(await handle.status()).toBe('compensation_failed');
      if (!onPostgres) expect(consistencyProblems(temp.file)).toEqual([]);
    } finally {
      await engine.close();
      await temp.cleanup();
    }
  });
});
