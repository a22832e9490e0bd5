import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, ErrorCode, LeaseLostError, Workflow, activityContext, silentLogger, type Logger } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { execute, queryRows } from '../helpers/db-rows.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { Latch } from '../helpers/latch.js';
import { onPostgres } from '../helpers/test-store.js';

class Fenced {
  static gate = new Latch();
  static runs = 0;
  @Activity({ name: 'fenced.step' }) async step(): Promise<string> {
    Fenced.runs += 1;
    await Fenced.gate.wait();
    return 'done';
  }
  @Workflow({ name: 'fenced.job' }) async job(): Promise<string> {
    return this.step();
  }
}

class Held {
  static runs = 0;
  static aborted: unknown[] = [];
  static gate = new Latch();
  @Activity({ name: 'held.step' }) async step(): Promise<string> {
    Held.runs += 1;
    const { signal } = activityContext();
    // Runs until told to stop: by its AbortSignal here, or by the gate on the run that completes.
    await Promise.race([Held.gate.wait(), new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))]);
    if (signal.aborted) {
      Held.aborted.push(signal.reason);
      throw signal.reason;
    }
    return 'held';
  }
  @Workflow({ name: 'held.job' }) async job(): Promise<string> {
    return this.step();
  }
}

class Stubborn {
  static runs = new Map<string, number>();
  static gate = new Latch();
  @Activity({ name: 'stubborn.step' }) async step(key: string): Promise<string> {
    Stubborn.runs.set(key, (Stubborn.runs.get(key) ?? 0) + 1);
    // Ignores its AbortSignal: the body that lost its lease runs on until the gate opens.
    await Stubborn.gate.wait();
    return key;
  }
  @Workflow({ name: 'stubborn.job' }) async job(key: string): Promise<string> {
    return this.step(key);
  }
}

/**
 * A worker that stalls past its lease while another worker takes its workflow over must not
 * record anything more for it (PostgreSQL: several workers share the database).
 */
describe.runIf(onPostgres)('lease fencing of a stalled worker', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('a step finishing after its workflow was taken over is refused (LeaseLostError), and the new owner records it once', async () => {
    Fenced.gate = new Latch();
    Fenced.runs = 0;
    const warnings: unknown[] = [];
    const logger: Logger = { ...silentLogger, warn: (fields: unknown) => void warnings.push(fields) };
    const started = await startEngine({ register: [Fenced], logger, workerId: 'stalled' });
    dispose = started.dispose;
    const { engine, file } = started;
    const handle = await engine.startWorkflow(Fenced, 'job', [], { id: 'fenced' });
    await eventually(() => Fenced.runs === 1, 'the step to be running');

    // Another worker took the workflow over (this one's lease ran out while it stalled).
    await execute(file, `UPDATE tempolite_task SET owner = 'usurper', lease_expires_at = ? WHERE workflow_id = 'fenced'`, Date.now() + 60_000);
    Fenced.gate.open();
    await eventually(() => warnings.length > 0, 'the worker to see its write refused');
    const refused = (warnings[0] as { err: unknown }).err;
    expect(refused).toBeInstanceOf(LeaseLostError);
    expect(refused).toMatchObject({ code: ErrorCode.LeaseLost, workflowId: 'fenced', workerId: 'stalled' });
    // The refused end was not recorded (its start was, before the takeover), and the body is not run again here.
    expect(await queryRows(file, `SELECT status FROM tempolite_activity_execution`)).toEqual([{ status: 'running' }]);
    expect(Fenced.runs).toBe(1);

    // The other worker dies: its lease expires, and this engine recovers the workflow.
    await execute(file, `UPDATE tempolite_task SET lease_expires_at = ? WHERE workflow_id = 'fenced'`, Date.now() - 1);
    expect(await handle.result()).toBe('done');
    expect(Fenced.runs).toBe(2);
    const attempts = await queryRows<{ status: string }>(file, `SELECT status FROM tempolite_activity_execution ORDER BY attempt`);
    expect(attempts).toEqual([{ status: 'interrupted' }, { status: 'completed' }]);
    expect((await handle.describe()).executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'interrupted'],
      ['recovery', 'completed'],
    ]);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('the heartbeat sees the takeover: the running activity is aborted at once (LeaseLostError), nothing more is recorded here', async () => {
    Held.runs = 0;
    Held.aborted = [];
    Held.gate = new Latch();
    const warnings: { err?: unknown }[] = [];
    const logger: Logger = { ...silentLogger, warn: (fields: { err?: unknown }) => void warnings.push(fields) };
    const started = await startEngine({ register: [Held], logger, workerId: 'stalled', leaseMs: 1500 });
    dispose = started.dispose;
    const { engine, file } = started;
    const handle = await engine.startWorkflow(Held, 'job', [], { id: 'held' });
    await eventually(() => Held.runs === 1, 'the step to be running');

    await execute(file, `UPDATE tempolite_task SET owner = 'usurper', lease_expires_at = ? WHERE workflow_id = 'held'`, Date.now() + 60_000);
    // Within a heartbeat (leaseMs / 3), not when the activity ends on its own: the gate stays closed.
    await eventually(() => Held.aborted.length === 1, 'the activity to see its AbortSignal', 5_000);
    expect(Held.aborted[0]).toBeInstanceOf(LeaseLostError);
    expect(Held.aborted[0]).toMatchObject({ workflowId: 'held', workerId: 'stalled' });
    expect(warnings.some((w) => w.err instanceof LeaseLostError)).toBe(true);
    await eventually(() => engine.inMemoryCount === 0, 'the body to stop');
    // Nothing of the stopped attempt was recorded: the usurper's view is the last one written before the takeover.
    expect(await queryRows(file, `SELECT status FROM tempolite_activity_execution`)).toEqual([{ status: 'running' }]);
    expect(await queryRows(file, `SELECT owner FROM tempolite_task WHERE workflow_id = 'held'`)).toEqual([{ owner: 'usurper' }]);

    // The usurper dies: its lease runs out and this engine recovers the workflow.
    Held.gate.open();
    await execute(file, `UPDATE tempolite_task SET lease_expires_at = ? WHERE workflow_id = 'held'`, Date.now() - 1);
    expect(await handle.result()).toBe('held');
    expect(Held.runs).toBe(2);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a body that ignores its AbortSignal after a takeover is reported once, not at every heartbeat', async () => {
    Stubborn.runs = new Map();
    Stubborn.gate = new Latch();
    const warnings: { err?: unknown }[] = [];
    const logger: Logger = { ...silentLogger, warn: (fields: { err?: unknown }) => void warnings.push(fields) };
    const started = await startEngine({ register: [Stubborn], logger, workerId: 'stalled', leaseMs: 300 });
    dispose = started.dispose;
    const { engine, file } = started;
    const lost = await engine.startWorkflow(Stubborn, 'job', ['lost'], { id: 'stubborn-lost' });
    const kept = await engine.startWorkflow(Stubborn, 'job', ['kept'], { id: 'stubborn-kept' });
    await eventually(() => Stubborn.runs.size === 2, 'both steps to be running');

    await execute(file, `UPDATE tempolite_task SET owner = 'usurper', lease_expires_at = ? WHERE workflow_id = 'stubborn-lost'`, Date.now() + 60_000);
    await eventually(() => warnings.some((w) => w.err instanceof LeaseLostError), 'the heartbeat to see the takeover');
    // Each heartbeat renews the lease of the workflow this engine kept: five renewals are five beats seen.
    const leaseOfKept = async (): Promise<number> =>
      Number((await queryRows<{ lease_expires_at: number }>(file, `SELECT lease_expires_at FROM tempolite_task WHERE workflow_id = 'stubborn-kept'`))[0]!.lease_expires_at);
    for (let beats = 0, last = await leaseOfKept(); beats < 5; beats++) {
      last = await eventually(async () => {
        const now = await leaseOfKept();
        return now > last ? now : undefined;
      }, 'the next heartbeat');
    }
    const reports = warnings.filter((w) => w.err instanceof LeaseLostError).length;
    // Else the stubborn bodies would hold close() up in the cleanup.
    if (reports !== 1) Stubborn.gate.open();
    expect(reports).toBe(1);

    // The usurper dies; the gate opens: the kept workflow completes here and the lost one is recovered.
    await execute(file, `UPDATE tempolite_task SET lease_expires_at = ? WHERE workflow_id = 'stubborn-lost'`, Date.now() - 1);
    Stubborn.gate.open();
    expect(await kept.result()).toBe('kept');
    expect(await lost.result()).toBe('lost');
    expect(await checkConsistency(file)).toEqual([]);
  });
});
