import type BetterSqlite3 from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import type { AttemptRow, CheckpointRow, ChildRow, ExecutionRow, RunRow, StepRow, WorkflowDataRow, WorkflowRow } from '../rows.js';
import type { StepKind } from '../statuses.js';
import type { ControlAction } from '../control-store.js';
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
  WorkflowStore,
} from '../workflow-store.js';
import { EXECUTION_COLUMNS, STEP_TABLES, WORKFLOW_COLUMNS, checkpointUnion, interruptRunningStepsSql, sideEffectState, stepUnion } from './step-tables.js';

const INTERRUPT_RUNNING_STEPS = interruptRunningStepsSql(() => '?');
import { WriteBatcher } from './write-batcher.js';
import { Sql } from './sql.js';
import { closedEngineError } from '../storage-errors.js';
import { claimDueTasks } from './sqlite-claims.js';
import { pruneRunsNow } from './sqlite-prune.js';
import { SqliteControlStore } from './sqlite-control-store.js';
import { SqliteWaitStore } from './sqlite-wait-store.js';
import type { CompensationAttemptEnd, CompensationAttemptStart, CompensationStart, SagaStepRow } from '../saga-store.js';
import { isTerminal } from '../statuses.js';
import { assertRetryable } from '../retry-check.js';

const CHILD_SELECT = `SELECT w.id, w.name, w.status, w.parent_step_id AS parentStepId, w.run_id AS runId, d.output, d.error
  FROM tempolite_workflow_entity w LEFT JOIN tempolite_workflow_data d ON d.workflow_id = w.id`;

/**
 * The SQLite store: prepared statements on the DataSource's own better-sqlite3
 * connection (TypeORM keeps the schema and migrations; its per-call cost has no
 * place on the hot path), every write through the group-commit batcher.
 */
export class SqliteStore implements WorkflowStore {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  /** Statements in raw mode (rows as arrays): better-sqlite3 builds objects more slowly than JavaScript does. */
  private readonly rawStatements = new Map<string, BetterSqlite3.Statement<unknown[], unknown[]>>();
  private readonly batcher: WriteBatcher;
  private readonly sql: Sql;
  readonly claimsFollowWrites = true;
  /**
   * Snapshots read by the claim that leased their workflows, at the end of its commit; `loadSnapshot`
   * hands each out once. The runner asks right after the claim resolves, before any other batch commits.
   */
  private readonly claimedSnapshots = new Map<string, ExecutionSnapshot>();
  private readonly inReadTransaction: <T>(read: () => T) => T;
  readonly waits: SqliteWaitStore;
  readonly control: SqliteControlStore;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly dataSource: DataSource,
    readonly label: string,
    /** Whether another engine (not this store's) holds the file's process lock now. */
    liveEngine: () => boolean = () => false,
  ) {
    this.batcher = new WriteBatcher(db);
    const reading = db.transaction((read: () => unknown) => read());
    this.inReadTransaction = <T>(read: () => T): T => reading.deferred(read) as T;
    // Issue 5: same statement cache and batcher, so their writes share the group commit and their SQL the query-plan check.
    const sql = (this.sql = new Sql((text) => this.stmt(text)));
    this.waits = new SqliteWaitStore(sql, this.batcher);
    this.control = new SqliteControlStore(sql, this.batcher, liveEngine);
  }

  /** The SQL of every statement prepared so far: the hot path, for query-plan checks. */
  preparedSql(): string[] {
    return [...this.statements.keys(), ...this.rawStatements.keys()];
  }

  private stmt(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (!this.db.open) throw closedEngineError();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private run(sql: string, ...params: unknown[]): BetterSqlite3.RunResult {
    return this.stmt(sql).run(...params);
  }

  private get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  private all<T>(sql: string, ...params: unknown[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  /** The rows of `sql` as arrays of column values, in select-list order. */
  private rows(sql: string, ...params: unknown[]): unknown[][] {
    let statement = this.rawStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[], unknown[]>(sql).raw(true);
      this.rawStatements.set(sql, statement);
    }
    return statement.all(...params);
  }

  createWorkflow(w: NewWorkflow): Promise<CreateResult> {
    return this.batcher.enqueue((): CreateResult => {
      const existing = this.getWorkflowNow(w.id);
      if (existing) return { created: false, existing };
      if (w.newRun) {
        this.run(`INSERT INTO tempolite_run (id, root_workflow_id, status, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?)`, w.runId, w.id, w.now, w.now);
      }
      this.run(
        `INSERT INTO tempolite_workflow_entity (id, run_id, name, queue, priority, status, generation, attempts, retry_policy,
          parent_id, parent_generation, parent_step_id, created_at, updated_at, completed_at, deadline_at)
         VALUES (?, ?, ?, ?, ?, 'pending', 0, 0, NULL, ?, ?, ?, ?, ?, NULL, ?)`,
        w.id, w.runId, w.name, w.queue, w.priority, w.parent?.id ?? null, w.parent?.generation ?? null, w.parent?.stepId ?? null, w.now, w.now, w.deadlineAt ?? null,
      );
      this.run(`INSERT INTO tempolite_workflow_data (workflow_id, input, output, error) VALUES (?, ?, NULL, NULL)`, w.id, w.input);
      this.run(
        `INSERT INTO tempolite_task (workflow_id, queue, priority, available_at, owner, lease_expires_at, created_at) VALUES (?, ?, ?, ?, NULL, NULL, ?)`,
        w.id, w.queue, w.priority, w.now, w.now,
      );
      return { created: true };
    });
  }

  claimTasks(queue: string, owner: string, limit: number, names: readonly string[], now: number, leaseMs: number, queueLimits?: QueueLimits): Promise<string[]> {
    const known = new Set(names);
    const rate = queueLimits?.rateLimit;
    const claiming = this.batcher.enqueueLast(() => {
      const ids = claimDueTasks(this.sql, queue, owner, limit, known, now, leaseMs);
      // The worker keeps the window in memory; stored so that the next engine on the file goes on with it.
      if (rate !== undefined && ids.length > 0) {
        this.run(`DELETE FROM tempolite_queue_start WHERE queue = ? AND started_at <= ?`, queue, now - rate.intervalMs);
        for (let i = 0; i < ids.length; i++) this.run(`INSERT INTO tempolite_queue_start (id, queue, started_at) VALUES (lower(hex(randomblob(16))), ?, ?)`, queue, now);
      }
      // The runner reads these snapshots next: read in this transaction, they cost no read transaction of their own.
      return ids.map((id) => ({ id, snapshot: this.snapshotNow(id) }));
    });
    // Stored once committed: only the pass that committed hands its snapshots out.
    return claiming.then((claimed) =>
      claimed.map(({ id, snapshot }) => {
        if (snapshot !== undefined) this.claimedSnapshots.set(id, snapshot);
        return id;
      }),
    );
  }

  async recentClaims(queue: string, since: number): Promise<number[]> {
    return this.all<{ at: number }>(`SELECT started_at AS at FROM tempolite_queue_start WHERE queue = ? AND started_at > ? ORDER BY started_at`, queue, since).map((row) => Number(row.at));
  }

  renewLeases(owner: string, _workflowIds: readonly string[], now: number, leaseMs: number): Promise<void> {
    // After the batch's claims: one queued before a TestClock jump stamps its lease from the old time, which the
    // renewal at the new time must cover, or the next claim round would take that running workflow again.
    return this.batcher.enqueueLast(() => {
      // Leased tasks are exactly those with a lease expiry: the condition lets the lease index serve the owner filter.
      this.run(`UPDATE tempolite_task SET lease_expires_at = ? WHERE lease_expires_at IS NOT NULL AND owner = ?`, now + leaseMs, owner);
    });
  }

  async takenOver(owner: string, workflowIds: readonly string[]): Promise<string[]> {
    return this.all<{ id: string }>(
      `SELECT workflow_id AS id FROM tempolite_task WHERE workflow_id IN (SELECT value FROM json_each(?)) AND owner IS NOT NULL AND owner <> ?`,
      JSON.stringify(workflowIds), owner,
    ).map((row) => row.id);
  }

  releaseLeases(owner: string | undefined, keep: readonly string[] = []): Promise<void> {
    return this.batcher.enqueue(() => {
      if (owner === undefined) this.run(`UPDATE tempolite_task SET owner = NULL, lease_expires_at = NULL WHERE lease_expires_at IS NOT NULL`);
      else {
        this.run(
          `UPDATE tempolite_task SET owner = NULL, lease_expires_at = NULL WHERE lease_expires_at IS NOT NULL AND owner = ? AND workflow_id NOT IN (SELECT value FROM json_each(?))`,
          owner, JSON.stringify(keep),
        );
      }
    });
  }

  async nextWakeAt(queue: string, now: number): Promise<number | undefined> {
    const row = this.get<{ at: number | null }>(`SELECT MIN(available_at) AS at FROM tempolite_task WHERE queue = ? AND available_at > ? AND owner IS NULL`, queue, now);
    return row?.at ?? undefined;
  }

  async loadSnapshot(workflowId: string): Promise<ExecutionSnapshot | undefined> {
    const claimed = this.claimedSnapshots.get(workflowId);
    if (claimed !== undefined) {
      this.claimedSnapshots.delete(workflowId);
      return claimed;
    }
    // One read transaction: a consistent view, and one WAL read lock instead of one per statement.
    return this.inReadTransaction(() => this.snapshotNow(workflowId));
  }

  /** What a body needs on entry, read now (inside a transaction). */
  private snapshotNow(workflowId: string): ExecutionSnapshot | undefined {
    const workflow = this.getWorkflowNow(workflowId);
    if (!workflow) return undefined;
    const data = this.get<{ input: string | null }>(`SELECT input FROM tempolite_workflow_data WHERE workflow_id = ?`, workflowId);
    const lastExecution = this.get<ExecutionRow>(
      `SELECT ${EXECUTION_COLUMNS} FROM tempolite_workflow_execution WHERE workflow_id = ? ORDER BY attempt DESC LIMIT 1`,
      workflowId,
    );
    // Steps and children are written by executions: a workflow that never ran has none to read.
    const checkpoints = lastExecution === undefined ? [] : this.checkpointsOf(workflowId, workflow.generation);
    const children = lastExecution === undefined ? [] : this.all<ChildRow>(`${CHILD_SELECT} WHERE w.parent_id = ? AND w.parent_generation = ?`, workflowId, workflow.generation);
    const task = this.get<{ wakeups: number; control: ControlAction | null }>(`SELECT wakeups, control FROM tempolite_task WHERE workflow_id = ?`, workflowId);
    return { workflow, input: data?.input ?? null, lastExecution, checkpoints, children, wakeups: task?.wakeups ?? 0, control: task?.control ?? null };
  }

  /** A generation's checkpoints: the one read that grows with a body's history, so rows come raw and become objects here. */
  private checkpointsOf(workflowId: string, generation: number): CheckpointRow[] {
    const rows = this.rows(checkpointUnion('e.workflow_id = ? AND e.generation = ?'), workflowId, generation, workflowId, generation, workflowId, generation);
    return rows.map((r) => ({
      kind: r[0] as CheckpointRow['kind'],
      id: r[1] as string,
      stepId: r[2] as string,
      name: r[3] as string,
      status: r[4] as CheckpointRow['status'],
      attempts: r[5] as number,
      output: r[6] as string | null,
      error: r[7] as string | null,
      updatedAt: r[8] as number,
    }));
  }

  beginExecution(e: { id: string; workflowId: string; generation: number; attempt: number; reason: string; owner: string; interrupted?: string; now: number }): Promise<void> {
    return this.batcher.enqueue(() => {
      if (e.interrupted !== undefined) {
        this.run(`UPDATE tempolite_workflow_execution SET status = 'interrupted', ended_at = ? WHERE id = ? AND status = 'running'`, e.now, e.interrupted);
      }
      this.run(
        `INSERT INTO tempolite_workflow_execution (id, workflow_id, generation, attempt, reason, status, error, owner, started_at, ended_at)
         VALUES (?, ?, ?, ?, ?, 'running', NULL, ?, ?, NULL)`,
        e.id, e.workflowId, e.generation, e.attempt, e.reason, e.owner, e.now,
      );
      this.run(`UPDATE tempolite_workflow_entity SET status = 'running', updated_at = ? WHERE id = ?`, e.now, e.workflowId);
      this.run(`UPDATE tempolite_run SET status = 'running', updated_at = ? WHERE root_workflow_id = ?`, e.now, e.workflowId);
    });
  }

  endExecution(end: ExecutionEnd): Promise<boolean> {
    return this.batcher.enqueue(() => {
      if (end.unlessCancelRequested && this.get<{ control: string | null }>(`SELECT control FROM tempolite_task WHERE workflow_id = ?`, end.workflowId)?.control === 'cancel') return false;
      this.run(`UPDATE tempolite_workflow_execution SET status = ?, error = ?, ended_at = ? WHERE id = ?`, end.executionStatus, end.executionError ?? null, end.now, end.executionId);
      const terminal = end.nextRunAt === undefined;
      this.run(
        `UPDATE tempolite_workflow_entity SET status = ?, attempts = COALESCE(?, attempts), updated_at = ?, completed_at = ? WHERE id = ?`,
        end.workflowStatus, end.attempts ?? null, end.now, terminal ? end.now : null, end.workflowId,
      );
      if (end.output !== undefined) this.run(`UPDATE tempolite_workflow_data SET output = ? WHERE workflow_id = ?`, end.output, end.workflowId);
      if (end.error !== undefined) this.run(`UPDATE tempolite_workflow_data SET error = ? WHERE workflow_id = ?`, end.error, end.workflowId);
      if (terminal) {
        this.run(`DELETE FROM tempolite_task WHERE workflow_id = ?`, end.workflowId);
        // A body stopped for a cancel and compensated, or failed beside a wait: its timers will never fire.
        if (end.workflowStatus !== 'completed') this.run(`UPDATE tempolite_timer SET status = 'cancelled' WHERE workflow_id = ? AND status = 'pending'`, end.workflowId);
        // In the same transaction as the child's outcome: a crash cannot leave the parent asleep forever.
        if (end.parentId === undefined) this.wakeSync(`(SELECT parent_id FROM tempolite_workflow_entity WHERE id = ?)`, end.workflowId, end.now);
        else if (end.parentId !== null) this.wakeSync('?', end.parentId, end.now);
      }
      else {
        // A wake-up that arrived while the body ran would be lost if the task went to sleep now; a cancel or pause
        // asked meanwhile is applied when the task is claimed, so it must not wait for a retry's backoff either.
        this.run(
          `UPDATE tempolite_task SET available_at = CASE WHEN control IS NOT NULL OR wakeups <> COALESCE(?, wakeups) THEN ?
               WHEN ? = 1 AND available_at < ? THEN available_at ELSE ? END,
             owner = NULL, lease_expires_at = NULL WHERE workflow_id = ?`,
          end.seenWakeups ?? null, end.now, end.keepsItsPlace === true ? 1 : 0, end.nextRunAt, end.nextRunAt, end.workflowId,
        );
      }
      if (end.resetFailedSteps) this.resetFailedSteps(end.workflowId, end.now);
      this.run(`UPDATE tempolite_run SET status = ?, updated_at = ? WHERE root_workflow_id = ?`, end.workflowStatus, end.now, end.workflowId);
      return true;
    });
  }

  private resetFailedSteps(workflowId: string, now: number): void {
    for (const kind of ['activity', 'saga', 'sideEffect'] as const) {
      this.run(
        `UPDATE ${STEP_TABLES[kind].entity} SET status = 'pending', attempts = 0, updated_at = ?
         WHERE workflow_id = ? AND status = 'failed' AND generation = (SELECT generation FROM tempolite_workflow_entity WHERE id = ?)`,
        now, workflowId, workflowId,
      );
    }
    // A failed child is the parent's failed step: retrying the parent retries the child from its own failed step,
    // and resumes the compensations of a child whose compensations gave up.
    const children = this.all<{ id: string; status: string }>(
      `SELECT id, status FROM tempolite_workflow_entity WHERE parent_id = ? AND status IN ('failed', 'compensation_failed')
         AND parent_generation = (SELECT generation FROM tempolite_workflow_entity WHERE id = ?)`,
      workflowId, workflowId,
    );
    for (const child of children) {
      if (child.status === 'failed') this.resetWorkflow(child.id, now);
      else this.reopenCompensationNow(child.id, now);
    }
  }

  /** Puts a failed workflow back to pending with a fresh round of attempts and a runnable task (refused when it is gone or no longer failed). */
  private resetWorkflow(workflowId: string, now: number): void {
    const w = this.getWorkflowNow(workflowId);
    assertRetryable(workflowId, w);
    this.run(`UPDATE tempolite_workflow_entity SET status = 'pending', attempts = 0, updated_at = ?, completed_at = NULL WHERE id = ?`, now, workflowId);
    this.run(`UPDATE tempolite_workflow_data SET error = NULL WHERE workflow_id = ?`, workflowId);
    this.resetFailedSteps(workflowId, now);
    this.run(
      `INSERT INTO tempolite_task (workflow_id, queue, priority, available_at, owner, lease_expires_at, created_at) VALUES (?, ?, ?, ?, NULL, NULL, ?)
       ON CONFLICT (workflow_id) DO UPDATE SET available_at = excluded.available_at, owner = NULL, lease_expires_at = NULL`,
      workflowId, w.queue, w.priority, now, now,
    );
    this.run(`UPDATE tempolite_run SET status = 'pending', updated_at = ? WHERE root_workflow_id = ?`, now, workflowId);
  }

  /**
   * Starts of attempts not yet flushed, by attempt id. A quick step ends before
   * its start is written; its end then rides on the start's write, which
   * inserts the final rows at once (three statements instead of six).
   */
  private readonly unwrittenStarts = new Map<string, { end?: AttemptEnd; written: Promise<void> }>();

  beginAttempt(s: AttemptStart): Promise<void> {
    const entry: { end?: AttemptEnd; written: Promise<void> } = { written: Promise.resolve() };
    this.unwrittenStarts.set(s.attemptId, entry);
    entry.written = this.batcher.enqueue(() => {
      this.unwrittenStarts.delete(s.attemptId);
      this.writeAttempt(s, entry.end);
    });
    return entry.written;
  }

  endAttempt(e: AttemptEnd): Promise<void> {
    const unwritten = this.unwrittenStarts.get(e.attemptId);
    if (unwritten !== undefined && unwritten.end === undefined) {
      unwritten.end = e;
      return unwritten.written;
    }
    return this.batcher.enqueue(() => this.writeAttemptEnd(e));
  }

  /** Writes an attempt's start, or its start and end together. */
  private writeAttempt(s: AttemptStart, e: AttemptEnd | undefined): void {
    const t = STEP_TABLES[s.kind];
    const stepStatus = e?.stepStatus ?? (s.attemptKind === 'compensation' ? 'compensating' : 'running');
    const updatedAt = e?.now ?? s.now;
    const output = e?.stepStatus === 'completed' ? (e.output ?? null) : null;
    const error = e?.stepStatus === 'failed' ? (e.error ?? null) : null;
    if (s.create) {
      const c = s.create;
      if (s.kind === 'saga') {
        this.run(
          `INSERT INTO ${t.entity} (id, workflow_id, generation, step_id, name, compensate_name, status, attempts, compensation_attempts, completed_order, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?)`,
          s.stepEntityId, c.workflowId, c.generation, c.stepId, c.name, c.compensateName ?? '', stepStatus, e?.attempts ?? 0, s.now, updatedAt,
        );
        this.run(`INSERT INTO ${t.data} (${t.fk}, input, output, error, compensation_error) VALUES (?, ?, ?, ?, NULL)`, s.stepEntityId, c.input, output, error);
      } else {
        this.run(
          `INSERT INTO ${t.entity} (id, workflow_id, generation, step_id, name, status, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          s.stepEntityId, c.workflowId, c.generation, c.stepId, c.name, stepStatus, e?.attempts ?? 0, s.now, updatedAt,
        );
        this.run(`INSERT INTO ${t.data} (${t.fk}, input, output, error) VALUES (?, ?, ?, ?)`, s.stepEntityId, c.input, output, error);
      }
    } else if (e === undefined) {
      this.run(`UPDATE ${t.entity} SET status = ?, updated_at = ? WHERE id = ?`, stepStatus, s.now, s.stepEntityId);
    }
    const attemptStatus = e?.attemptStatus ?? 'running';
    const attemptError = e?.attemptStatus === 'failed' ? (e.error ?? null) : null;
    if (s.kind === 'saga') {
      this.run(
        `INSERT INTO ${t.execution} (id, ${t.fk}, workflow_execution_id, kind, attempt, status, error, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        s.attemptId, s.stepEntityId, s.workflowExecutionId, s.attemptKind ?? 'transaction', s.attempt, attemptStatus, attemptError, s.now, e?.now ?? null,
      );
    } else {
      this.run(
        `INSERT INTO ${t.execution} (id, ${t.fk}, workflow_execution_id, attempt, status, error, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        s.attemptId, s.stepEntityId, s.workflowExecutionId, s.attempt, attemptStatus, attemptError, s.now, e?.now ?? null,
      );
    }
    if (e !== undefined && (s.create === undefined || (e.kind === 'saga' && e.stepStatus === 'completed'))) this.writeStepOutcome(e);
  }

  /** Writes an attempt's end when its start was already written. */
  private writeAttemptEnd(e: AttemptEnd): void {
    const t = STEP_TABLES[e.kind];
    this.run(`UPDATE ${t.execution} SET status = ?, error = ?, ended_at = ? WHERE id = ?`, e.attemptStatus, e.attemptStatus === 'failed' ? (e.error ?? null) : null, e.now, e.attemptId);
    this.writeStepOutcome(e);
  }

  /** The step entity's side of an attempt's end: status, attempts, payload, completion order. */
  private writeStepOutcome(e: AttemptEnd): void {
    const t = STEP_TABLES[e.kind];
    this.run(`UPDATE ${t.entity} SET status = ?, attempts = ?, updated_at = ? WHERE id = ?`, e.stepStatus, e.attempts, e.now, e.stepEntityId);
    if (e.stepStatus === 'completed') {
      this.run(`UPDATE ${t.data} SET output = ?, error = NULL WHERE ${t.fk} = ?`, e.output ?? null, e.stepEntityId);
      if (e.kind === 'saga') {
        this.run(
          `UPDATE ${t.entity} SET completed_order = (SELECT COALESCE(MAX(completed_order), 0) + 1 FROM ${t.entity} WHERE workflow_id = (SELECT workflow_id FROM ${t.entity} WHERE id = ?)) WHERE id = ?`,
          e.stepEntityId, e.stepEntityId,
        );
      }
    } else if (e.stepStatus === 'failed') {
      this.run(`UPDATE ${t.data} SET error = ? WHERE ${t.fk} = ?`, e.error ?? null, e.stepEntityId);
    }
  }

  recordSideEffect(r: SideEffectRecord): Promise<void> {
    const t = STEP_TABLES.sideEffect;
    const { status, attempts } = sideEffectState(r.error);
    return this.batcher.enqueue(() => {
      this.run(
        `INSERT INTO ${t.entity} (id, workflow_id, generation, step_id, name, status, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, updated_at = excluded.updated_at`,
        r.id, r.workflowId, r.generation, r.stepId, r.name, status, attempts, r.now, r.now,
      );
      this.run(`INSERT INTO ${t.data} (${t.fk}, output) VALUES (?, ?) ON CONFLICT (${t.fk}) DO UPDATE SET output = excluded.output`, r.id, r.output);
      this.run(
        `INSERT INTO ${t.execution} (id, ${t.fk}, workflow_execution_id, status, error, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        r.attemptId, r.id, r.workflowExecutionId, status, r.error ?? null, r.startedAt, r.now,
      );
    });
  }

  interruptAttempts(kind: StepKind, stepEntityId: string, now: number): Promise<void> {
    const t = STEP_TABLES[kind];
    return this.batcher.enqueue(() => {
      this.run(`UPDATE ${t.execution} SET status = 'interrupted', ended_at = ? WHERE ${t.fk} = ? AND status = 'running'`, now, stepEntityId);
    });
  }

  stepInput(kind: 'activity' | 'saga', stepEntityId: string): Promise<string | null> {
    const t = STEP_TABLES[kind];
    return Promise.resolve(this.get<{ input: string | null }>(`SELECT input FROM ${t.data} WHERE ${t.fk} = ?`, stepEntityId)?.input ?? null);
  }

  getWorkflow(workflowId: string): Promise<WorkflowRow | undefined> {
    return Promise.resolve(this.getWorkflowNow(workflowId));
  }

  /** Synchronous form of `getWorkflow`, for use inside a write. */
  private getWorkflowNow(workflowId: string): WorkflowRow | undefined {
    return this.get<WorkflowRow>(`SELECT ${WORKFLOW_COLUMNS} FROM tempolite_workflow_entity WHERE id = ?`, workflowId);
  }

  async getWorkflowData(workflowId: string): Promise<WorkflowDataRow | undefined> {
    return this.get<WorkflowDataRow>(`SELECT input, output, error FROM tempolite_workflow_data WHERE workflow_id = ?`, workflowId);
  }

  async getRun(runId: string): Promise<RunRow | undefined> {
    return this.get<RunRow>(
      `SELECT id, root_workflow_id AS rootWorkflowId, status, created_at AS createdAt, updated_at AS updatedAt FROM tempolite_run WHERE id = ?`,
      runId,
    );
  }

  async listWorkflows(filter: ListFilter): Promise<WorkflowRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status !== undefined) {
      const statuses = typeof filter.status === 'string' ? [filter.status] : [...filter.status];
      where.push(`status IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(statuses));
    }
    for (const [column, value] of [['name', filter.name], ['queue', filter.queue], ['run_id', filter.runId]] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    return this.all<WorkflowRow>(
      `SELECT ${WORKFLOW_COLUMNS} FROM tempolite_workflow_entity ${clause} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
      ...params, filter.limit, filter.offset,
    );
  }

  async workflowsOfRun(runId: string): Promise<WorkflowRow[]> {
    return this.all<WorkflowRow>(`SELECT ${WORKFLOW_COLUMNS} FROM tempolite_workflow_entity WHERE run_id = ? ORDER BY created_at, id`, runId);
  }

  async executionsOf(workflowId: string): Promise<ExecutionRow[]> {
    return this.all<ExecutionRow>(`SELECT ${EXECUTION_COLUMNS} FROM tempolite_workflow_execution WHERE workflow_id = ? ORDER BY attempt`, workflowId);
  }

  async stepsOf(workflowId: string): Promise<StepRow[]> {
    return this.all<StepRow>(`${stepUnion('e.workflow_id = ?')} ORDER BY createdAt, id`, workflowId, workflowId, workflowId);
  }

  async attemptsOf(kind: StepKind, stepEntityIds: readonly string[]): Promise<AttemptRow[]> {
    const t = STEP_TABLES[kind];
    // A side effect runs once per round (a workflow retry may give its failure another): each run is its round's attempt 1.
    const attempt = kind === 'sideEffect' ? '1' : 'attempt';
    const attemptKind = kind === 'saga' ? 'kind' : 'NULL';
    return this.all<AttemptRow>(
      `SELECT id, ${t.fk} AS stepEntityId, workflow_execution_id AS workflowExecutionId, ${attempt} AS attempt, ${attemptKind} AS kind, status, error,
         started_at AS startedAt, ended_at AS endedAt
       FROM ${t.execution} WHERE ${t.fk} IN (SELECT value FROM json_each(?)) ORDER BY started_at, id`,
      JSON.stringify(stepEntityIds),
    );
  }

  async unknownWorkflowNames(known: readonly string[]): Promise<{ name: string; count: number }[]> {
    return this.all<{ name: string; count: number }>(
      `SELECT w.name, COUNT(*) AS count FROM tempolite_task t JOIN tempolite_workflow_entity w ON w.id = t.workflow_id
       WHERE w.name NOT IN (SELECT value FROM json_each(?)) GROUP BY w.name ORDER BY w.name`,
      JSON.stringify(known),
    );
  }

  wake(workflowId: string, now: number): Promise<string | undefined> {
    return this.batcher.enqueue(() => this.wakeSync('?', workflowId, now));
  }

  /** Wakes the task whose workflow id `target` (SQL: `?` or a subquery taking one parameter) yields. */
  private wakeSync(target: string, param: string, now: number): string | undefined {
    const row = this.get<{ queue: string }>(
      `UPDATE tempolite_task SET wakeups = wakeups + 1,
         available_at = CASE WHEN owner IS NULL AND (available_at IS NULL OR available_at > ?) THEN ? ELSE available_at END
       WHERE workflow_id = ${target} RETURNING queue`,
      now, now, param,
    );
    return row?.queue;
  }

  continueAsNew(c: { workflowId: string; executionId: string; input: string; now: number }): Promise<void> {
    return this.batcher.enqueue(() => {
      this.run(`UPDATE tempolite_workflow_execution SET status = 'continued', ended_at = ? WHERE id = ?`, c.now, c.executionId);
      this.run(`INSERT INTO tempolite_workflow_execution_data (execution_id, input, output) VALUES (?, ?, NULL)`, c.executionId, c.input);
      this.run(`UPDATE tempolite_workflow_entity SET generation = generation + 1, attempts = 0, status = 'pending', updated_at = ? WHERE id = ?`, c.now, c.workflowId);
      this.run(`UPDATE tempolite_workflow_data SET input = ? WHERE workflow_id = ?`, c.input, c.workflowId);
      this.run(`UPDATE tempolite_task SET available_at = ?, owner = NULL, lease_expires_at = NULL WHERE workflow_id = ?`, c.now, c.workflowId);
    });
  }

  async findChild(parentId: string, generation: number, stepId: string): Promise<ChildRow | undefined> {
    return this.get<ChildRow>(`${CHILD_SELECT} WHERE w.parent_id = ? AND w.parent_generation = ? AND w.parent_step_id = ?`, parentId, generation, stepId);
  }

  dropTask(workflowId: string): Promise<void> {
    return this.batcher.enqueue(() => {
      this.run(`DELETE FROM tempolite_task WHERE workflow_id = ?`, workflowId);
    });
  }

  retryWorkflow(workflowId: string, now: number): Promise<void> {
    return this.batcher.enqueue(() => this.resetWorkflow(workflowId, now));
  }

  // --- Sagas (issue 3): compensation rows; see src/store/saga-store.ts and src/engine/saga/. ---

  pruneRuns(p: PruneBatch): Promise<{ runs: number; workflows: number }> {
    return this.batcher.enqueue(() => pruneRunsNow(this.sql, p));
  }

  async completedSagaSteps(workflowId: string, generation: number): Promise<SagaStepRow[]> {
    return this.all<SagaStepRow>(
      `SELECT e.id, e.step_id AS stepId, e.name, e.status, e.compensation_attempts AS compensationAttempts, e.completed_order AS completedOrder,
         d.input, d.output, d.compensation_error AS compensationError, e.updated_at AS updatedAt
       FROM tempolite_saga_entity e LEFT JOIN tempolite_saga_data d ON d.saga_id = e.id
       WHERE e.workflow_id = ? AND e.generation = ? AND e.completed_order IS NOT NULL
       ORDER BY e.completed_order DESC`,
      workflowId, generation,
    );
  }

  beginCompensation(c: CompensationStart): Promise<boolean> {
    return this.batcher.enqueue(() => {
      const w = this.getWorkflowNow(c.workflowId);
      if (!w || isTerminal(w.status)) return false;
      // Due now while leased: if this worker dies mid-compensation, whoever reclaims the lease resumes at once.
      const leased = this.run(
        `UPDATE tempolite_task SET owner = ?, lease_expires_at = ?, available_at = ? WHERE workflow_id = ? AND (owner IS NULL OR owner = ? OR lease_expires_at < ?)`,
        c.owner, c.now + c.leaseMs, c.now, c.workflowId, c.owner, c.now,
      );
      if (leased.changes === 0) return false;
      if (c.trigger) {
        this.run(`UPDATE tempolite_workflow_execution SET status = ?, error = ?, ended_at = ? WHERE id = ?`, c.trigger.status, c.trigger.error ?? null, c.now, c.trigger.executionId);
      }
      this.run(`UPDATE tempolite_workflow_execution SET status = 'interrupted', ended_at = ? WHERE workflow_id = ? AND status = 'running'`, c.now, c.workflowId);
      // Steps a dead body was running (a cancel that compensates after a crash): no body will finish them.
      for (const { sql, withNow } of INTERRUPT_RUNNING_STEPS) {
        if (withNow) this.run(sql, c.now, c.workflowId);
        else this.run(sql, c.workflowId);
      }
      this.run(
        `INSERT INTO tempolite_workflow_execution (id, workflow_id, generation, attempt, reason, status, error, owner, started_at, ended_at)
         VALUES (?, ?, ?, (SELECT COALESCE(MAX(attempt), 0) + 1 FROM tempolite_workflow_execution WHERE workflow_id = ?), 'compensate', 'running', NULL, ?, ?, NULL)`,
        c.executionId, c.workflowId, w.generation, c.workflowId, c.owner, c.now,
      );
      this.run(
        `UPDATE tempolite_workflow_entity SET status = 'compensating', attempts = COALESCE(?, attempts), updated_at = ?, completed_at = NULL WHERE id = ?`,
        c.attempts ?? null, c.now, c.workflowId,
      );
      if (c.error !== undefined) this.run(`UPDATE tempolite_workflow_data SET error = ? WHERE workflow_id = ?`, c.error, c.workflowId);
      this.run(`UPDATE tempolite_run SET status = 'compensating', updated_at = ? WHERE root_workflow_id = ?`, c.now, c.workflowId);
      return true;
    });
  }

  beginCompensationAttempt(s: CompensationAttemptStart): Promise<void> {
    return this.batcher.enqueue(() => {
      this.run(`UPDATE tempolite_saga_entity SET status = 'compensating', updated_at = ? WHERE id = ?`, s.now, s.stepEntityId);
      this.run(
        `INSERT INTO tempolite_saga_execution (id, saga_id, workflow_execution_id, kind, attempt, status, error, started_at, ended_at)
         VALUES (?, ?, ?, 'compensation', ?, 'running', NULL, ?, NULL)`,
        s.attemptId, s.stepEntityId, s.workflowExecutionId, s.attempt, s.now,
      );
    });
  }

  endCompensationAttempt(e: CompensationAttemptEnd): Promise<void> {
    return this.batcher.enqueue(() => {
      this.run(`UPDATE tempolite_saga_execution SET status = ?, error = ?, ended_at = ? WHERE id = ?`, e.attemptStatus, e.attemptStatus === 'failed' ? (e.error ?? null) : null, e.now, e.attemptId);
      this.run(`UPDATE tempolite_saga_entity SET status = ?, compensation_attempts = ?, updated_at = ? WHERE id = ?`, e.stepStatus, e.attempts, e.now, e.stepEntityId);
      if (e.stepStatus === 'compensated') this.run(`UPDATE tempolite_saga_data SET compensation_error = NULL WHERE saga_id = ?`, e.stepEntityId);
      if (e.stepStatus === 'compensation_failed') this.run(`UPDATE tempolite_saga_data SET compensation_error = ? WHERE saga_id = ?`, e.error ?? null, e.stepEntityId);
    });
  }

  reopenCompensation(workflowId: string, now: number): Promise<boolean> {
    return this.batcher.enqueue(() => this.reopenCompensationNow(workflowId, now));
  }

  /** Synchronous form of `reopenCompensation`, for use inside a write. */
  private reopenCompensationNow(workflowId: string, now: number): boolean {
    const w = this.getWorkflowNow(workflowId);
    if (!w || w.status !== 'compensation_failed') return false;
    this.run(`UPDATE tempolite_workflow_entity SET status = 'compensating', updated_at = ?, completed_at = NULL WHERE id = ?`, now, workflowId);
    this.run(
      `UPDATE tempolite_saga_entity SET status = 'compensating', compensation_attempts = 0, updated_at = ? WHERE workflow_id = ? AND generation = ? AND status = 'compensation_failed'`,
      now, workflowId, w.generation,
    );
    this.run(
      `INSERT INTO tempolite_task (workflow_id, queue, priority, available_at, owner, lease_expires_at, created_at) VALUES (?, ?, ?, ?, NULL, NULL, ?)
       ON CONFLICT (workflow_id) DO UPDATE SET available_at = excluded.available_at, owner = NULL, lease_expires_at = NULL`,
      workflowId, w.queue, w.priority, now, now,
    );
    this.run(`UPDATE tempolite_run SET status = 'compensating', updated_at = ? WHERE root_workflow_id = ?`, now, workflowId);
    return true;
  }

  async close(): Promise<void> {
    await this.batcher.drain();
    this.batcher.close();
    this.statements.clear();
    this.rawStatements.clear();
    this.claimedSnapshots.clear();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
