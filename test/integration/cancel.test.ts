import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Activity,
  ChildWorkflowFailure,
  InvalidStateError,
  Saga,
  Workflow,
  WorkflowCancelledFailure,
  WorkflowFailure,
  activityContext,
  formatRunTree,
  workflowContext,
  type Tempolite,
  type WorkflowHandle,
} from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { Latch } from '../helpers/latch.js';
import { taskOf, timersOf } from '../helpers/waits.js';

class Cancellable {
  static log: string[] = [];
  static started = new Latch();
  static aborted = new Latch<unknown>();
  static release = new Latch();

  @Activity({ name: 'cancel.note' }) async note(label: string): Promise<string> {
    Cancellable.log.push(label);
    return label;
  }
  /** Like fetch(url, { signal }): rejects when the signal aborts. */
  @Activity({ name: 'cancel.block', retry: { maxAttempts: 1 } }) async block(): Promise<string> {
    const { signal } = activityContext();
    Cancellable.started.open();
    await new Promise<void>((_resolve, reject) => {
      signal.addEventListener('abort', () => {
        Cancellable.aborted.open(signal.reason);
        reject(signal.reason as Error);
      }, { once: true });
    });
    return 'unreachable';
  }
  /** Ends normally, early, when its signal aborts (like a poll loop that checks `signal.aborted`). */
  @Activity({ name: 'cancel.yielding' }) async yielding(): Promise<string> {
    const { signal } = activityContext();
    Cancellable.started.open();
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    return 'stopped early';
  }
  /** Ignores its signal and finishes when released. */
  @Activity({ name: 'cancel.stubborn' }) async stubborn(): Promise<string> {
    Cancellable.started.open();
    await Cancellable.release.wait();
    return 'finished anyway';
  }
  /** Leaves a listener on its signal and returns: an attempt that ended is not aborted by a later cancel. */
  @Activity({ name: 'cancel.leaves-listener' }) async leavesListener(): Promise<string> {
    const { signal } = activityContext();
    signal.addEventListener('abort', () => Cancellable.log.push('ended attempt aborted'), { once: true });
    return 'done';
  }
  @Workflow({ name: 'cancel.after-listener' }) async afterListener(): Promise<string> {
    await this.leavesListener();
    return this.block();
  }
  @Workflow({ name: 'cancel.sleeper', queue: 'single' }) async sleeper(): Promise<string> {
    await this.note('before');
    await workflowContext().sleep('1d');
    return this.note('after');
  }
  /** Fails once released, with a long retry backoff ahead of it. */
  @Workflow({ name: 'cancel.flaky', retry: { maxAttempts: 3, initialIntervalMs: 600_000 } }) async flaky(): Promise<string> {
    Cancellable.started.open();
    await Cancellable.release.wait();
    throw new Error('flaky');
  }
  /** No step boundary left after its one step: it only waits for the test before returning. */
  @Workflow({ name: 'cancel.finisher' }) async finisher(): Promise<string> {
    const note = await this.note('last step');
    Cancellable.started.open();
    await Cancellable.release.wait();
    return note;
  }
  @Workflow({ name: 'cancel.yielder' }) async yielder(): Promise<string> {
    return this.yielding();
  }
  @Workflow({ name: 'cancel.hog', queue: 'single' }) async hog(): Promise<string> {
    return this.stubborn();
  }
  @Workflow({ name: 'cancel.runner' }) async runner(): Promise<string> {
    await this.block();
    return this.note('after block');
  }
  @Workflow({ name: 'cancel.stubborn-runner' }) async stubbornRunner(): Promise<string> {
    await this.stubborn();
    return this.note('after stubborn');
  }
  @Workflow({ name: 'cancel.parent' }) async parent(): Promise<string> {
    await this.note('parent before');
    const child = await this.runner();
    return this.note(`parent after ${child}`);
  }
  @Saga({ name: 'cancel.reserve', compensate: 'unreserve' }) async reserve(seat: string): Promise<string> {
    Cancellable.log.push(`reserve ${seat}`);
    return `R-${seat}`;
  }
  async unreserve(seat: string, reservation: string): Promise<void> {
    Cancellable.log.push(`unreserve ${seat} ${reservation}`);
  }
  @Workflow({ name: 'cancel.booking' }) async booking(): Promise<string> {
    const reservation = await this.reserve('12A');
    await workflowContext().waitForSignal('confirm');
    return reservation;
  }
}

async function outcome(handle: WorkflowHandle<unknown>): Promise<unknown> {
  return handle.result().then(
    () => 'completed',
    (error: unknown) => error,
  );
}

function expectCancelled(error: unknown, workflowId: string): void {
  expect(error).toBeInstanceOf(WorkflowFailure);
  const cause = (error as WorkflowFailure).cause;
  expect(cause).toBeInstanceOf(WorkflowCancelledFailure);
  expect((cause as WorkflowCancelledFailure).workflowId).toBe(workflowId);
}

describe('cancel', () => {
  let engine: Tempolite;
  let file: string;
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  async function start(): Promise<void> {
    const started = await startEngine({ register: [Cancellable], queues: { single: { concurrency: 1 } } });
    ({ engine, file, dispose } = started);
    Cancellable.log = [];
    Cancellable.started = new Latch();
    Cancellable.aborted = new Latch();
    Cancellable.release = new Latch();
  }

  it('cancels a waiting workflow at once: status cancelled, timer cancelled, result() throws the cancellation', async () => {
    await start();
    const handle = await engine.startWorkflow(Cancellable, 'sleeper', [], { id: 'sleeping' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the sleep');
    await handle.cancel();
    expect(await handle.status()).toBe('cancelled');
    expectCancelled(await outcome(handle), 'sleeping');
    expect((await timersOf(file, 'sleeping')).map((t) => t.status)).toEqual(['cancelled']);
    expect((await taskOf(file, 'sleeping'))).toBeUndefined();
    expect((await handle.describe()).executions.map((x) => [x.reason, x.status])).toEqual([['start', 'suspended']]);
    expect(Cancellable.log).toEqual(['before']);

    // Cancelling again changes nothing; a finished workflow cannot be cancelled.
    await handle.cancel();
    const done = await engine.startWorkflow(Cancellable, 'stubbornRunner', []);
    Cancellable.release.open();
    await done.result();
    await expect(done.cancel()).rejects.toBeInstanceOf(InvalidStateError);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('cancels a workflow that has not started yet (queued behind a busy slot) at once', async () => {
    await start();
    const hog = await engine.startWorkflow(Cancellable, 'hog', [], { id: 'hog' });
    await Cancellable.started.wait();
    const queued = await engine.startWorkflow(Cancellable, 'sleeper', [], { id: 'queued' });
    expect(await queued.status()).toBe('pending');
    await queued.cancel();
    expect(await queued.status()).toBe('cancelled');
    expect((await queued.describe()).executions).toEqual([]);
    Cancellable.release.open();
    expect(await hog.result()).toBe('finished anyway');
    expect(Cancellable.log).toEqual([]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('cancels a running workflow at its next step boundary: its running activity observes the abort, nothing after it runs', async () => {
    await start();
    const handle = await engine.startWorkflow(Cancellable, 'runner', [], { id: 'running' });
    await Cancellable.started.wait();
    await handle.cancel();
    const reason = await Cancellable.aborted.wait();
    expect(reason).toBeInstanceOf(WorkflowCancelledFailure);
    expectCancelled(await outcome(handle), 'running');
    expect(await handle.status()).toBe('cancelled');
    const description = await handle.describe();
    expect(description.executions.map((x) => [x.reason, x.status])).toEqual([['start', 'cancelled']]);
    // The aborted attempt is interrupted, not a failure of the step.
    expect(description.steps.map((s) => [s.stepId, s.status, s.executions.map((a) => a.status)])).toEqual([['cancel.block#0', 'pending', ['interrupted']]]);
    expect(formatRunTree(description)).toContain('Activity cancel.block#0 · pending · 0 attempts · 1 interrupted');
    expect(Cancellable.log).toEqual([]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it("a cancel aborts the running attempt's signal only, not the signal of an attempt that already ended", async () => {
    await start();
    const handle = await engine.startWorkflow(Cancellable, 'afterListener', [], { id: 'listener-left' });
    await Cancellable.started.wait();
    await handle.cancel();
    expect(await Cancellable.aborted.wait()).toBeInstanceOf(WorkflowCancelledFailure);
    expectCancelled(await outcome(handle), 'listener-left');
    expect(Cancellable.log).toEqual([]);
  });

  it('lets an activity that ignores its signal finish, then stops at the boundary after it', async () => {
    await start();
    const handle = await engine.startWorkflow(Cancellable, 'stubbornRunner', [], { id: 'stubborn' });
    await Cancellable.started.wait();
    await handle.cancel();
    expect(await handle.status()).toBe('running');
    Cancellable.release.open();
    expectCancelled(await outcome(handle), 'stubborn');
    const description = await handle.describe();
    expect(description.steps.map((s) => [s.stepId, s.status])).toEqual([['cancel.stubborn#0', 'completed']]);
    expect(Cancellable.log).toEqual([]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a cancel asked while the body runs is not held up by the retry backoff of a failure that follows it', async () => {
    await start();
    const handle = await engine.startWorkflow(Cancellable, 'flaky', [], { id: 'flaky' });
    await Cancellable.started.wait();
    await handle.cancel();
    Cancellable.release.open();
    expectCancelled(await outcome(handle), 'flaky');
    expect((await handle.describe()).executions.map((x) => [x.reason, x.status])).toEqual([['start', 'failed']]);
    expect(await taskOf(file, 'flaky')).toBeUndefined();
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a cancel that comes after the last step boundary, before the end is committed, still wins over the completion', async () => {
    await start();
    const handle = await engine.startWorkflow(Cancellable, 'finisher', [], { id: 'finisher' });
    await Cancellable.started.wait();
    await handle.cancel();
    Cancellable.release.open();
    expectCancelled(await outcome(handle), 'finisher');
    expect(await handle.status()).toBe('cancelled');
    expect((await handle.describe()).executions.map((x) => [x.reason, x.status])).toEqual([['start', 'cancelled']]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a last activity that ends normally when its signal aborts still leaves the workflow cancelled, its result recorded', async () => {
    await start();
    const handle = await engine.startWorkflow(Cancellable, 'yielder', [], { id: 'yielder' });
    await Cancellable.started.wait();
    await handle.cancel();
    expectCancelled(await outcome(handle), 'yielder');
    expect((await handle.describe()).steps.map((s) => [s.name, s.status])).toEqual([['cancel.yielding', 'completed']]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('cancels a parent and its running child: the child activity observes the abort; both end cancelled', async () => {
    await start();
    const parent = await engine.startWorkflow(Cancellable, 'parent', [], { id: 'parent' });
    await Cancellable.started.wait();
    const [child] = (await parent.describe()).children;
    expect(child?.name).toBe('cancel.runner');
    await parent.cancel();
    // The parent waited on its child, so it ended at once; the child stops at its boundary.
    expect(await parent.status()).toBe('cancelled');
    expect(await Cancellable.aborted.wait()).toBeInstanceOf(WorkflowCancelledFailure);
    const childHandle = await engine.getHandle(child!.workflowId);
    expectCancelled(await outcome(childHandle), child!.workflowId);
    expectCancelled(await outcome(parent), 'parent');
    expect(Cancellable.log).toEqual(['parent before']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('cancelling only the child wakes its waiting parent, which gets a ChildWorkflowFailure caused by the cancellation', async () => {
    await start();
    const parent = await engine.startWorkflow(Cancellable, 'parent', [], { id: 'parent-of-cancelled' });
    await Cancellable.started.wait();
    const [child] = (await parent.describe()).children;
    await engine.cancel(child!.workflowId);
    const failure = await outcome(parent);
    expect(failure).toBeInstanceOf(WorkflowFailure);
    const cause = (failure as WorkflowFailure).cause;
    expect(cause).toBeInstanceOf(ChildWorkflowFailure);
    expect(cause).toMatchObject({ status: 'cancelled', workflowId: child!.workflowId });
    expect((cause as ChildWorkflowFailure).cause).toBeInstanceOf(WorkflowCancelledFailure);
    expect(await parent.status()).toBe('failed');
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('compensates completed saga steps of a cancelled workflow, which ends compensated with the cancellation as its error', async () => {
    await start();
    const handle = await engine.startWorkflow(Cancellable, 'booking', [], { id: 'booking' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the booking to wait for confirmation');
    await handle.cancel();
    expectCancelled(await outcome(handle), 'booking');
    expect(await handle.status()).toBe('compensated');
    expect(Cancellable.log).toEqual(['reserve 12A', 'unreserve 12A R-12A']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('cancels a paused workflow at once', async () => {
    await start();
    const handle = await engine.startWorkflow(Cancellable, 'sleeper', [], { id: 'paused' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the sleep');
    await handle.pause();
    expect(await handle.status()).toBe('paused');
    await handle.cancel();
    expect(await handle.status()).toBe('cancelled');
    expectCancelled(await outcome(handle), 'paused');
    expect(await checkConsistency(file)).toEqual([]);
  });
});
