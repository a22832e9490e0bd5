import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, SideEffect, TestClock, Workflow, formatRunTree, workflowContext, type StepFailedEvent } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';

class Flaky {
  static calls = 0;
  static failFirst = 1;
  static sent: string[] = [];
  @SideEffect({ name: 'flaky.orderId' }) async orderId(): Promise<string> {
    Flaky.calls += 1;
    if (Flaky.calls <= Flaky.failFirst) throw new RangeError(`no id yet (call ${Flaky.calls})`);
    return `ORD-${Flaky.calls}`;
  }
  @Activity({ name: 'flaky.send' }) async send(text: string): Promise<string> {
    Flaky.sent.push(text);
    return text;
  }
  @Workflow({ name: 'flaky.caught' }) async caught(): Promise<string[]> {
    let id: string;
    try {
      id = await this.orderId();
    } catch (error) {
      id = `FALLBACK(${(error as Error).name}: ${(error as Error).message})`;
    }
    const first = await this.send(`received ${id}`);
    // Suspends (suspendAfterMs 0): the wake re-enters the body, which must take the same branch.
    await workflowContext().sleep('30ms');
    return [first, await this.send(`shipped ${id}`)];
  }
  @Workflow({ name: 'flaky.uncaught', retry: { maxAttempts: 2, initialIntervalMs: 1 } }) async uncaught(): Promise<string> {
    return this.send(`order ${await this.orderId()}`);
  }
  @Workflow({ name: 'flaky.later', retry: { maxAttempts: 2, initialIntervalMs: 3_600_000 } }) async later(): Promise<string> {
    return this.send(`order ${await this.orderId()}`);
  }
}

describe('a side effect that throws', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('is recorded failed: every re-entry throws the stored error again instead of running it a second time', async () => {
    Flaky.calls = 0;
    Flaky.failFirst = 1;
    Flaky.sent = [];
    const started = await startEngine({ register: [Flaky], suspendAfterMs: 0 });
    dispose = started.dispose;
    const failed: StepFailedEvent[] = [];
    started.engine.on('step.failed', (event) => failed.push(event));
    const handle = await started.engine.startWorkflow(Flaky, 'caught', [], { id: 'caught' });
    expect(await handle.result()).toEqual(['received FALLBACK(RangeError: no id yet (call 1))', 'shipped FALLBACK(RangeError: no id yet (call 1))']);
    expect(Flaky.calls).toBe(1);

    const description = await handle.describe();
    expect(description.executions.length).toBeGreaterThan(1);
    const step = description.steps.find((s) => s.stepId === 'flaky.orderId#0')!;
    expect(step).toMatchObject({ kind: 'sideEffect', status: 'failed' });
    expect(step.attempts).toBe(1);
    expect(step.error).toMatchObject({ name: 'RangeError', message: 'no id yet (call 1)' });
    expect(step.executions[0]).toMatchObject({ attempt: 1, status: 'failed', error: { name: 'RangeError', message: 'no id yet (call 1)' } });
    expect(failed).toEqual([expect.objectContaining({ kind: 'sideEffect', stepId: 'flaky.orderId#0', willRetry: false })]);
    expect(formatRunTree(description)).toMatch(/SideEffect flaky\.orderId#0 · failed · \d+ ms · RangeError: no id yet \(call 1\)/);
    expect(await checkConsistency(started.file)).toEqual([]);
  });

  it('gets a fresh run on a retry of the workflow, as a failed activity does', async () => {
    Flaky.calls = 0;
    Flaky.failFirst = 1;
    Flaky.sent = [];
    const started = await startEngine({ register: [Flaky] });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Flaky, 'uncaught', [], { id: 'uncaught' });
    expect(await handle.result()).toBe('order ORD-2');
    expect(Flaky.calls).toBe(2);
    const step = (await handle.describe()).steps.find((s) => s.stepId === 'flaky.orderId#0')!;
    expect(step.status).toBe('completed');
    // The tree shows what each execution's run did: failed in the first, completed in the retry.
    const tree = formatRunTree(await handle.describe());
    expect(tree).toMatch(/Execution #1 · start · failed[^\n]*\n[^\n]*SideEffect flaky\.orderId#0 · failed/);
    expect(tree).toMatch(/Execution #2 · retry · completed[^\n]*\n[^\n]*SideEffect flaky\.orderId#0 · completed/);
    // Each round numbers its attempts from 1, as an activity's.
    expect(step.executions.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'failed'],
      [1, 'completed'],
    ]);
    expect(await checkConsistency(started.file)).toEqual([]);
  });

  it('keeps its error in describe() while the workflow waits for its retry', async () => {
    Flaky.calls = 0;
    Flaky.failFirst = 1;
    const clock = new TestClock();
    const started = await startEngine({ register: [Flaky], clock });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Flaky, 'later', [], { id: 'later' });
    await eventually(async () => (await handle.describe()).executions[0]?.status === 'failed', 'the first execution to fail (the retry then waits an hour)');
    const step = (await handle.describe()).steps.find((s) => s.stepId === 'flaky.orderId#0')!;
    expect(step.status).toBe('pending');
    expect(step.error).toMatchObject({ name: 'RangeError', message: 'no id yet (call 1)' });
    clock.advance('1h');
    expect(await handle.result()).toBe('order ORD-2');
  });
});
