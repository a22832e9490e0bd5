import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildWorkflowFailure, CompensationFailure, Saga, Workflow, WorkflowFailure, rootCause, workflowContext, type Tempolite } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';

class Booking {
  @Saga({ name: 'childcomp.book', compensate: 'cancel', compensationRetry: { maxAttempts: 2, initialIntervalMs: 1 } })
  async book(what: string): Promise<string> {
    return `booked ${what}`;
  }

  async cancel(): Promise<void> {
    throw new Error('cannot cancel');
  }

  @Workflow({ name: 'childcomp.child' })
  async child(what: string): Promise<void> {
    await this.book(what);
    throw new Error('payment declined');
  }

  @Workflow({ name: 'childcomp.parent' })
  async parent(): Promise<string> {
    try {
      await workflowContext().child(Booking, 'child', ['trip'], { id: 'c' });
      return 'unexpected';
    } catch (error) {
      const failure = error as ChildWorkflowFailure;
      const cause = failure.cause as CompensationFailure;
      return `${failure.status}: ${cause.name} ${String((cause.cause as Error).message)} after ${String((cause.originalFailure as Error | undefined)?.message)}`;
    }
  }
}

/** A child whose compensation gives up until it is mended; its parent does not catch the child's failure. */
class Repairable {
  static mended = false;
  static mendAfterFirstFailure = false;
  static undone: string[] = [];

  @Saga({ name: 'childcomp.reserve', compensate: 'release', compensationRetry: { maxAttempts: 1 } })
  async reserve(what: string): Promise<string> {
    return what;
  }

  async release(what: string): Promise<void> {
    if (!Repairable.mended) {
      Repairable.mended = Repairable.mendAfterFirstFailure;
      throw new Error('release service down');
    }
    Repairable.undone.push(what);
  }

  @Workflow({ name: 'childcomp.repairableChild' })
  async child(): Promise<void> {
    await this.reserve('seat');
    throw new Error('payment declined');
  }

  @Workflow({ name: 'childcomp.repairableParent' })
  async parent(): Promise<void> {
    await workflowContext().child(Repairable, 'child', [], { id: 'c' });
  }

  /** As `parent`, with a workflow retry policy: its second attempt meets the child mended. */
  @Workflow({ name: 'childcomp.retryingParent', retry: { maxAttempts: 2, initialIntervalMs: 1 } })
  async retryingParent(): Promise<void> {
    await workflowContext().child(Repairable, 'child', [], { id: 'c' });
  }
}

/** Found by the torture test (seed 202): a parent saw the child's original failure, not its CompensationFailure. */
describe('a child that ends compensation_failed', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('fails its parent with the CompensationFailure its own result() shows: the compensation error, with the original failure', async () => {
    const { engine, dispose } = await startEngine({ register: [Booking] });
    cleanups.push(dispose);
    const parent = await engine.startWorkflow(Booking, 'parent', [], { id: 'childcomp-1' });
    expect(await parent.result()).toBe('compensation_failed: CompensationFailure cannot cancel after payment declined');
    const child = await engine.getHandle('childcomp-1/c');
    const own = await child.result().catch((error: unknown) => error);
    expect(own).toBeInstanceOf(WorkflowFailure);
    expect(rootCause(own)).toMatchObject({ message: 'cannot cancel' });
  });

  /** An engine for `Repairable`, its compensation broken until mended (by the test, or after its first failure). */
  async function repairableEngine(options: { mendAfterFirstFailure: boolean }): Promise<{ engine: Tempolite; file: string }> {
    Repairable.mended = false;
    Repairable.mendAfterFirstFailure = options.mendAfterFirstFailure;
    Repairable.undone = [];
    const { engine, file, dispose } = await startEngine({ register: [Repairable] });
    cleanups.push(dispose);
    return { engine, file };
  }

  it("retrying the parent resumes the compensations of a child that ended compensation_failed; the parent then fails on the child's new end", async () => {
    const { engine, file } = await repairableEngine({ mendAfterFirstFailure: false });
    const parent = await engine.startWorkflow(Repairable, 'parent', [], { id: 'childcomp-2' });
    const first = await parent.result().catch((error: unknown) => error);
    expect((first as WorkflowFailure).cause).toMatchObject({ status: 'compensation_failed' });
    const child = await engine.getHandle('childcomp-2/c');
    expect(await child.status()).toBe('compensation_failed');

    Repairable.mended = true;
    await engine.retry('childcomp-2');
    const second = await parent.result().catch((error: unknown) => error);
    expect(second).toBeInstanceOf(WorkflowFailure);
    expect((second as WorkflowFailure).cause).toBeInstanceOf(ChildWorkflowFailure);
    expect((second as WorkflowFailure).cause).toMatchObject({ status: 'compensated', workflowId: 'childcomp-2/c' });
    expect(await child.status()).toBe('compensated');
    expect(Repairable.undone).toEqual(['seat']);
    // A compensated child cannot be retried: retrying the parent again fails it again on the same end.
    await engine.retry('childcomp-2');
    expect(((await parent.result().catch((error: unknown) => error)) as WorkflowFailure).cause).toMatchObject({ status: 'compensated' });
    expect(Repairable.undone).toEqual(['seat']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it("a parent's workflow retry policy resumes the compensations of a child that ended compensation_failed", async () => {
    const { engine, file } = await repairableEngine({ mendAfterFirstFailure: true });
    const parent = await engine.startWorkflow(Repairable, 'retryingParent', [], { id: 'childcomp-3' });
    const failure = await parent.result().catch((error: unknown) => error);
    expect((failure as WorkflowFailure).cause).toMatchObject({ status: 'compensated', workflowId: 'childcomp-3/c' });
    expect(await (await engine.getHandle('childcomp-3/c')).status()).toBe('compensated');
    expect(Repairable.undone).toEqual(['seat']);
    // Two attempts, each failed on the child's end (between them, executions suspended while waiting for it).
    expect((await parent.describe()).executions.filter((execution) => execution.status === 'failed')).toHaveLength(2);
    expect(await checkConsistency(file)).toEqual([]);
  });
});
