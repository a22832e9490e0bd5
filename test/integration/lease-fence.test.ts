import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, ErrorCode, LeaseLostError, Workflow, silentLogger, type Logger } from '../../src/index.js';
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
});
