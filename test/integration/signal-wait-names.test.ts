import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock, formatProgress, progressOf, registerWorkflow, workflowContext } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';

/** The deployed code's names for the first wait (a deployment renames it while workflows wait there). */
const deployed = { names: ['approve', 'reject'] };

const review = registerWorkflow('waitnames.review', async (): Promise<string> => {
  const ctx = workflowContext();
  const decision = await ctx.waitForSignal<string>(deployed.names);
  const note = await ctx.waitForSignal<string>('note', { timeout: '1h' });
  return `${decision.name}:${decision.payload} ${note.timedOut ? '-' : note.payload}`;
});

describe('what a waiting workflow waits for', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    deployed.names = ['approve', 'reject'];
    await dispose?.();
    dispose = undefined;
  });

  it('describe().signalWaits and the progress line name the signals, with the deadline of a timed wait; a rename under way shows the new names', async () => {
    const clock = new TestClock();
    const started = await startEngine({ register: [review], clock });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(review, [], { id: 'review-1' });
    // The wait is recorded as the body takes it, and the workflow is `waiting` once the body has suspended.
    const waitingAt = async (stepId: string) => {
      const d = await handle.describe();
      return d.status === 'waiting' && d.signalWaits[0]?.stepId === stepId;
    };
    await eventually(() => waitingAt('tempolite.signal#0'), 'the first wait');
    const first = await handle.describe();
    expect(first.signalWaits).toEqual([{ stepId: 'tempolite.signal#0', generation: 0, signals: ['approve', 'reject'] }]);
    expect(first.timers).toEqual([]);
    expect(formatProgress(progressOf(first))).toBe('waiting · 0/0 steps done · waiting for signal "approve" or "reject"');

    // A deployment renames the wait under way: any signal wakes the workflow, and the wait takes the new names.
    deployed.names = ['approve', 'decline'];
    await handle.signal('nudge');
    await eventually(async () => (await waitingAt('tempolite.signal#0')) && (await handle.describe()).signalWaits[0]?.signals.includes('decline') === true, 'the new names');

    await handle.signal('approve', 'ana');
    await eventually(() => waitingAt('tempolite.signal#1'), 'the timed wait');
    const second = await handle.describe();
    const deadline = new Date(clock.now() + 3_600_000);
    expect(second.signalWaits).toEqual([{ stepId: 'tempolite.signal#1', generation: 0, signals: ['note'], deadline }]);
    expect(second.timers.map((t) => [t.stepId, t.status, t.signals])).toEqual([['tempolite.signal#1', 'pending', ['note']]]);
    expect(formatProgress(progressOf(second))).toBe(`waiting · 0/0 steps done · waiting for signal "note" (until ${deadline.toISOString()})`);

    await handle.signal('note', 'looks good');
    expect(await handle.result()).toBe('approve:ana looks good');
    const done = await handle.describe();
    expect(done.signalWaits).toEqual([]);
    expect(done.timers.map((t) => [t.stepId, t.status])).toEqual([['tempolite.signal#1', 'fired']]);
    expect(await checkConsistency(started.file)).toEqual([]);
  });
});
