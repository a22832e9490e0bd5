import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildWorkflowFailure, CompensationFailure, Saga, Workflow, WorkflowFailure, rootCause, workflowContext } from '../../src/index.js';
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
});
