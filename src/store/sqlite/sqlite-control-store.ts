import { WORKFLOW_DEADLINE_WHERE } from '../../../entities/workflow-entity.js';
import { InvalidStateError, WorkflowNotFoundError } from '../../errors.js';
import type { CancelEffect, CancelOutcome, CancelRequest, ControlAction, ControlStore, PauseEffect, ResumeEffect, TaskState, WatchedTask } from '../control-store.js';
import type { WorkflowRow } from '../rows.js';
import { TERMINAL_SQL_LIST, isTerminal } from '../statuses.js';
import type { Sql } from './sql.js';
import { STEP_TABLES, WORKFLOW_COLUMNS } from './step-tables.js';
import type { WriteBatcher } from './write-batcher.js';

/** Cancel, pause and resume on SQLite; each request is one transaction of the group-commit batcher. */
export class SqliteControlStore implements ControlStore {
  constructor(
    private readonly sql: Sql,
    private readonly batcher: WriteBatcher,
    /** Whether an engine holds the file's process lock: its leases hold even once they ran out (see `ProcessLock.isHeld`). */
    private readonly liveEngine: () => boolean = () => false,
  ) {}

  /** Whether a body may be running `task`'s workflow: its owner is the asking engine, or alive. */
  private held(task: TaskState, r: { owner: string; now: number }): boolean {
    if (task.owner === null) return false;
    return task.owner === r.owner || (task.leaseExpiresAt ?? 0) >= r.now || this.liveEngine();
  }

  async requestedControl(workflowId: string): Promise<ControlAction | undefined> {
    return this.sql.get<{ control: ControlAction | null }>(`SELECT control FROM tempolite_task WHERE workflow_id = ?`, workflowId)?.control ?? undefined;
  }

  async watchedTasks(workflowIds: readonly string[]): Promise<Map<string, WatchedTask>> {
    const rows = this.sql.all<{ id: string; control: ControlAction | null; wakeups: number }>(
      `SELECT workflow_id AS id, control, wakeups FROM tempolite_task WHERE workflow_id IN (SELECT value FROM json_each(?))`,
      JSON.stringify(workflowIds),
    );
    return new Map(rows.map((row) => [row.id, { control: row.control ?? undefined, wakeups: Number(row.wakeups) }]));
  }

  async dueDeadlines(now: number, limit: number): Promise<{ workflowId: string; deadlineAt: number }[]> {
    // The partial index's own condition, repeated so that it applies; named, because the planner otherwise prefers the
    // status index, which holds every unfinished workflow (100,000 sleepers read at every pass).
    return this.sql.all<{ workflowId: string; deadlineAt: number }>(
      `SELECT id AS workflowId, deadline_at AS deadlineAt FROM tempolite_workflow_entity INDEXED BY idx_tempolite_workflow_deadline WHERE ${WORKFLOW_DEADLINE_WHERE} AND deadline_at <= ? ORDER BY deadline_at LIMIT ?`,
      now,
      limit,
    );
  }

  async deadlineOf(workflowId: string): Promise<number | undefined> {
    return this.sql.get<{ at: number | null }>(`SELECT deadline_at AS at FROM tempolite_workflow_entity WHERE id = ?`, workflowId)?.at ?? undefined;
  }

  requestCancel(r: CancelRequest): Promise<CancelOutcome> {
    return this.batcher.enqueue((): CancelOutcome => {
      const root = this.workflow(r.workflowId);
      if (!root) throw new WorkflowNotFoundError(r.workflowId);
      if (root.status === 'cancelled') return { effects: [{ workflowId: root.id, effect: 'unchanged' }], queues: [] };
      if (isTerminal(root.status)) throw new InvalidStateError(root.id, root.status, 'cancel');
      const descendants = this.sql.all<WorkflowRow>(
        `WITH RECURSIVE tree(id) AS (
           SELECT id FROM tempolite_workflow_entity WHERE parent_id = ?
           UNION ALL SELECT w.id FROM tempolite_workflow_entity w JOIN tree ON w.parent_id = tree.id)
         SELECT ${WORKFLOW_COLUMNS} FROM tempolite_workflow_entity WHERE id IN (SELECT id FROM tree) AND status NOT IN (${TERMINAL_SQL_LIST})`,
        root.id,
      );
      const effects: CancelEffect[] = [];
      const queues = new Set<string>();
      for (const workflow of [root, ...descendants]) {
        effects.push({ workflowId: workflow.id, effect: this.cancelOne(workflow, r, queues) });
      }
      return { effects, queues: [...queues] };
    });
  }

  private cancelOne(workflow: WorkflowRow, r: CancelRequest, queues: Set<string>): CancelEffect['effect'] {
    // Compensating is already the way a cancel ends; its runner finishes it.
    if (workflow.status === 'compensating') return 'unchanged';
    const task = this.task(workflow.id);
    const held = task !== undefined && this.held(task, r);
    if (!held && !this.hasCompensations(workflow)) {
      const parentQueue = this.finishCancel(workflow, undefined, r.encodeCancelled(workflow), r.now);
      if (parentQueue !== undefined) queues.add(parentQueue);
      return 'cancelled';
    }
    // A running body stops at its next boundary; compensations need a worker: either way the task must run now.
    if (task) {
      this.sql.run(
        `UPDATE tempolite_task SET control = 'cancel', wakeups = wakeups + 1,
           available_at = CASE WHEN owner IS NULL AND (available_at IS NULL OR available_at > ?) THEN ? ELSE available_at END
         WHERE workflow_id = ?`,
        r.now, r.now, workflow.id,
      );
      queues.add(task.queue);
    } else {
      this.insertTask(workflow, r.now, 'cancel');
      queues.add(workflow.queue);
    }
    return 'requested';
  }

  endCancelled(end: { workflowId: string; executionId?: string; error: string; now: number }): Promise<string | undefined> {
    return this.batcher.enqueue(() => {
      const workflow = this.workflow(end.workflowId);
      if (!workflow || isTerminal(workflow.status)) return undefined;
      return this.finishCancel(workflow, end.executionId, end.error, end.now);
    });
  }

  requestPause(r: { workflowId: string; owner: string; now: number }): Promise<PauseEffect> {
    return this.batcher.enqueue((): PauseEffect => {
      const workflow = this.workflow(r.workflowId);
      if (!workflow) throw new WorkflowNotFoundError(r.workflowId);
      if (isTerminal(workflow.status) || workflow.status === 'compensating') throw new InvalidStateError(workflow.id, workflow.status, 'pause');
      if (workflow.status === 'paused') return 'unchanged';
      const task = this.task(workflow.id);
      if (!task || task.control !== null) return 'unchanged';
      const held = this.held(task, r);
      if (held) {
        this.sql.run(`UPDATE tempolite_task SET control = 'pause', wakeups = wakeups + 1 WHERE workflow_id = ?`, workflow.id);
        return 'requested';
      }
      this.finishPause(workflow, undefined, r.now);
      return 'paused';
    });
  }

  endPaused(end: { workflowId: string; executionId?: string; now: number }): Promise<'paused' | 'withdrawn'> {
    return this.batcher.enqueue(() => {
      const workflow = this.workflow(end.workflowId);
      const task = this.task(end.workflowId);
      if (workflow && !isTerminal(workflow.status) && task?.control === 'pause') {
        this.finishPause(workflow, end.executionId, end.now);
        return 'paused';
      }
      // A resume (or a cancel, which outranks it) replaced the pause: run again at once and let the runner see why.
      if (end.executionId !== undefined) {
        this.sql.run(`UPDATE tempolite_workflow_execution SET status = 'interrupted', ended_at = ? WHERE id = ? AND status = 'running'`, end.now, end.executionId);
        this.sql.run(`UPDATE tempolite_workflow_entity SET status = 'pending', updated_at = ? WHERE id = ? AND status = 'running'`, end.now, end.workflowId);
      }
      this.sql.run(`UPDATE tempolite_task SET available_at = ?, owner = NULL, lease_expires_at = NULL WHERE workflow_id = ?`, end.now, end.workflowId);
      return 'withdrawn';
    });
  }

  pauseForFix(end: { workflowId: string; executionId: string; error: string; now: number }): Promise<boolean> {
    return this.batcher.enqueue(() => {
      const workflow = this.workflow(end.workflowId);
      if (!workflow || isTerminal(workflow.status) || this.task(end.workflowId)?.control === 'cancel') return false;
      this.finishPause(workflow, end.executionId, end.now);
      this.sql.run(`UPDATE tempolite_workflow_execution SET error = ? WHERE id = ?`, end.error, end.executionId);
      return true;
    });
  }

  resume(r: { workflowId: string; now: number }): Promise<ResumeEffect> {
    return this.batcher.enqueue((): ResumeEffect => {
      const workflow = this.workflow(r.workflowId);
      if (!workflow) throw new WorkflowNotFoundError(r.workflowId);
      if (isTerminal(workflow.status)) throw new InvalidStateError(workflow.id, workflow.status, 'resume');
      if (workflow.status === 'paused') {
        this.insertTask(workflow, r.now, null);
        this.sql.run(`UPDATE tempolite_workflow_entity SET status = 'pending', updated_at = ? WHERE id = ?`, r.now, workflow.id);
        this.sql.run(`UPDATE tempolite_run SET status = 'pending', updated_at = ? WHERE root_workflow_id = ?`, r.now, workflow.id);
        return { effect: 'resumed', queue: workflow.queue };
      }
      const changed = this.sql.run(`UPDATE tempolite_task SET control = NULL WHERE workflow_id = ? AND control = 'pause'`, workflow.id);
      return changed.changes > 0 ? { effect: 'withdrawn' } : { effect: 'unchanged' };
    });
  }

  private workflow(workflowId: string): WorkflowRow | undefined {
    return this.sql.get<WorkflowRow>(`SELECT ${WORKFLOW_COLUMNS} FROM tempolite_workflow_entity WHERE id = ?`, workflowId);
  }

  private task(workflowId: string): TaskState | undefined {
    return this.sql.get<TaskState>(`SELECT queue, owner, lease_expires_at AS leaseExpiresAt, control FROM tempolite_task WHERE workflow_id = ?`, workflowId);
  }

  /** Whether completed saga steps of the current generation wait for their compensation (see saga/run-compensations.ts). */
  private hasCompensations(workflow: WorkflowRow): boolean {
    return (
      this.sql.get(
        `SELECT 1 FROM tempolite_saga_entity WHERE workflow_id = ? AND generation = ? AND status IN ('completed', 'compensating', 'compensation_failed') LIMIT 1`,
        workflow.id, workflow.generation,
      ) !== undefined
    );
  }

  private insertTask(workflow: WorkflowRow, now: number, control: ControlAction | null): void {
    this.sql.run(
      `INSERT INTO tempolite_task (workflow_id, queue, priority, available_at, owner, lease_expires_at, wakeups, control, created_at) VALUES (?, ?, ?, ?, NULL, NULL, 0, ?, ?)
       ON CONFLICT (workflow_id) DO UPDATE SET available_at = excluded.available_at, control = excluded.control`,
      workflow.id, workflow.queue, workflow.priority, now, control, now,
    );
  }

  /** Nothing runs the workflow (or its runner is ending it): what a crash left running is interrupted. */
  private interruptLeftovers(workflowId: string, now: number): void {
    this.sql.run(`UPDATE tempolite_workflow_execution SET status = 'interrupted', ended_at = ? WHERE workflow_id = ? AND status = 'running'`, now, workflowId);
    for (const t of Object.values(STEP_TABLES)) {
      this.sql.run(`UPDATE ${t.execution} SET status = 'interrupted', ended_at = ? WHERE status = 'running' AND ${t.fk} IN (SELECT id FROM ${t.entity} WHERE workflow_id = ?)`, now, workflowId);
      // The step cut short is left as a cancel in the body leaves it: not running, to run again if ever re-entered.
      this.sql.run(`UPDATE ${t.entity} SET status = 'pending' WHERE workflow_id = ? AND status = 'running'`, workflowId);
    }
  }

  private finishCancel(workflow: WorkflowRow, executionId: string | undefined, error: string, now: number): string | undefined {
    if (executionId !== undefined) this.sql.run(`UPDATE tempolite_workflow_execution SET status = 'cancelled', ended_at = ? WHERE id = ?`, now, executionId);
    this.interruptLeftovers(workflow.id, now);
    this.sql.run(`UPDATE tempolite_workflow_entity SET status = 'cancelled', updated_at = ?, completed_at = ? WHERE id = ?`, now, now, workflow.id);
    this.sql.run(`UPDATE tempolite_workflow_data SET error = ? WHERE workflow_id = ?`, error, workflow.id);
    this.sql.run(`DELETE FROM tempolite_task WHERE workflow_id = ?`, workflow.id);
    this.sql.run(`UPDATE tempolite_timer SET status = 'cancelled' WHERE workflow_id = ? AND status = 'pending'`, workflow.id);
    this.sql.run(`UPDATE tempolite_run SET status = 'cancelled', updated_at = ? WHERE root_workflow_id = ?`, now, workflow.id);
    // A parent waiting on this child must learn of its end, in the same transaction.
    return workflow.parentId === null ? undefined : this.sql.wake('?', workflow.parentId, now);
  }

  private finishPause(workflow: WorkflowRow, executionId: string | undefined, now: number): void {
    if (executionId !== undefined) {
      this.sql.run(`UPDATE tempolite_workflow_execution SET status = 'paused', ended_at = ? WHERE id = ?`, now, executionId);
    } else {
      // The execution that ended before the pause (suspended, or cut short) is what the pause stopped: its successor is a resume.
      this.sql.run(
        `UPDATE tempolite_workflow_execution SET status = 'paused', ended_at = COALESCE(ended_at, ?)
         WHERE id = (SELECT id FROM tempolite_workflow_execution WHERE workflow_id = ? ORDER BY attempt DESC LIMIT 1) AND status IN ('suspended', 'interrupted', 'running')`,
        now, workflow.id,
      );
    }
    this.interruptLeftovers(workflow.id, now);
    this.sql.run(`UPDATE tempolite_workflow_entity SET status = 'paused', updated_at = ? WHERE id = ?`, now, workflow.id);
    // No task while paused: nothing (signal, child, timer) can make it run until resume() gives it one back.
    this.sql.run(`DELETE FROM tempolite_task WHERE workflow_id = ?`, workflow.id);
    this.sql.run(`UPDATE tempolite_run SET status = 'paused', updated_at = ? WHERE root_workflow_id = ?`, now, workflow.id);
  }
}
