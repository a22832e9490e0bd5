import { WORKFLOW_DEADLINE_WHERE } from '../../../entities/workflow-entity.js';
import { InvalidStateError, WorkflowNotFoundError } from '../../errors.js';
import type { CancelEffect, CancelOutcome, CancelRequest, ControlAction, ControlStore, PauseEffect, ResumeEffect, TaskState, WatchedTask } from '../control-store.js';
import type { WorkflowRow } from '../rows.js';
import { STEP_TABLES } from '../sqlite/step-tables.js';
import { TERMINAL_SQL_LIST, isTerminal } from '../statuses.js';
import { PG_WORKFLOW_COLUMNS, taskLockOrder } from './pg-columns.js';
import type { PgSql } from './pg-sql.js';
import type { PgWriter } from './pg-writer.js';
import { wake, workflowRow } from './pg-workflow-ops.js';

function task(sql: PgSql, workflowId: string): Promise<TaskState | undefined> {
  return sql.get<TaskState>(`SELECT queue, owner, lease_expires_at AS "leaseExpiresAt", control FROM tempolite_task WHERE workflow_id = $1`, workflowId);
}

/**
 * Cancel, pause and resume on PostgreSQL; each request is one transaction of the
 * group-commit writer, the workflow rows it decides on locked (`FOR UPDATE`).
 */
export class PostgresControlStore implements ControlStore {
  constructor(
    private readonly reads: PgSql,
    private readonly writer: PgWriter,
  ) {}

  async requestedControl(workflowId: string): Promise<ControlAction | undefined> {
    return (await this.reads.get<{ control: ControlAction | null }>(`SELECT control FROM tempolite_task WHERE workflow_id = $1`, workflowId))?.control ?? undefined;
  }

  async watchedTasks(workflowIds: readonly string[]): Promise<Map<string, WatchedTask>> {
    const rows = await this.reads.all<{ id: string; control: ControlAction | null; wakeups: string | number }>(
      `SELECT workflow_id AS id, control, wakeups FROM tempolite_task WHERE workflow_id = ANY($1::text[])`,
      [...workflowIds],
    );
    return new Map(rows.map((row) => [row.id, { control: row.control ?? undefined, wakeups: Number(row.wakeups) }]));
  }

  async dueDeadlines(now: number, limit: number): Promise<{ workflowId: string; deadlineAt: number }[]> {
    const rows = await this.reads.all<{ workflowId: string; deadlineAt: string | number }>(
      `SELECT id AS "workflowId", deadline_at AS "deadlineAt" FROM tempolite_workflow_entity WHERE ${WORKFLOW_DEADLINE_WHERE} AND deadline_at <= $1::bigint ORDER BY deadline_at LIMIT $2::integer`,
      now,
      limit,
    );
    return rows.map((row) => ({ workflowId: row.workflowId, deadlineAt: Number(row.deadlineAt) }));
  }

  async deadlineOf(workflowId: string): Promise<number | undefined> {
    const row = await this.reads.get<{ at: string | number | null }>(`SELECT deadline_at AS at FROM tempolite_workflow_entity WHERE id = $1::text`, workflowId);
    return row?.at == null ? undefined : Number(row.at);
  }

  requestCancel(r: CancelRequest): Promise<CancelOutcome> {
    return this.writer.enqueue(r.workflowId, async (sql): Promise<CancelOutcome> => {
      // The tree's tasks first, in the order every transaction locks tasks (a child's end locks its task, then
      // its parent's): locking the rows as found, parent first, deadlocked with the ends of running children.
      await sql.all(
        `WITH RECURSIVE tree(id) AS (
           SELECT $1::text UNION ALL SELECT w.id FROM tempolite_workflow_entity w JOIN tree ON w.parent_id = tree.id)
         SELECT workflow_id FROM tempolite_task WHERE workflow_id IN (SELECT id FROM tree) ORDER BY ${taskLockOrder()} FOR UPDATE`,
        r.workflowId,
      );
      const root = await workflowRow(sql, r.workflowId, true);
      if (!root) throw new WorkflowNotFoundError(r.workflowId);
      if (root.status === 'cancelled') return { effects: [{ workflowId: root.id, effect: 'unchanged' }], queues: [] };
      if (isTerminal(root.status)) throw new InvalidStateError(root.id, root.status, 'cancel');
      // Read again under the locks: a child started while this waited for them is in the tree now.
      const descendants = await sql.all<WorkflowRow>(
        `WITH RECURSIVE tree(id) AS (
           SELECT id FROM tempolite_workflow_entity WHERE parent_id = $1
           UNION ALL SELECT w.id FROM tempolite_workflow_entity w JOIN tree ON w.parent_id = tree.id)
         SELECT ${PG_WORKFLOW_COLUMNS} FROM tempolite_workflow_entity WHERE id IN (SELECT id FROM tree) AND status NOT IN (${TERMINAL_SQL_LIST})
         ORDER BY ${taskLockOrder('id')} FOR UPDATE`,
        root.id,
      );
      const effects: CancelEffect[] = [];
      const queues = new Set<string>();
      for (const workflow of [root, ...descendants]) {
        effects.push({ workflowId: workflow.id, effect: await this.cancelOne(sql, workflow, r, queues) });
      }
      for (const queue of queues) sql.notify(queue);
      return { effects, queues: [...queues] };
    });
  }

  private async cancelOne(sql: PgSql, workflow: WorkflowRow, r: CancelRequest, queues: Set<string>): Promise<CancelEffect['effect']> {
    // Compensating is already the way a cancel ends; its runner finishes it.
    if (workflow.status === 'compensating') return 'unchanged';
    const current = await task(sql, workflow.id);
    const held = current !== undefined && current.owner !== null && (current.owner === r.owner || (current.leaseExpiresAt ?? 0) >= r.now);
    if (!held && !(await this.hasCompensations(sql, workflow))) {
      const parentQueue = await this.finishCancel(sql, workflow, undefined, r.encodeCancelled(workflow), r.now);
      if (parentQueue !== undefined) queues.add(parentQueue);
      return 'cancelled';
    }
    // A running body stops at its next boundary; compensations need a worker: either way the task must run now.
    if (current) {
      await sql.run(
        `UPDATE tempolite_task SET control = 'cancel', wakeups = wakeups + 1,
           available_at = CASE WHEN owner IS NULL AND (available_at IS NULL OR available_at > $1::bigint) THEN $1::bigint ELSE available_at END
         WHERE workflow_id = $2`,
        r.now, workflow.id,
      );
      sql.controlled(workflow.id);
      queues.add(current.queue);
    } else {
      await this.insertTask(sql, workflow, r.now, 'cancel');
      queues.add(workflow.queue);
    }
    return 'requested';
  }

  endCancelled(end: { workflowId: string; executionId?: string; error: string; now: number }): Promise<string | undefined> {
    this.writer.keys.executionEnded(end.executionId);
    return this.writer.enqueue(end.workflowId, async (sql) => {
      const workflow = await workflowRow(sql, end.workflowId, true);
      if (!workflow || isTerminal(workflow.status)) return undefined;
      return this.finishCancel(sql, workflow, end.executionId, end.error, end.now);
    });
  }

  requestPause(r: { workflowId: string; owner: string; now: number }): Promise<PauseEffect> {
    return this.writer.enqueue(r.workflowId, async (sql): Promise<PauseEffect> => {
      const workflow = await workflowRow(sql, r.workflowId, true);
      if (!workflow) throw new WorkflowNotFoundError(r.workflowId);
      if (isTerminal(workflow.status) || workflow.status === 'compensating') throw new InvalidStateError(workflow.id, workflow.status, 'pause');
      if (workflow.status === 'paused') return 'unchanged';
      const current = await task(sql, workflow.id);
      if (!current || current.control !== null) return 'unchanged';
      const held = current.owner !== null && (current.owner === r.owner || (current.leaseExpiresAt ?? 0) >= r.now);
      if (held) {
        await sql.run(`UPDATE tempolite_task SET control = 'pause', wakeups = wakeups + 1 WHERE workflow_id = $1`, workflow.id);
        sql.controlled(workflow.id);
        return 'requested';
      }
      await this.finishPause(sql, workflow, undefined, r.now);
      return 'paused';
    });
  }

  endPaused(end: { workflowId: string; executionId?: string; now: number }): Promise<'paused' | 'withdrawn'> {
    this.writer.keys.executionEnded(end.executionId);
    return this.writer.enqueue(end.workflowId, async (sql) => {
      const workflow = await workflowRow(sql, end.workflowId, true);
      const current = await task(sql, end.workflowId);
      if (workflow && !isTerminal(workflow.status) && current?.control === 'pause') {
        await this.finishPause(sql, workflow, end.executionId, end.now);
        return 'paused';
      }
      // A resume (or a cancel, which outranks it) replaced the pause: run again at once and let the runner see why.
      if (end.executionId !== undefined) {
        await sql.run(`UPDATE tempolite_workflow_execution SET status = 'interrupted', ended_at = $1 WHERE id = $2 AND status = 'running'`, end.now, end.executionId);
        await sql.run(`UPDATE tempolite_workflow_entity SET status = 'pending', updated_at = $1 WHERE id = $2 AND status = 'running'`, end.now, end.workflowId);
      }
      await sql.run(`UPDATE tempolite_task SET available_at = $1, owner = NULL, lease_expires_at = NULL WHERE workflow_id = $2`, end.now, end.workflowId);
      sql.notify(current?.queue);
      return 'withdrawn';
    });
  }

  pauseForFix(end: { workflowId: string; executionId: string; error: string; now: number }): Promise<boolean> {
    this.writer.keys.executionEnded(end.executionId);
    return this.writer.enqueue(end.workflowId, async (sql) => {
      const workflow = await workflowRow(sql, end.workflowId, true);
      if (!workflow || isTerminal(workflow.status) || (await task(sql, end.workflowId))?.control === 'cancel') return false;
      await this.finishPause(sql, workflow, end.executionId, end.now);
      await sql.run(`UPDATE tempolite_workflow_execution SET error = $1 WHERE id = $2`, end.error, end.executionId);
      return true;
    });
  }

  resume(r: { workflowId: string; now: number }): Promise<ResumeEffect> {
    return this.writer.enqueue(r.workflowId, async (sql): Promise<ResumeEffect> => {
      const workflow = await workflowRow(sql, r.workflowId, true);
      if (!workflow) throw new WorkflowNotFoundError(r.workflowId);
      if (isTerminal(workflow.status)) throw new InvalidStateError(workflow.id, workflow.status, 'resume');
      if (workflow.status === 'paused') {
        await this.insertTask(sql, workflow, r.now, null);
        await sql.run(`UPDATE tempolite_workflow_entity SET status = 'pending', updated_at = $1 WHERE id = $2`, r.now, workflow.id);
        await sql.run(`UPDATE tempolite_run SET status = 'pending', updated_at = $1 WHERE root_workflow_id = $2`, r.now, workflow.id);
        sql.notify(workflow.queue);
        return { effect: 'resumed', queue: workflow.queue };
      }
      const changed = await sql.run(`UPDATE tempolite_task SET control = NULL WHERE workflow_id = $1 AND control = 'pause'`, workflow.id);
      if (changed === 0) return { effect: 'unchanged' };
      sql.controlled(workflow.id);
      return { effect: 'withdrawn' };
    });
  }

  /** Whether completed saga steps of the current generation wait for their compensation (see saga/run-compensations.ts). */
  private async hasCompensations(sql: PgSql, workflow: WorkflowRow): Promise<boolean> {
    const row = await sql.get(
      `SELECT 1 AS one FROM tempolite_saga_entity WHERE workflow_id = $1 AND generation = $2 AND status IN ('completed', 'compensating', 'compensation_failed') LIMIT 1`,
      workflow.id, workflow.generation,
    );
    return row !== undefined;
  }

  private async insertTask(sql: PgSql, workflow: WorkflowRow, now: number, control: ControlAction | null): Promise<void> {
    await sql.run(
      `INSERT INTO tempolite_task (workflow_id, queue, priority, available_at, owner, lease_expires_at, wakeups, control, created_at) VALUES ($1, $2, $3, $4, NULL, NULL, 0, $5, $4)
       ON CONFLICT (workflow_id) DO UPDATE SET available_at = excluded.available_at, control = excluded.control`,
      workflow.id, workflow.queue, workflow.priority, now, control,
    );
  }

  /** Nothing runs the workflow (or its runner is ending it): what a crash left running is interrupted. */
  private async interruptLeftovers(sql: PgSql, workflowId: string, now: number): Promise<void> {
    await sql.run(`UPDATE tempolite_workflow_execution SET status = 'interrupted', ended_at = $1 WHERE workflow_id = $2 AND status = 'running'`, now, workflowId);
    for (const t of Object.values(STEP_TABLES)) {
      await sql.run(`UPDATE ${t.execution} SET status = 'interrupted', ended_at = $1 WHERE status = 'running' AND ${t.fk} IN (SELECT id FROM ${t.entity} WHERE workflow_id = $2)`, now, workflowId);
      // The step cut short is left as a cancel in the body leaves it: not running, to run again if ever re-entered.
      await sql.run(`UPDATE ${t.entity} SET status = 'pending' WHERE workflow_id = $1 AND status = 'running'`, workflowId);
    }
  }

  private async finishCancel(sql: PgSql, workflow: WorkflowRow, executionId: string | undefined, error: string, now: number): Promise<string | undefined> {
    if (executionId !== undefined) await sql.run(`UPDATE tempolite_workflow_execution SET status = 'cancelled', ended_at = $1 WHERE id = $2`, now, executionId);
    await this.interruptLeftovers(sql, workflow.id, now);
    await sql.run(`UPDATE tempolite_workflow_entity SET status = 'cancelled', updated_at = $1, completed_at = $1 WHERE id = $2`, now, workflow.id);
    await sql.run(`UPDATE tempolite_workflow_data SET error = $1 WHERE workflow_id = $2`, error, workflow.id);
    await sql.run(`DELETE FROM tempolite_task WHERE workflow_id = $1`, workflow.id);
    sql.finished(workflow.id);
    await sql.run(`UPDATE tempolite_timer SET status = 'cancelled' WHERE workflow_id = $1 AND status = 'pending'`, workflow.id);
    await sql.run(`UPDATE tempolite_run SET status = 'cancelled', updated_at = $1 WHERE root_workflow_id = $2`, now, workflow.id);
    // A parent waiting on this child must learn of its end, in the same transaction.
    return workflow.parentId === null ? undefined : wake(sql, '$1', workflow.parentId, now);
  }

  private async finishPause(sql: PgSql, workflow: WorkflowRow, executionId: string | undefined, now: number): Promise<void> {
    if (executionId !== undefined) {
      await sql.run(`UPDATE tempolite_workflow_execution SET status = 'paused', ended_at = $1 WHERE id = $2`, now, executionId);
    } else {
      // The execution that ended before the pause (suspended, or cut short) is what the pause stopped: its successor is a resume.
      await sql.run(
        `UPDATE tempolite_workflow_execution SET status = 'paused', ended_at = COALESCE(ended_at, $1)
         WHERE id = (SELECT id FROM tempolite_workflow_execution WHERE workflow_id = $2 ORDER BY attempt DESC LIMIT 1) AND status IN ('suspended', 'interrupted', 'running')`,
        now, workflow.id,
      );
    }
    await this.interruptLeftovers(sql, workflow.id, now);
    await sql.run(`UPDATE tempolite_workflow_entity SET status = 'paused', updated_at = $1 WHERE id = $2`, now, workflow.id);
    // No task while paused: nothing (signal, child, timer) can make it run until resume() gives it one back.
    await sql.run(`DELETE FROM tempolite_task WHERE workflow_id = $1`, workflow.id);
    await sql.run(`UPDATE tempolite_run SET status = 'paused', updated_at = $1 WHERE root_workflow_id = $2`, now, workflow.id);
  }
}
