import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, Saga, TestClock, Workflow, formatRunTree, workflowContext } from '../../src/index.js';
import { onPostgres } from '../helpers/test-store.js';
import { checkConsistency } from '../helpers/consistency.js';
import { execute } from '../helpers/db-rows.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { Latch } from '../helpers/latch.js';

class Leased {
  static gate = new Latch();
  static running = 0;
  @Activity({ name: 'leased.wait' }) async wait(): Promise<string> {
    Leased.running += 1;
    await Leased.gate.wait();
    return 'done';
  }
  @Workflow({ name: 'leased.job', queue: 'q' }) async job(): Promise<string> {
    return this.wait();
  }
}

describe('leases', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('a task leased by another worker is left alone until the lease expires, then reclaimed', async () => {
    Leased.gate = new Latch();
    Leased.running = 0;
    const started = await startEngine({ register: [Leased], queues: { q: { concurrency: 1 } } });
    dispose = started.dispose;
    const { engine, file } = started;
    const blocker = await engine.startWorkflow(Leased, 'job', [], { id: 'blocker' });
    await eventually(() => Leased.running === 1, 'the blocker to hold the only slot');
    const orphan = await engine.startWorkflow(Leased, 'job', [], { id: 'orphan' });

    // Another worker (say, one that later died) holds the orphan's lease for a while.
    const expiresAt = Date.now() + 400;
    await execute(file, `UPDATE tempolite_task SET owner = 'ghost-worker', lease_expires_at = ? WHERE workflow_id = 'orphan'`, expiresAt);

    Leased.gate.open();
    expect(await blocker.result()).toBe('done');
    expect(await orphan.result()).toBe('done');
    const execution = (await orphan.describe()).executions[0]!;
    expect(execution.startedAt.getTime()).toBeGreaterThanOrEqual(expiresAt);
  });
});

describe('a cancel of a workflow whose worker died', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('ends it at once once the lease ran out, and leaves the step it was running pending, not running', async () => {
    Leased.gate = new Latch();
    Leased.running = 0;
    const started = await startEngine({ register: [Leased], queues: { q: { concurrency: 1 } }, workerId: 'leases-worker' });
    dispose = started.dispose;
    const { engine, file } = started;
    const handle = await engine.startWorkflow(Leased, 'job', [], { id: 'abandoned' });
    await eventually(async () => (await handle.describe()).steps[0]?.status === 'running', 'the step to be recorded running');
    // A running execution names the engine that holds it (after a crash, the dead one, until a recovery).
    const running = await handle.describe();
    expect(running.executions[0]).toMatchObject({ status: 'running', owner: 'leases-worker' });
    expect(formatRunTree(running)).toContain('Execution #1 · start · running · on leases-worker');
    // As if the worker running it had died and its lease run out.
    await execute(file, `UPDATE tempolite_task SET owner = 'dead-worker', lease_expires_at = 1 WHERE workflow_id = 'abandoned'`);
    await handle.cancel();
    expect(await handle.status()).toBe('cancelled');
    const step = (await handle.describe()).steps[0]!;
    expect([step.status, step.executions.map((x) => x.status)]).toEqual(['pending', ['interrupted']]);
    // The body here never learnt of it (its task says another worker held it): let it end before the engine closes.
    Leased.gate.open();
  });
});

class Woken {
  static runs = 0;
  @Activity({ name: 'woken.work' }) async work(): Promise<number> {
    Woken.runs += 1;
    // Real work, long enough for the queue to poll while it runs.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return Woken.runs;
  }
  @Workflow({ name: 'woken.flow' }) async flow(): Promise<string> {
    await workflowContext().waitForSignal('go');
    return `done ${await this.work()}`;
  }
}

describe('a test clock jumping past leaseMs', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('while a body wakes up does not make the engine claim and run it a second time', async () => {
    Woken.runs = 0;
    const clock = new TestClock();
    const started = await startEngine({ register: [Woken], clock, leaseMs: 5_000 });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Woken, 'flow', []);
    await eventually(async () => (await handle.status()) === 'waiting', 'the signal wait');
    await handle.signal('go');
    clock.advance('1m');
    expect(await handle.result()).toBe('done 1');
    expect(Woken.runs).toBe(1);
    expect((await handle.describe()).executions.map((x) => x.status)).not.toContain('running');
    expect(await checkConsistency(started.file)).toEqual([]);
  });
});

class Booked {
  static gate = new Latch();
  static started = new Latch();
  static undone = 0;
  @Saga({ name: 'booked.book', compensate: 'unbook' }) async book(): Promise<string> {
    return 'booked';
  }
  async unbook(): Promise<void> {
    Booked.undone += 1;
  }
  @Activity({ name: 'booked.wait' }) async wait(): Promise<string> {
    Booked.started.open();
    await Booked.gate.wait();
    return 'done';
  }
  @Workflow({ name: 'booked.trip', queue: 'trips' }) async trip(): Promise<string> {
    await this.book();
    return this.wait();
  }
}

// Two engines with workers on one database: PostgreSQL only.
describe.runIf(onPostgres)('a cancel that compensates a workflow whose worker died', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('leaves the activity the dead worker was running pending, its attempt interrupted', async () => {
    Booked.gate = new Latch();
    Booked.started = new Latch();
    Booked.undone = 0;
    // One slot, held by the body it runs: it cannot claim the task again once the cancel makes it due.
    const dying = await startEngine({ register: [Booked], queues: { trips: { concurrency: 1 } } });
    cleanups.push(dying.dispose);
    const handle = await dying.engine.startWorkflow(Booked, 'trip', [], { id: 'trip-dead' });
    await Booked.started.wait();
    // The first worker stalls for good (as if killed): its lease runs out; another engine takes the cancel.
    await execute(dying.file, `UPDATE tempolite_task SET owner = 'dead-worker', lease_expires_at = 1 WHERE workflow_id = 'trip-dead'`);
    const survivor = await startEngine({ register: [Booked], queues: { trips: { concurrency: 10 } } }, dying.file);
    cleanups.push(survivor.dispose);
    // Runs first: the stalled body's activity must end for its engine to close, even when a check below fails.
    cleanups.push(async () => Booked.gate.open());
    await (await survivor.engine.getHandle('trip-dead')).cancel();
    await eventually(async () => (await handle.status()) === 'compensated', 'the compensation', 30_000);
    const steps = (await handle.describe()).steps.map((s) => [s.name, s.status, s.executions.map((x) => x.status)]);
    expect(steps).toContainEqual(['booked.wait', 'pending', ['interrupted']]);
    expect(Booked.undone).toBe(1);
    Booked.gate.open();
  });
});
