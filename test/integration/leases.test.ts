import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, Workflow } from '../../src/index.js';
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
