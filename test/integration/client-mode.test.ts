import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseInUseError, InvalidOptionsError, Tempolite, WorkflowFailure, WorkflowNotFoundError, silentLogger } from '../../src/index.js';
import { OperatorFlow } from '../fixtures/operator-flow.js';
import { checkConsistency } from '../helpers/consistency.js';
import { eventually } from '../helpers/eventually.js';
import { startOperatorWorker } from '../helpers/operator-worker.js';
import { tempDatabase } from '../helpers/temp-db.js';
import { onPostgres } from '../helpers/test-store.js';

describe('client mode (workers: false) beside a worker engine in another process', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(): Promise<{ client: Tempolite; file: string; fixFile: string; stopWorker: () => Promise<number | null> }> {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const fixFile = join(temp.dir, 'fix-deployed');
    const worker = await startOperatorWorker(temp.file, fixFile);
    cleanups.push(() => worker.stop());
    const client = new Tempolite({ database: temp.file, workers: false, register: [OperatorFlow], logger: silentLogger, pollIntervalMs: 25 });
    await client.start();
    cleanups.push(() => client.close());
    return { client, file: temp.file, fixFile, stopWorker: () => worker.stop() };
  }

  it('starts, signals and awaits workflows that the other process runs', async () => {
    const { client, file } = await setup();
    const handle = await client.startWorkflow(OperatorFlow, 'approval', ['ana'], { id: 'approval-1' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the workflow to wait for its signal');
    expect((await client.getHandle('approval-1')).workflowName).toBe('ops.approval');
    await handle.signal('approve', { by: 'bo' });
    expect(await handle.result()).toBe('hello ana, approved by bo');
    const description = await handle.describe();
    expect(description.steps.map((s) => [s.stepId, s.status])).toEqual([['ops.greet#0', 'completed']]);
    expect(description.executions.map((e) => e.reason)).toEqual(['start', 'wake']);
    expect((await client.list({ name: 'ops.approval', status: 'completed' })).map((w) => w.workflowId)).toEqual(['approval-1']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('retry: a failed workflow completes once the fix is in, resuming from its failed step', async () => {
    const { client, fixFile } = await setup();
    const handle = await client.startWorkflow(OperatorFlow, 'fragileFlow', [], { id: 'fragile-1' });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailure);
    writeFileSync(fixFile, 'yes');
    await client.retry('fragile-1');
    expect(await handle.result()).toBe('hello fragile: fixed');
    const steps = (await handle.describe()).steps.map((s) => [s.stepId, s.status, s.attempts]);
    expect(steps).toEqual([
      ['ops.greet#0', 'completed', 1],
      ['ops.fragile#0', 'completed', 2],
    ]);
  });

  it('pause, resume and cancel requests written by the client are applied by the running worker', async () => {
    const { client } = await setup();
    const handle = await client.startWorkflow(OperatorFlow, 'loop', [1_000_000], { id: 'loop-1' });
    const ticks = async (): Promise<number> => (await handle.describe()).steps.filter((s) => s.stepId.startsWith('ops.tick')).length;
    await eventually(async () => (await ticks()) >= 2, 'a few rounds');
    await handle.pause();
    await eventually(async () => (await handle.status()) === 'paused', 'the pause');
    const pausedAt = await ticks();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await ticks()).toBe(pausedAt);
    await handle.resume();
    await eventually(async () => (await ticks()) > pausedAt + 1, 'rounds after the resume');
    await handle.cancel();
    await eventually(async () => (await handle.status()) === 'cancelled', 'the cancel');
    expect((await handle.describe()).executions.map((e) => e.status)).toEqual(['paused', 'cancelled']);
  });

  it('a saga workflow compensates in the worker; retry of a compensated workflow and an unknown id are refused', async () => {
    const { client } = await setup();
    const handle = await client.startWorkflow(OperatorFlow, 'order', ['book'], { id: 'order-1' });
    await handle.result().catch(() => undefined);
    expect(await handle.status()).toBe('compensated');
    await expect(client.retry('order-1')).rejects.toThrow(/retry/);
    await expect(client.getHandle('nope')).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it.skipIf(onPostgres)('the process lock still keeps a second worker engine off the SQLite file; the worker stops cleanly', async () => {
    const { file, stopWorker } = await setup();
    const second = new Tempolite({ database: file, logger: silentLogger });
    await expect(second.start()).rejects.toBeInstanceOf(DatabaseInUseError);
    expect(await stopWorker()).toBe(0);
  });

  it.runIf(onPostgres)('on PostgreSQL a second live worker engine with the same workerId is refused; once the first closes, it starts', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const first = new Tempolite({ database: temp.file, logger: silentLogger, workerId: 'pod-0', register: [OperatorFlow] });
    await first.start();
    cleanups.push(() => first.close());
    const twin = new Tempolite({ database: temp.file, logger: silentLogger, workerId: 'pod-0', register: [OperatorFlow] });
    const refused = await twin.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(DatabaseInUseError);
    expect(refused).toMatchObject({ code: 'TEMPOLITE_DATABASE_IN_USE', workerId: 'pod-0' });
    expect(twin.isRunning).toBe(false);
    // Other ids, and client-mode engines (which hold no leases), start beside it.
    const other = new Tempolite({ database: temp.file, logger: silentLogger, workerId: 'pod-1', register: [OperatorFlow] });
    await other.start();
    const client = new Tempolite({ database: temp.file, logger: silentLogger, workerId: 'pod-0', workers: false, register: [OperatorFlow] });
    await client.start();
    await other.close();
    await client.close();
    await first.close();
    await twin.start();
    await twin.close();
  });

  it('workers must be a boolean', () => {
    expect(() => new Tempolite({ workers: 'no' as unknown as boolean })).toThrow(InvalidOptionsError);
  });
});
