import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { NonDeterminismError, TestClock, registerWorkflow, workflowContext, type Duration } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';

/** The deployed code's timeout of the first wait (a deployment changes it while workflows wait there). */
const deployed: { timeout: Duration | undefined } = { timeout: undefined };

const approval = registerWorkflow('timeoutchange.approval', async (): Promise<string[]> => {
  const ctx = workflowContext();
  const first = deployed.timeout === undefined ? await ctx.waitForSignal<string>('ok') : await ctx.waitForSignal<string>('ok', { timeout: deployed.timeout });
  const next = await ctx.waitForSignal<string>('next');
  return [first.timedOut ? 'expired' : first.payload, next.payload];
});

describe('a deployment that changes the timeout of a signal wait under way', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    deployed.timeout = undefined;
    await dispose?.();
    dispose = undefined;
  });

  async function engine() {
    const clock = new TestClock();
    const started = await startEngine({ register: [approval], clock });
    dispose = started.dispose;
    return { ...started, clock };
  }

  it('a timeout added applies from the new code’s first look at the wait', async () => {
    const { engine: e, clock, file } = await engine();
    const handle = await e.startWorkflow(approval, [], { id: 'added' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the wait');
    deployed.timeout = '1h';
    const reentered = clock.now();
    // Any signal wakes a waiting workflow: the new code reaches the wait again.
    await handle.signal('nudge');
    await eventually(async () => (await handle.describe()).timers.length === 1 && (await handle.status()) === 'waiting', 'the deadline');
    expect((await handle.describe()).timers[0]).toMatchObject({ stepId: 'tempolite.signal#0', status: 'pending', wakeAt: new Date(reentered + 3_600_000) });
    clock.advance('1h');
    await eventually(async () => (await handle.describe()).timers[0]?.status === 'timed_out', 'the timeout');
    await handle.signal('next', 'go');
    expect(await handle.result()).toEqual(['expired', 'go']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a timeout removed is dropped: the wait waits for its signal, however long', async () => {
    const { engine: e, clock, file } = await engine();
    deployed.timeout = '1h';
    const handle = await e.startWorkflow(approval, [], { id: 'removed' });
    await eventually(async () => (await handle.describe()).timers.length === 1 && (await handle.status()) === 'waiting', 'the timed wait');
    deployed.timeout = undefined;
    await handle.signal('nudge');
    await eventually(async () => (await handle.describe()).timers.length === 0 && (await handle.describe()).signals[0]?.consumedAt === undefined && (await handle.status()) === 'waiting', 'the deadline to go');
    clock.advance('2h');
    await handle.signal('ok', 'approved');
    await handle.signal('next', 'go');
    expect(await handle.result()).toEqual(['approved', 'go']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a wait that timed out, whose code now has no timeout, pauses the workflow with a NonDeterminismError; code with a timeout again resumes it', async () => {
    const { engine: e, clock, file } = await engine();
    deployed.timeout = '1h';
    const handle = await e.startWorkflow(approval, [], { id: 'timed-out' });
    await eventually(async () => (await handle.describe()).timers.length === 1 && (await handle.status()) === 'waiting', 'the timed wait');
    clock.advance('1h');
    await eventually(async () => (await handle.describe()).timers[0]?.status === 'timed_out' && (await handle.status()) === 'waiting', 'the timeout, then the next wait');
    deployed.timeout = undefined;
    await handle.signal('next', 'go');
    await eventually(async () => (await handle.status()) === 'paused', 'the pause');
    const error = (await handle.describe()).executions.at(-1)?.error;
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect(error).toMatchObject({ stepId: 'tempolite.signal#0', expected: { kind: 'signal', name: 'ok' }, recorded: { kind: 'timeout', name: 'tempolite.signal' } });
    expect((error as Error).message).toContain('waits for signal "ok" without a timeout, but the database recorded that this wait timed out');
    deployed.timeout = '1h';
    await handle.resume();
    expect(await handle.result()).toEqual(['expired', 'go']);
    expect(await checkConsistency(file)).toEqual([]);
  });
});
