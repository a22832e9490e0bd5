import 'reflect-metadata';
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidStateError, WorkflowNotFoundError, registerActivity, registerWorkflow, type Tempolite } from '../../src/index.js';
import { openStore } from '../../src/store/open-store.js';
import { checkConsistency, countRows } from '../helpers/consistency.js';
import { execute, queryRows } from '../helpers/db-rows.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { onPostgres, withPgClient } from '../helpers/test-store.js';

const broken = registerActivity('races.broken', async () => {
  throw new Error('always');
}, { retry: { maxAttempts: 1 } });
const child = registerWorkflow('races.child', async () => broken());
const parent = registerWorkflow('races.parent', async () => child());
const fine = registerWorkflow('races.fine', async () => 'fine');

const CHILD = 'races-parent/races.child#0';

/** A parent that failed because its child failed: the run every test retries or prunes. */
async function failedRun(): Promise<{ engine: Tempolite; file: string; dispose: () => Promise<void> }> {
  const started = await startEngine({ register: [broken, child, parent, fine] });
  const handle = await started.engine.startWorkflow(parent, [], { id: 'races-parent' });
  await handle.result().catch(() => undefined);
  expect(await handle.status()).toBe('failed');
  expect(await (await started.engine.getHandle(CHILD)).status()).toBe('failed');
  return started;
}

/** Runs `work` on a connection of its own inside a transaction, committed once `whileOpen` resolves. */
async function inOtherTransaction(file: string, work: (client: pg.Client) => Promise<unknown>, whileOpen: () => Promise<void>): Promise<void> {
  await withPgClient(file, async (client) => {
    await client.query('BEGIN');
    await work(client);
    try {
      await whileOpen();
    } finally {
      await client.query('COMMIT');
    }
  });
}

/** Resolves once some other connection of the test server waits for a row lock (deadline polling). */
async function someoneWaitsForALock(file: string): Promise<void> {
  await eventually(
    async () => (await queryRows<{ n: number }>(file, `SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`))[0]!.n > 0,
    'a connection waiting for the row lock',
  );
}

describe('retry checks the workflow again in its own write', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a store asked to retry a workflow that is gone or no longer failed refuses, and writes nothing', async () => {
    const { engine, file, dispose } = await failedRun();
    cleanups.push(dispose);
    expect(await (await engine.startWorkflow(fine, [], { id: 'races-fine' })).result()).toBe('fine');
    // What another process (a second worker, the CLI) does when it acts on an earlier read: its own store, asked directly.
    const other = await openStore({ database: file, synchronous: 'normal', busyTimeoutMs: 5000, lock: false });
    cleanups.push(async () => {
      await other.store.close();
      other.release();
    });
    const before = await countRows(file);
    await expect(other.store.retryWorkflow('races-fine', Date.now())).rejects.toMatchObject({ constructor: InvalidStateError, workflowId: 'races-fine', status: 'completed', operation: 'retry' });
    await expect(other.store.retryWorkflow('races-nobody', Date.now())).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(await countRows(file)).toEqual(before);
    expect(await (await engine.getHandle('races-fine')).status()).toBe('completed');
    expect(await checkConsistency(file)).toEqual([]);
  });

  it.runIf(onPostgres)('engine.retry() of a workflow another process retries at the same moment is an InvalidStateError, not a second reset', async () => {
    const { engine, file, dispose } = await failedRun();
    cleanups.push(dispose);
    let retried: Promise<unknown> | undefined;
    await inOtherTransaction(
      file,
      (client) => client.query(`UPDATE tempolite_workflow_entity SET status = 'pending' WHERE id = $1`, [CHILD]),
      async () => {
        // The engine read `failed` (the other transaction has not committed); its write waits for the row.
        retried = engine.retry(CHILD).then(
          () => 'retried',
          (error: unknown) => error,
        );
        await someoneWaitsForALock(file);
      },
    );
    expect(await retried).toMatchObject({ constructor: InvalidStateError, workflowId: CHILD, status: 'pending' });
    // Nothing of the engine's reset was written: no task, the other process's status stands.
    expect(await queryRows(file, `SELECT workflow_id FROM tempolite_task WHERE workflow_id = ?`, CHILD)).toEqual([]);
    await execute(file, `UPDATE tempolite_workflow_entity SET status = 'failed' WHERE id = ?`, CHILD);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it.runIf(onPostgres)('prune() does not delete a run one of whose children another process retries at the same moment', async () => {
    const { engine, file, dispose } = await failedRun();
    cleanups.push(dispose);
    const before = await countRows(file);
    let pruned: Promise<number> | undefined;
    await inOtherTransaction(
      file,
      // Holds the child's row as a retry does until it commits: status back to pending.
      (client) => client.query(`UPDATE tempolite_workflow_entity SET status = 'pending' WHERE id = $1`, [CHILD]),
      async () => {
        pruned = engine.prune({ olderThan: 0 });
        await someoneWaitsForALock(file);
      },
    );
    expect(await pruned).toBe(0);
    expect(await countRows(file)).toEqual(before);
    // Once the child has failed again the run is finished and goes.
    await execute(file, `UPDATE tempolite_workflow_entity SET status = 'failed' WHERE id = ?`, CHILD);
    expect(await engine.prune({ olderThan: 0 })).toBe(2);
    expect(await checkConsistency(file)).toEqual([]);
  });
});
