import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { compensateWorkflow } from '../../src/engine/saga/compensate-workflow.js';
import { Activity, Saga, Workflow, WorkflowCancelledFailure, WorkflowFailure, activityContext } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { openEngineDeps } from '../helpers/engine-deps.js';
import { startEngine } from '../helpers/engine.js';
import { Latch } from '../helpers/latch.js';
import { tempDatabase } from '../helpers/temp-db.js';

/** Two saga steps, then an activity that waits until the engine stops it. */
class Holiday {
  static log: string[] = [];
  static waiting = new Latch();
  @Saga({ name: 'holiday.flight', compensate: 'cancelFlight' }) async flight(to: string): Promise<string> {
    return `FL-${to}`;
  }
  async cancelFlight(to: string, ref: string): Promise<void> {
    Holiday.log.push(`cancel flight ${ref} to ${to}`);
  }
  @Saga({ name: 'holiday.hotel', compensate: 'cancelHotel' }) async hotel(to: string): Promise<string> {
    return `HT-${to}`;
  }
  async cancelHotel(to: string, ref: string): Promise<void> {
    Holiday.log.push(`cancel hotel ${ref} in ${to}`);
  }
  @Activity({ name: 'holiday.approve', retry: { maxAttempts: 1 } }) async approve(): Promise<void> {
    const signal = activityContext().signal;
    Holiday.waiting.open();
    await new Promise<void>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true }));
  }
  @Workflow({ name: 'holiday.plan' }) async plan(to: string): Promise<void> {
    await this.flight(to);
    await this.hotel(to);
    await this.approve();
  }
}

/** Only an activity, which waits until the engine stops it. */
class NoSagas {
  static waiting = new Latch();
  @Activity({ name: 'nosagas.wait', retry: { maxAttempts: 1 } }) async wait(): Promise<void> {
    const signal = activityContext().signal;
    NoSagas.waiting.open();
    await new Promise<void>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true }));
  }
  @Workflow({ name: 'nosagas.flow' }) async flow(): Promise<void> {
    await this.wait();
  }
}

describe('compensateWorkflow, the hook for the cancel path', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('compensates a workflow that is not running (as a cancel would), keeping the given failure as its error', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    Holiday.log = [];
    Holiday.waiting = new Latch();
    // An engine books flight and hotel, then stops while the workflow waits: it is left pending, leases released.
    const first = await startEngine({ register: [Holiday] }, temp.file);
    await first.engine.startWorkflow(Holiday, 'plan', ['lisbon'], { id: 'holiday-1' });
    await Holiday.waiting.wait();
    await first.engine.close();

    const { deps, close } = await openEngineDeps(temp.file, [Holiday]);
    try {
      expect((await deps.store.getWorkflow('holiday-1'))?.status).toBe('pending');
      const cancelled = deps.payloads.encodeError(new WorkflowCancelledFailure('holiday-1', 'holiday.plan'), { description: 'cancellation', workflowId: 'holiday-1' });
      expect(await compensateWorkflow(deps, 'holiday-1', { error: cancelled })).toBe('compensated');
      expect(Holiday.log).toEqual(['cancel hotel HT-lisbon in lisbon', 'cancel flight FL-lisbon to lisbon']);
      await expect(compensateWorkflow(deps, 'holiday-1')).rejects.toMatchObject({ code: 'TEMPOLITE_INVALID_STATE', status: 'compensated' });
      await expect(compensateWorkflow(deps, 'nope')).rejects.toMatchObject({ code: 'TEMPOLITE_WORKFLOW_NOT_FOUND' });
    } finally {
      await close();
    }

    const second = await startEngine({ register: [Holiday] }, temp.file);
    cleanups.push(second.dispose);
    const handle = await second.engine.getHandle('holiday-1');
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailure);
    expect((error as WorkflowFailure).cause).toMatchObject({ name: 'WorkflowCancelledFailure', workflowId: 'holiday-1' });
    const d = await handle.describe();
    expect(d.status).toBe('compensated');
    expect(d.executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'interrupted'],
      ['compensate', 'completed'],
    ]);
    expect(Holiday.log).toHaveLength(2);
    expect(await checkConsistency(temp.file)).toEqual([]);
  });

  it('returns "nothing" and writes nothing when no saga step completed', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const first = await startEngine({ register: [NoSagas] }, temp.file);
    await first.engine.startWorkflow(NoSagas, 'flow', [], { id: 'plain-1' });
    await NoSagas.waiting.wait();
    await first.engine.close();
    const { deps, close } = await openEngineDeps(temp.file, [NoSagas]);
    try {
      const before = await deps.store.getWorkflow('plain-1');
      expect(await compensateWorkflow(deps, 'plain-1')).toBe('nothing');
      expect(await deps.store.getWorkflow('plain-1')).toEqual(before);
    } finally {
      await close();
    }
  });
});
