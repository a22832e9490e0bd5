import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Tempolite, WorkflowFailure, silentLogger } from '../../src/index.js';
import { SCALE_QUEUES, ScaleFlows } from '../fixtures/scale-flows.js';
import { checkConsistency } from '../helpers/consistency.js';
import { execute, queryRows } from '../helpers/db-rows.js';
import { eventually } from '../helpers/eventually.js';
import { tempDatabase } from '../helpers/temp-db.js';
import { onPostgres } from '../helpers/test-store.js';
import { startWorker, startWorkers, stopWorkers, type WorkerOptions, type WorkerProcess } from '../helpers/worker-processes.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * The acceptance tests of scale-out: real worker processes (test/fixtures/scale-worker.ts)
 * sharing one PostgreSQL database; the test process starts workflows and reads outcomes
 * through a client-mode engine (no workers of its own).
 */
describe.runIf(onPostgres)('several worker processes on one PostgreSQL database', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function cluster(count: number, options: WorkerOptions = {}): Promise<{ database: string; client: Tempolite; workers: WorkerProcess[] }> {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const client = new Tempolite({ database: temp.file, logger: silentLogger, register: [ScaleFlows], queues: SCALE_QUEUES, workers: false, pollIntervalMs: 100 });
    await client.start();
    cleanups.push(() => client.close());
    await execute(temp.file, `CREATE TABLE scale_counter (id integer PRIMARY KEY, running integer NOT NULL, peak integer NOT NULL)`);
    await execute(temp.file, `INSERT INTO scale_counter (id, running, peak) VALUES (1, 0, 0)`);
    await execute(temp.file, `CREATE TABLE scale_log (what text NOT NULL, at bigint NOT NULL)`);
    const workers = await startWorkers(temp.file, count, options);
    cleanups.push(() => stopWorkers(workers));
    return { database: temp.file, client, workers };
  }

  /** Per activity step: its completed attempts and all its attempts. */
  function stepAttempts(database: string): Promise<{ id: string; completed: number; attempts: number }[]> {
    return queryRows(
      database,
      `SELECT a.id, COUNT(x.id) FILTER (WHERE x.status = 'completed') AS completed, COUNT(x.id) AS attempts
       FROM tempolite_activity_entity a LEFT JOIN tempolite_activity_execution x ON x.activity_id = a.id GROUP BY a.id`,
    );
  }

  it('three worker processes run 300 workflows of five steps: all complete, each step has exactly one completed execution', async () => {
    const { database, client } = await cluster(3);
    const handles = await Promise.all(range(300).map((i) => client.startWorkflow(ScaleFlows, 'five', [i], { id: `five-${i}` })));
    expect(await Promise.all(handles.map((handle) => handle.result()))).toEqual(range(300).map((i) => i + 15));

    const steps = await stepAttempts(database);
    expect(steps).toHaveLength(1500);
    expect(steps.filter((step) => step.completed !== 1)).toEqual([]);
    expect(steps.filter((step) => step.attempts !== 1)).toEqual([]);
    const owners = await queryRows<{ owner: string }>(database, `SELECT DISTINCT owner FROM tempolite_workflow_execution ORDER BY owner`);
    expect(owners.map((row) => row.owner)).toEqual(['worker-1', 'worker-2', 'worker-3']);
    expect(await queryRows(database, `SELECT id FROM tempolite_workflow_execution WHERE status <> 'completed'`)).toEqual([]);
    expect(await checkConsistency(database)).toEqual([]);
  });

  it('a worker SIGKILLed mid-run: its workflows finish on the others once its leases expire; no step is recorded twice', async () => {
    const { database, client, workers } = await cluster(3, { leaseMs: 1500, stepMs: 40 });
    const handles = await Promise.all(range(150).map((i) => client.startWorkflow(ScaleFlows, 'five', [i], { id: `kill-${i}` })));
    const victim = workers[0]!;
    await eventually(
      async () => {
        const [done] = await queryRows<{ n: number }>(database, `SELECT COUNT(*) AS n FROM tempolite_workflow_entity WHERE status = 'completed'`);
        const [held] = await queryRows<{ n: number }>(database, `SELECT COUNT(*) AS n FROM tempolite_workflow_execution WHERE owner = ? AND status = 'running'`, victim.id);
        return done!.n >= 20 && held!.n >= 3;
      },
      'the run to be under way, with workflows held by the victim',
      30_000,
    );
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    const orphaned = await queryRows<{ workflowId: string }>(database, `SELECT workflow_id AS "workflowId" FROM tempolite_workflow_execution WHERE owner = ? AND status = 'running'`, victim.id);
    expect(orphaned.length).toBeGreaterThan(0);

    expect(await Promise.all(handles.map((handle) => handle.result()))).toEqual(range(150).map((i) => i + 15));
    const steps = await stepAttempts(database);
    expect(steps).toHaveLength(750);
    expect(steps.filter((step) => step.completed !== 1)).toEqual([]);
    // The victim's executions were interrupted and recovered by the survivors, after its leases ran out.
    for (const { workflowId } of orphaned) {
      const executions = await queryRows<{ owner: string; reason: string; status: string; startedAt: number }>(
        database,
        `SELECT owner, reason, status, started_at AS "startedAt" FROM tempolite_workflow_execution WHERE workflow_id = ? ORDER BY attempt`,
        workflowId,
      );
      expect(executions.map((e) => [e.owner === victim.id, e.status])).toEqual([
        [true, 'interrupted'],
        [false, 'completed'],
      ]);
      expect(executions[1]!.reason).toBe('recovery');
      expect(executions[1]!.startedAt).toBeGreaterThan(killedAt);
    }
    expect(await checkConsistency(database)).toEqual([]);
  });

  it('a worker SIGKILLed and restarted under the same workerId: the new process takes its dead predecessor\'s workflows over once their leases run out', async () => {
    // A lease longer than the restart takes, so the dead process's leases are still valid when the new one starts.
    const options = { leaseMs: 5000, stepMs: 40 };
    const { database, client, workers } = await cluster(1, options);
    const handles = await Promise.all(range(30).map((i) => client.startWorkflow(ScaleFlows, 'five', [i], { id: `same-${i}` })));
    const victim = workers[0]!;
    await eventually(
      async () => {
        const [held] = await queryRows<{ n: number }>(database, `SELECT COUNT(*) AS n FROM tempolite_workflow_execution WHERE owner = ? AND status = 'running'`, victim.id);
        return held!.n >= 3;
      },
      'workflows held by the victim',
      30_000,
    );
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    // As a systemd unit or a StatefulSet pod comes back: the same worker id. It must not renew the dead
    // process's leases (they carry its name), or those workflows would be held by nobody, for ever.
    const restarted = await startWorker(database, victim.id, options);
    cleanups.push(() => stopWorkers([restarted]));
    expect(await Promise.all(handles.map((handle) => handle.result()))).toEqual(range(30).map((i) => i + 15));
    expect((await stepAttempts(database)).filter((step) => step.completed !== 1)).toEqual([]);
    expect(await checkConsistency(database)).toEqual([]);
  }, 90_000);

  it('a queue of global concurrency 2 never runs more than 2 at once across three processes', async () => {
    const { database, client } = await cluster(3);
    const handles = await Promise.all(range(12).map((i) => client.startWorkflow(ScaleFlows, 'limited', [150], { id: `limited-${i}` })));
    await Promise.all(handles.map((handle) => handle.result()));
    const [counter] = await queryRows<{ running: number; peak: number }>(database, `SELECT running, peak FROM scale_counter WHERE id = 1`);
    expect(counter).toEqual({ running: 0, peak: 2 });
  });

  it('a queue rate limit holds across three processes', async () => {
    const { database, client } = await cluster(3);
    const handles = await Promise.all(range(12).map((i) => client.startWorkflow(ScaleFlows, 'rated', [], { id: `rated-${i}` })));
    await Promise.all(handles.map((handle) => handle.result()));
    const starts = (await queryRows<{ at: number }>(database, `SELECT started_at AS at FROM tempolite_workflow_execution ORDER BY started_at`)).map((row) => row.at);
    expect(starts).toHaveLength(12);
    // At most 5 entries in any 1000 ms: the 6th after any entry comes at least 1000 ms later.
    for (let i = 0; i + 5 < starts.length; i++) expect(starts[i + 5]! - starts[i]!).toBeGreaterThanOrEqual(1000);
  });

  it('a signal sent through one process wakes a body waiting for it in the memory of another at once', async () => {
    // Workers keep waits of up to a minute in memory: the 20 s wait of `scale.held` holds its worker and lease.
    const { database, client } = await cluster(3, { suspendAfterMs: 60_000 });
    const held = await client.startWorkflow(ScaleFlows, 'held', [], { id: 'held' });
    await eventually(
      async () =>
        (await queryRows(database, `SELECT 1 FROM tempolite_task WHERE workflow_id = 'held' AND owner IS NOT NULL`)).length === 1 &&
        (await queryRows(database, `SELECT 1 FROM tempolite_timer WHERE workflow_id = 'held'`)).length === 1,
      'a worker to hold the waiting body',
    );
    const sentAt = Date.now();
    await held.signal('go', 'held');
    expect(await held.result()).toBe('got held');
    expect(Date.now() - sentAt).toBeLessThan(5000);
    expect((await held.describe()).executions.map((e) => [e.reason, e.status])).toEqual([['start', 'completed']]);
  });

  it('signals, sleeps, children and sagas work across processes', async () => {
    const { database, client } = await cluster(3);

    // A suspended one is made due and claimed by some worker.
    const suspended = await client.startWorkflow(ScaleFlows, 'suspended', [], { id: 'suspended' });
    await eventually(async () => (await suspended.describe()).executions[0]?.status === 'suspended', 'the wait to suspend');
    await suspended.signal('go', 'later');
    expect(await suspended.result()).toBe('got later');
    expect((await suspended.describe()).executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'suspended'],
      ['wake', 'completed'],
    ]);

    // A sleep longer than the workers' suspendAfterMs: released, woken on time by a worker.
    const sleepStarted = Date.now();
    const sleeper = await client.startWorkflow(ScaleFlows, 'sleeper', [1500], { id: 'sleeper' });
    expect(await sleeper.result()).toBe('awake');
    expect(Date.now() - sleepStarted).toBeGreaterThanOrEqual(1500);
    expect((await sleeper.describe()).executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'suspended'],
      ['wake', 'completed'],
    ]);

    // Parents and their children on another queue, spread over the workers.
    const parents = await Promise.all(range(6).map((i) => client.startWorkflow(ScaleFlows, 'parent', [i * 10], { id: `parent-${i}` })));
    expect(await Promise.all(parents.map((parent) => parent.result()))).toEqual(range(6).map((i) => (i * 10 * 3 + 3) * 10));

    // A saga: both steps compensated, latest first.
    const saga = await client.startWorkflow(ScaleFlows, 'saga', ['order-1'], { id: 'saga' });
    expect(await saga.result().catch((error: unknown) => error)).toBeInstanceOf(WorkflowFailure);
    expect(await saga.status()).toBe('compensated');
    const released = await queryRows<{ what: string }>(database, `SELECT what FROM scale_log WHERE what LIKE 'released%' ORDER BY at`);
    expect(released.map((row) => row.what)).toEqual(['released order-1:b', 'released order-1:a']);

    const owners = await queryRows<{ owner: string }>(database, `SELECT DISTINCT owner FROM tempolite_workflow_execution`);
    expect(owners.length).toBeGreaterThanOrEqual(2);
    expect(await checkConsistency(database)).toEqual([]);
  });
});
