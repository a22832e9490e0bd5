import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, ActivityFailure, SideEffect, Tempolite, Workflow, WorkflowFailure, rootCause, silentLogger, workflowContext } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';

/** Not registered with the codec: a stored one comes back as an `Error` named `PaymentDeclined`. */
class PaymentDeclined extends Error {
  override name = 'PaymentDeclined';
  constructor(readonly reason: string) {
    super(`declined: ${reason}`);
  }
}

class Replayed {
  static notes: string[] = [];
  static shared = { n: 1 };
  @Activity({ name: 'replayed.echo' }) async echo(value: { n: number }): Promise<{ n: number }> {
    return value;
  }
  @Activity({ name: 'replayed.charge', retry: { maxAttempts: 1 } }) async charge(): Promise<string> {
    throw new PaymentDeclined('insufficient funds');
  }
  @Activity({ name: 'replayed.note' }) async note(branch: string): Promise<void> {
    Replayed.notes.push(branch);
  }
  @Activity({ name: 'replayed.throwsValue', retry: { maxAttempts: 1 } }) async throwsValue(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- what the test is about
    throw 'oops';
  }
  @Activity({ name: 'replayed.bulky', retry: { maxAttempts: 1 } }) async bulky(): Promise<void> {
    throw Object.assign(new Error('small message'), { blob: 'b'.repeat(20_000) });
  }
  @SideEffect({ name: 'replayed.config' }) async config(): Promise<{ n: number }> {
    return Replayed.shared;
  }

  /** Mutates what the activity returned: the argument it passed must not change with it. */
  @Workflow({ name: 'replayed.alias' }) async alias(): Promise<{ same: boolean; input: number; configSame: boolean }> {
    const input = { n: 1 };
    const output = await this.echo(input);
    output.n = 2;
    const config = await this.config();
    return { same: output === input, input: input.n, configSame: config === Replayed.shared };
  }

  /** Branches on the failure, records the branch, then waits: a re-entry must take the branch the first entry took. */
  @Workflow({ name: 'replayed.branch' }) async branch(): Promise<string> {
    let branch: string;
    try {
      await this.charge();
      branch = 'charged';
    } catch (error) {
      branch = rootCause(error) instanceof PaymentDeclined ? 'declined-class' : (rootCause(error) as Error).name === 'PaymentDeclined' ? 'declined-name' : 'unknown';
    }
    await this.note(branch);
    await workflowContext().waitForSignal('go');
    return branch;
  }

  @Workflow({ name: 'replayed.value' }) async value(): Promise<unknown> {
    try {
      await this.throwsValue();
      return 'no error';
    } catch (error) {
      const cause = (error as ActivityFailure).cause as Error & { value?: unknown };
      return { isError: cause instanceof Error, message: cause.message, value: cause.value };
    }
  }

  static seenItems: string[][] = [];
  static mutateFailures = 0;
  /** Changes its argument in place, and fails its first attempt after doing so. */
  @Activity({ name: 'replayed.mutate', retry: { maxAttempts: 2, initialIntervalMs: 0 } }) async mutate(order: { items: string[] }): Promise<number> {
    Replayed.seenItems.push([...order.items]);
    order.items.push('gift');
    if (Replayed.mutateFailures-- > 0) throw new Error('first attempt fails');
    return order.items.length;
  }

  /** The body's object must not change with what the activity did to its argument. */
  @Workflow({ name: 'replayed.mutated' }) async mutated(): Promise<{ items: string[]; count: number }> {
    const order = { items: ['book'] };
    const count = await this.mutate(order);
    return { items: order.items, count };
  }

  @Workflow({ name: 'replayed.bulk' }) async bulk(): Promise<void> {
    await this.bulky();
  }
}

describe('a body sees on its first entry what a re-entry sees', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it("an activity's and a side effect's result are their stored copies, not the objects they returned", async () => {
    const started = await startEngine({ register: [Replayed] });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Replayed, 'alias', [], { id: 'alias' });
    expect(await handle.result()).toEqual({ same: false, input: 1, configSame: false });
  });

  it('each attempt of an activity gets its own copy of the arguments: changing them in place reaches neither the body nor the retry', async () => {
    Replayed.seenItems = [];
    Replayed.mutateFailures = 1;
    const started = await startEngine({ register: [Replayed] });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Replayed, 'mutated', [], { id: 'mutated' });
    expect(await handle.result()).toEqual({ items: ['book'], count: 2 });
    expect(Replayed.seenItems).toEqual([['book'], ['book']]);
  });

  it('a failure of an unregistered error class reads the same before and after a restart (by name, not instanceof)', async () => {
    Replayed.notes = [];
    const first = await startEngine({ register: [Replayed] });
    dispose = first.dispose;
    const handle = await first.engine.startWorkflow(Replayed, 'branch', [], { id: 'branch' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the signal wait');
    await first.engine.close();

    const second = new Tempolite({ database: first.file, register: [Replayed], logger: silentLogger, pollIntervalMs: 50 });
    await second.start();
    try {
      await (await second.getHandle('branch')).signal('go');
      expect(await (await second.getHandle<string>('branch')).result()).toBe('declined-name');
    } finally {
      await second.close();
    }
    expect(Replayed.notes).toEqual(['declined-name']);
    expect(await checkConsistency(first.file)).toEqual([]);
  });

  it('a non-Error thrown by an activity reaches the body as describe() shows it: an Error keeping the value', async () => {
    const started = await startEngine({ register: [Replayed] });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Replayed, 'value', [], { id: 'value' });
    expect(await handle.result()).toEqual({ isError: true, message: "Non-Error value thrown: 'oops'", value: 'oops' });
    const step = (await handle.describe()).steps.find((s) => s.name === 'replayed.throwsValue');
    expect(step?.error?.message).toBe("Non-Error value thrown: 'oops'");
  });

  it('an error too big to store loses its own fields; the ActivityFailure around it keeps its class and ids', async () => {
    const started = await startEngine({ register: [Replayed], maxPayloadBytes: 10_000 });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Replayed, 'bulk', [], { id: 'bulk' });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailure);
    const failure = (error as WorkflowFailure).cause;
    expect(failure).toBeInstanceOf(ActivityFailure);
    expect(failure).toMatchObject({ workflowId: 'bulk', activityName: 'replayed.bulky', attempts: 1 });
    const cause = (failure as ActivityFailure).cause as Error & { blob?: string };
    expect(cause.message).toBe('small message');
    expect(cause.blob).toBeUndefined();
    expect((await handle.describe()).error).toBeInstanceOf(ActivityFailure);
    expect(await checkConsistency(started.file)).toEqual([]);
  });
});
