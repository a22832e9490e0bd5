import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { AttemptRow, ChildRow, ExecutionRow, RunRow, StepRow, WorkflowDataRow, WorkflowRow } from '../rows.js';
import type { CompensationAttemptEnd, CompensationAttemptStart, CompensationStart, SagaStepRow } from '../saga-store.js';
import type { StepKind } from '../statuses.js';
import { STEP_TABLES } from '../sqlite/step-tables.js';
import type {
  AttemptEnd,
  AttemptStart,
  CreateResult,
  ExecutionEnd,
  ExecutionSnapshot,
  ListFilter,
  NewWorkflow,
  PruneBatch,
  QueueLimits,
  SideEffectRecord,
  StoreListener,
  WorkflowStore,
} from '../workflow-store.js';
import { interruptAttempts, recordSideEffect, writeAttempt, writeAttemptEnd } from './pg-attempt-ops.js';
import { claimTasks } from './pg-claims.js';
import { BINARY, PG_CHILD_SELECT, PG_EXECUTION_COLUMNS, PG_WORKFLOW_COLUMNS, pgStepUnion } from './pg-columns.js';
import { PgListener } from './pg-listener.js';
import { pruneRunsNow } from './pg-prune.js';
import { beginCompensation, beginCompensationAttempt, endCompensationAttempt } from './pg-saga-ops.js';
import { PgSql } from './pg-sql.js';
import { PgWorkerLock } from './pg-worker-lock.js';
import { PgWriter } from './pg-writer.js';
import { CancelRequestedAtEnd, beginExecution, continueAsNew, createWorkflow, endExecution, reopenCompensation, resetWorkflow, wake, workflowRow } from './pg-workflow-ops.js';
import { PostgresControlStore } from './postgres-control-store.js';
import { PostgresWaitStore } from './postgres-wait-store.js';

/**
 * The PostgreSQL store: the scale-out engine, shared by any number of worker
 * processes on any number of machines. Same operations and semantics as the
 * SQLite store; writes go through a group-commit batcher (one transaction per
 * batch, on one pooled connection), reads straight to the pool, claims in short
 * transactions of their own (`FOR UPDATE SKIP LOCKED` under a per-queue advisory
 * lock, so queue limits hold over all workers), and LISTEN/NOTIFY tells idle
 * workers in other processes that work became due.
 */
export class PostgresStore implements WorkflowStore {
  private readonly writer: PgWriter;
  private readonly reads: PgSql;
  private listener: PgListener | undefined;
  /** This engine's hold on its worker id (`holdWorkerId`). */
  private workerLock: PgWorkerLock | undefined;
  readonly waits: PostgresWaitStore;
  readonly control: PostgresControlStore;

  /**
   * @param channel NOTIFY channel of this database (one per schema)
   * @param lockPrefix prefix of the per-queue advisory lock keys (one per schema)
   * @param workerLockSpace first key of the workers' session advisory locks (one per schema; the second is the worker id)
   */
  constructor(
    private readonly pool: Pool,
    private readonly dataSource: DataSource,
    readonly label: string,
    private readonly channel: string,
    private readonly lockPrefix: string,
    private readonly workerLockSpace: string,
  ) {
    this.writer = new PgWriter(pool, channel, label);
    this.reads = new PgSql(pool, label);
    this.waits = new PostgresWaitStore(this.reads, this.writer);
    this.control = new PostgresControlStore(this.reads, this.writer);
  }

  /**
   * Holds `workerId` for this engine until `close()` (see {@link PgWorkerLock}), in the two-key form, whose key
   * space the queues' one-key locks do not share.
   * @throws DatabaseInUseError when a live engine holds it
   */
  async holdWorkerId(workerId: string): Promise<void> {
    const lock = new PgWorkerLock(this.pool, this.workerLockSpace, workerId, this.label);
    await lock.take();
    this.workerLock = lock;
  }

  listen(listener: StoreListener): void {
    if (this.listener !== undefined) return;
    this.listener = new PgListener(this.pool, this.channel, listener);
    this.listener.start();
  }

  /** Claims run in transactions of their own, beside the write batches. */
  readonly claimsFollowWrites = false;

  createWorkflow(w: NewWorkflow): Promise<CreateResult> {
    return this.writer.enqueue(w.id, (sql) => createWorkflow(sql, w));
  }

  async recentClaims(queue: string, since: number): Promise<number[]> {
    const rows = await this.reads.all<{ at: string | number }>(`SELECT started_at AS at FROM tempolite_queue_start WHERE queue = $1 AND started_at > $2 ORDER BY started_at`, queue, since);
    return rows.map((row) => Number(row.at));
  }

  claimTasks(queue: string, owner: string, limit: number, names: readonly string[], now: number, leaseMs: number, queueLimits?: QueueLimits): Promise<string[]> {
    return claimTasks(this.pool, this.lockPrefix, { queue, owner, limit, names, now, leaseMs, ...(queueLimits !== undefined ? { queueLimits } : {}) });
  }

  async renewLeases(owner: string, workflowIds: readonly string[], now: number, leaseMs: number): Promise<void> {
    if (workflowIds.length === 0) return;
    // Outside the write batches. The rows a batch has locked are skipped, not waited for: a batch that ends
    // workflows locks their tasks one by one in its own order, so waiting here while holding other rows could
    // close a cycle (a deadlock, and a missed renewal).
    const renewed = await this.reads.all<{ id: string }>(
      `UPDATE tempolite_task SET lease_expires_at = $1 WHERE workflow_id IN (
         SELECT workflow_id FROM tempolite_task WHERE workflow_id = ANY($3::text[]) AND owner = $2 AND lease_expires_at IS NOT NULL
         FOR UPDATE SKIP LOCKED)
       RETURNING workflow_id AS id`,
      now + leaseMs, owner, [...workflowIds],
    );
    if (renewed.length === workflowIds.length) return;
    // The skipped ones (and those no longer held), one statement each: holding one row lock at most, it waits
    // for the batch to commit and never takes part in a cycle.
    const done = new Set(renewed.map((row) => row.id));
    for (const workflowId of workflowIds) {
      if (done.has(workflowId)) continue;
      await this.reads.run(`UPDATE tempolite_task SET lease_expires_at = $1 WHERE workflow_id = $2 AND owner = $3 AND lease_expires_at IS NOT NULL`, now + leaseMs, workflowId, owner);
    }
  }

  async takenOver(owner: string, workflowIds: readonly string[]): Promise<string[]> {
    const rows = await this.reads.all<{ id: string }>(
      `SELECT workflow_id AS id FROM tempolite_task WHERE workflow_id = ANY($1::text[]) AND owner IS NOT NULL AND owner <> $2`,
      [...workflowIds], owner,
    );
    return rows.map((row) => row.id);
  }

  async releaseLeases(owner: string | undefined, keep: readonly string[] = []): Promise<void> {
    // After every write queued before it (an execution ending for the stop releases its own task first).
    await this.writer.drain();
    return this.writer.enqueue('', async (sql) => {
      const released =
        owner === undefined
          ? await sql.all<{ queue: string }>(`UPDATE tempolite_task SET owner = NULL, lease_expires_at = NULL WHERE lease_expires_at IS NOT NULL RETURNING queue`)
          : await sql.all<{ queue: string }>(
              `UPDATE tempolite_task SET owner = NULL, lease_expires_at = NULL WHERE lease_expires_at IS NOT NULL AND owner = $1 AND NOT (workflow_id = ANY($2::text[])) RETURNING queue`,
              owner, [...keep],
            );
      // Another process's workers take over what this one let go, at once.
      for (const row of released) sql.notify(row.queue);
    });
  }

  async nextWakeAt(queue: string, now: number): Promise<number | undefined> {
    const row = await this.reads.get<{ at: number | null }>(`SELECT MIN(available_at) AS at FROM tempolite_task WHERE queue = $1 AND available_at > $2 AND owner IS NULL`, queue, now);
    return row?.at ?? undefined;
  }

  async loadSnapshot(workflowId: string): Promise<ExecutionSnapshot | undefined> {
    // The wake-up counter first: a wake that lands between these reads then makes a suspending body run again.
    const task = await this.reads.get<{ wakeups: number }>(`SELECT wakeups FROM tempolite_task WHERE workflow_id = $1`, workflowId);
    const workflow = await workflowRow(this.reads, workflowId);
    if (!workflow) return undefined;
    const [data, lastExecution, checkpoints, children] = await Promise.all([
      this.reads.get<{ input: string | null }>(`SELECT input FROM tempolite_workflow_data WHERE workflow_id = $1`, workflowId),
      this.reads.get<ExecutionRow>(`SELECT ${PG_EXECUTION_COLUMNS} FROM tempolite_workflow_execution WHERE workflow_id = $1 ORDER BY attempt DESC LIMIT 1`, workflowId),
      this.reads.all<StepRow>(pgStepUnion('e.workflow_id = $1 AND e.generation = $2'), workflowId, workflow.generation),
      this.reads.all<ChildRow>(`${PG_CHILD_SELECT} WHERE w.parent_id = $1 AND w.parent_generation = $2`, workflowId, workflow.generation),
    ]);
    return { workflow, input: data?.input ?? null, lastExecution, checkpoints, children, wakeups: task?.wakeups ?? 0 };
  }

  beginExecution(e: { id: string; workflowId: string; generation: number; attempt: number; reason: string; owner: string; interrupted?: string; now: number }): Promise<void> {
    this.writer.keys.executionBegan(e.id, e.workflowId, e.owner);
    // Fenced like every write of a running body: the claim may have expired and been taken over already.
    return this.writer.enqueueFenced(e.workflowId, (sql) => beginExecution(sql, e));
  }

  endExecution(end: ExecutionEnd): Promise<boolean> {
    // Fenced by the lease the execution ran under: queued before its keys are forgotten.
    const written = this.writer.enqueueFenced(end.workflowId, (sql) => endExecution(sql, end));
    this.writer.keys.executionEnded(end.executionId);
    return written.then(
      () => true,
      (error: unknown) => {
        if (error instanceof CancelRequestedAtEnd) return false;
        throw error;
      },
    );
  }

  /** Starts of attempts not yet written, by attempt id: a quick step's end rides on its start's write (see the SQLite store). */
  private readonly unwrittenStarts = new Map<string, { end?: AttemptEnd; written: Promise<void> }>();

  beginAttempt(s: AttemptStart): Promise<void> {
    const entry: { end?: AttemptEnd; written: Promise<void> } = { written: Promise.resolve() };
    this.unwrittenStarts.set(s.attemptId, entry);
    const key = this.writer.keys.attemptBegan(s.attemptId, s.workflowExecutionId, s.create?.workflowId ?? s.stepEntityId);
    entry.written = this.writer.enqueueFenced(key, (sql) => {
      // Read once, synchronously, as the write begins: an end that comes later gets a write of its own.
      this.unwrittenStarts.delete(s.attemptId);
      return writeAttempt(sql, s, entry.end);
    });
    return entry.written;
  }

  endAttempt(e: AttemptEnd): Promise<void> {
    const unwritten = this.unwrittenStarts.get(e.attemptId);
    if (unwritten !== undefined && unwritten.end === undefined) {
      this.writer.keys.attemptEnded(e.attemptId, e.stepEntityId);
      unwritten.end = e;
      return unwritten.written;
    }
    const key = this.writer.keys.attemptEnded(e.attemptId, e.stepEntityId);
    return this.writer.enqueueFenced(key, (sql) => writeAttemptEnd(sql, e));
  }

  recordSideEffect(r: SideEffectRecord): Promise<void> {
    return this.writer.enqueueFenced(r.workflowId, (sql) => recordSideEffect(sql, r));
  }

  interruptAttempts(kind: StepKind, stepEntityId: string, now: number): Promise<void> {
    return this.writer.enqueue(stepEntityId, (sql) => interruptAttempts(sql, kind, stepEntityId, now));
  }

  async stepInput(kind: 'activity' | 'saga', stepEntityId: string): Promise<string | null> {
    const t = STEP_TABLES[kind];
    return (await this.reads.get<{ input: string | null }>(`SELECT input FROM ${t.data} WHERE ${t.fk} = $1`, stepEntityId))?.input ?? null;
  }

  getWorkflow(workflowId: string): Promise<WorkflowRow | undefined> {
    return workflowRow(this.reads, workflowId);
  }

  getWorkflowData(workflowId: string): Promise<WorkflowDataRow | undefined> {
    return this.reads.get<WorkflowDataRow>(`SELECT input, output, error FROM tempolite_workflow_data WHERE workflow_id = $1`, workflowId);
  }

  getRun(runId: string): Promise<RunRow | undefined> {
    return this.reads.get<RunRow>(
      `SELECT id, root_workflow_id AS "rootWorkflowId", status, created_at AS "createdAt", updated_at AS "updatedAt" FROM tempolite_run WHERE id = $1`,
      runId,
    );
  }

  listWorkflows(filter: ListFilter): Promise<WorkflowRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.status !== undefined) where.push(`status = ANY(${param(typeof filter.status === 'string' ? [filter.status] : [...filter.status])}::text[])`);
    if (filter.name !== undefined) where.push(`name = ${param(filter.name)}`);
    if (filter.queue !== undefined) where.push(`queue = ${param(filter.queue)}`);
    if (filter.runId !== undefined) where.push(`run_id = ${param(filter.runId)}`);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    return this.reads.all<WorkflowRow>(
      `SELECT ${PG_WORKFLOW_COLUMNS} FROM tempolite_workflow_entity ${clause} ORDER BY created_at DESC, id ${BINARY} DESC LIMIT ${param(filter.limit)} OFFSET ${param(filter.offset)}`,
      ...params,
    );
  }

  workflowsOfRun(runId: string): Promise<WorkflowRow[]> {
    return this.reads.all<WorkflowRow>(`SELECT ${PG_WORKFLOW_COLUMNS} FROM tempolite_workflow_entity WHERE run_id = $1 ORDER BY created_at, id ${BINARY}`, runId);
  }

  executionsOf(workflowId: string): Promise<ExecutionRow[]> {
    return this.reads.all<ExecutionRow>(`SELECT ${PG_EXECUTION_COLUMNS} FROM tempolite_workflow_execution WHERE workflow_id = $1 ORDER BY attempt`, workflowId);
  }

  stepsOf(workflowId: string): Promise<StepRow[]> {
    return this.reads.all<StepRow>(`SELECT * FROM (${pgStepUnion('e.workflow_id = $1')}) steps ORDER BY "createdAt", id ${BINARY}`, workflowId);
  }

  attemptsOf(kind: StepKind, stepEntityIds: readonly string[]): Promise<AttemptRow[]> {
    const t = STEP_TABLES[kind];
    // A side effect runs once per round (a workflow retry may give its failure another): each run is its round's attempt 1.
    const attempt = kind === 'sideEffect' ? '1' : 'attempt';
    const attemptKind = kind === 'saga' ? 'kind' : 'NULL::text';
    return this.reads.all<AttemptRow>(
      `SELECT id, ${t.fk} AS "stepEntityId", workflow_execution_id AS "workflowExecutionId", ${attempt} AS "attempt", ${attemptKind} AS "kind", status, error,
         started_at AS "startedAt", ended_at AS "endedAt"
       FROM ${t.execution} WHERE ${t.fk} = ANY($1::text[]) ORDER BY started_at, id ${BINARY}`,
      [...stepEntityIds],
    );
  }

  unknownWorkflowNames(known: readonly string[]): Promise<{ name: string; count: number }[]> {
    return this.reads.all<{ name: string; count: number }>(
      `SELECT w.name, COUNT(*) AS count FROM tempolite_task t JOIN tempolite_workflow_entity w ON w.id = t.workflow_id
       WHERE NOT (w.name = ANY($1::text[])) GROUP BY w.name ORDER BY w.name ${BINARY}`,
      [...known],
    );
  }

  wake(workflowId: string, now: number): Promise<string | undefined> {
    return this.writer.enqueue(workflowId, (sql) => wake(sql, '$1', workflowId, now));
  }

  continueAsNew(c: { workflowId: string; executionId: string; input: string; now: number }): Promise<void> {
    const written = this.writer.enqueueFenced(c.workflowId, (sql) => continueAsNew(sql, c));
    this.writer.keys.executionEnded(c.executionId);
    return written;
  }

  findChild(parentId: string, generation: number, stepId: string): Promise<ChildRow | undefined> {
    return this.reads.get<ChildRow>(`${PG_CHILD_SELECT} WHERE w.parent_id = $1 AND w.parent_generation = $2 AND w.parent_step_id = $3`, parentId, generation, stepId);
  }

  dropTask(workflowId: string): Promise<void> {
    return this.writer.enqueue(workflowId, async (sql) => {
      await sql.run(`DELETE FROM tempolite_task WHERE workflow_id = $1`, workflowId);
    });
  }

  retryWorkflow(workflowId: string, now: number): Promise<void> {
    return this.writer.enqueue(workflowId, (sql) => resetWorkflow(sql, workflowId, now));
  }

  pruneRuns(p: PruneBatch): Promise<{ runs: number; workflows: number }> {
    return this.writer.enqueue('tempolite.prune', (sql) => pruneRunsNow(sql, p));
  }

  completedSagaSteps(workflowId: string, generation: number): Promise<SagaStepRow[]> {
    return this.reads.all<SagaStepRow>(
      `SELECT e.id, e.step_id AS "stepId", e.name, e.status, e.compensation_attempts AS "compensationAttempts", e.completed_order AS "completedOrder",
         d.input, d.output, d.compensation_error AS "compensationError", e.updated_at AS "updatedAt"
       FROM tempolite_saga_entity e LEFT JOIN tempolite_saga_data d ON d.saga_id = e.id
       WHERE e.workflow_id = $1 AND e.generation = $2 AND e.completed_order IS NOT NULL
       ORDER BY e.completed_order DESC`,
      workflowId, generation,
    );
  }

  beginCompensation(c: CompensationStart): Promise<boolean> {
    this.writer.keys.executionBegan(c.executionId, c.workflowId, c.owner);
    return this.writer.enqueue(c.workflowId, (sql) => beginCompensation(sql, c));
  }

  beginCompensationAttempt(s: CompensationAttemptStart): Promise<void> {
    const key = this.writer.keys.attemptBegan(s.attemptId, s.workflowExecutionId, s.stepEntityId);
    return this.writer.enqueueFenced(key, (sql) => beginCompensationAttempt(sql, s));
  }

  endCompensationAttempt(e: CompensationAttemptEnd): Promise<void> {
    const key = this.writer.keys.attemptEnded(e.attemptId, e.stepEntityId);
    return this.writer.enqueueFenced(key, (sql) => endCompensationAttempt(sql, e));
  }

  reopenCompensation(workflowId: string, now: number): Promise<boolean> {
    return this.writer.enqueue(workflowId, (sql) => reopenCompensation(sql, workflowId, now));
  }

  async close(): Promise<void> {
    try {
      await this.writer.drain();
      await this.listener?.close();
    } finally {
      this.workerLock?.release();
      this.workerLock = undefined;
      if (this.dataSource.isInitialized) await this.dataSource.destroy();
    }
  }
}
