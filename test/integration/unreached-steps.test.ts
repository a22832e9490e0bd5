import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { NonDeterminismError, Tempolite, TestClock, registerActivity, registerWorkflow, silentLogger, workflowContext, type WorkflowPausedEvent } from '../../src/index.js';
import { consistencyProblems } from '../helpers/consistency.js';
import { eventually } from '../helpers/eventually.js';
import { onPostgres, tempDatabase } from '../helpers/test-store.js';

const charged: number[] = [];
const charge = registerActivity('unreached.charge', async (period: number) => {
  charged.push(period);
  return period;
});

/** Temporal's "a signal handler sets a flag" ported as a wait the body does not await: unsupported, and must not end wrongly. */
const subscription = registerWorkflow('unreached.subscription', async (periods: number) => {
  const ctx = workflowContext();
  let cancelled = false;
  void ctx.waitForSignal('cancel').then(() => {
    cancelled = true;
  });
  for (let i = 0; i < periods; i++) {
    await ctx.sleep('30d');
    if (cancelled) return `cancelled before period ${i}`;
    await charge(i);
  }
  return 'done';
});

/** What the deployed code does: v2 drops the second call. */
const deployed = { dropSecond: false, dropWait: false };
const step = registerActivity('unreached.step', async (name: string) => name);
const twoSteps = registerWorkflow('unreached.twoSteps', async () => {
  const first = await step('a');
  const second = deployed.dropSecond ? 'dropped' : await step('b');
  await workflowContext().waitForSignal('go');
  return `${first}+${second}`;
});

/** Waits for approval without a timeout; v2 drops the wait. */
const approval = registerWorkflow('unreached.approval', async () => {
  const reserved = await step('reserve');
  if (!deployed.dropWait) await workflowContext().waitForSignal('approve');
  return `${reserved}+shipped`;
});

describe('a body that ends without calling a step it recorded', () => {
  it('is paused with a NonDeterminismError, not completed with a result no run had: the signal-flag pattern after a re-entry', async () => {
    const temp = tempDatabase();
    const clock = new TestClock();
    charged.length = 0;
    const engine = new Tempolite({ database: temp.file, register: [charge, subscription], clock, pollIntervalMs: 20, logger: silentLogger });
    try {
      await engine.start();
      const paused: WorkflowPausedEvent[] = [];
      engine.on('workflow.paused', (event) => paused.push(event));
      const handle = await engine.startWorkflow(subscription, [3], { id: 'sub-1' });
      const sleeping = async (timers: number) => {
        const d = await handle.describe();
        return d.status === 'waiting' && d.timers.filter((t) => t.status === 'pending').length === 1 && d.timers.length === timers;
      };
      await eventually(() => sleeping(1), 'the first period to sleep');
      clock.advance('30d');
      await eventually(() => sleeping(2), 'period 0 to be charged and period 1 to sleep');
      expect(charged).toEqual([0]);

      // The signal re-enters the body, which takes it while it sleeps in period 1.
      await handle.signal('cancel');
      await eventually(async () => (await handle.describe()).signals[0]?.consumedAt !== undefined && (await handle.status()) === 'waiting', 'the signal to be taken');
      // The next re-entry replays the recorded wait and sleep at once, in call order: the flag comes before
      // the charge it followed, and the body returns "cancelled before period 0" without calling that charge.
      clock.advance('30d');
      await eventually(async () => (await handle.status()) === 'paused', 'the workflow to pause');
      expect(paused).toHaveLength(1);
      expect(paused[0]?.reason).toBe('non_determinism');
      const error = paused[0]?.error;
      expect(error).toBeInstanceOf(NonDeterminismError);
      expect(error).toMatchObject({ workflowId: 'sub-1', stepId: 'unreached.charge#0', expected: { kind: 'end', name: 'unreached.subscription' }, recorded: { kind: 'activity', name: 'unreached.charge' } });
      expect((error as Error).message).toContain('the body ended without calling activity "unreached.charge"');
      expect((await handle.describe()).executions.at(-1)?.status).toBe('paused');
      expect(charged).toEqual([0]);
      if (!onPostgres) expect(consistencyProblems(temp.file)).toEqual([]);
    } finally {
      await engine.close();
      await temp.cleanup();
    }
  });

  it('a deployment that dropped a recorded call pauses the workflow; the old code and a resume() complete it', async () => {
    const temp = tempDatabase();
    const options = { database: temp.file, register: [step, twoSteps], pollIntervalMs: 20, logger: silentLogger };
    deployed.dropSecond = false;
    const first = new Tempolite(options);
    try {
      await first.start();
      const handle = await first.startWorkflow(twoSteps, [], { id: 'two-1' });
      await eventually(async () => (await handle.status()) === 'waiting', 'the workflow to wait for its signal');
      await first.close();

      deployed.dropSecond = true;
      const dropped = new Tempolite(options);
      await dropped.start();
      try {
        await dropped.signal('two-1', 'go');
        await eventually(async () => (await dropped.getHandle('two-1').then((h) => h.status())) === 'paused', 'the workflow to pause');
        const execution = (await (await dropped.getHandle('two-1')).describe()).executions.at(-1);
        expect(execution?.error).toBeInstanceOf(NonDeterminismError);
        expect(execution?.error).toMatchObject({ stepId: 'unreached.step#1', recorded: { kind: 'activity', name: 'unreached.step' } });
      } finally {
        await dropped.close();
      }

      deployed.dropSecond = false;
      const fixed = new Tempolite(options);
      await fixed.start();
      try {
        await fixed.resume('two-1');
        expect(await (await fixed.getHandle<string>('two-1')).result()).toBe('a+b');
      } finally {
        await fixed.close();
      }
      if (!onPostgres) expect(consistencyProblems(temp.file)).toEqual([]);
    } finally {
      await first.close();
      await temp.cleanup();
    }
  });
  it('a deployment that dropped a signal wait without a timeout the workflow waits in pauses it, instead of running past the wait', async () => {
    const temp = tempDatabase();
    const options = { database: temp.file, register: [step, approval], pollIntervalMs: 20, logger: silentLogger };
    deployed.dropWait = false;
    const engine = new Tempolite(options);
    try {
      await engine.start();
      const handle = await engine.startWorkflow(approval, [], { id: 'approval-1' });
      await eventually(async () => (await handle.status()) === 'waiting', 'the workflow to wait for approval');
      deployed.dropWait = true;
      // Any signal wakes a waiting workflow: the new code then ends without reaching the recorded wait.
      await handle.signal('unrelated');
      await eventually(async () => (await handle.status()) === 'paused', 'the workflow to pause');
      const error = (await handle.describe()).executions.at(-1)?.error;
      expect(error).toBeInstanceOf(NonDeterminismError);
      expect(error).toMatchObject({ stepId: 'tempolite.signal#0', expected: { kind: 'end', name: 'unreached.approval' }, recorded: { kind: 'signal', name: 'tempolite.signal' } });
      deployed.dropWait = false;
      await handle.resume();
      await eventually(async () => (await handle.status()) === 'waiting', 'the fixed code to wait again');
      await handle.signal('approve');
      expect(await handle.result()).toBe('reserve+shipped');
      if (!onPostgres) expect(consistencyProblems(temp.file)).toEqual([]);
    } finally {
      deployed.dropWait = false;
      await engine.close();
      await temp.cleanup();
    }
  });
});
