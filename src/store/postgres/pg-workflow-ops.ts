import type { WorkflowRow } from '../rows.js';
import { STEP_TABLES } from '../sqlite/step-tables.js';
import type { CreateResult, ExecutionEnd, NewWorkflow } from '../workflow-store.js';
import { PG_WORKFLOW_COLUMNS } from './pg-columns.js';
import { part, type PgSql, type SqlPart } from './pg-sql.js';
import { assertRetryable } from '../retry-check.js';

/*
 * The workflow-level writes of the PostgreSQL store, each run inside one
 * transaction of the group-commit batcher (see pg-write-batcher.ts). They are
 * the SQLite store's operations statement for statement; where SQLite relied on
 * being the only writer, a row lock (`FOR UPDATE`) makes the read-then-write safe
 * against other processes.
 */

/** A workflow row; `lock` takes its row lock until the transaction ends. */
export function workflowRow(sql: PgSql, workflowId: string, lock = false): Promise<WorkflowRow | undefined> {
  // No stored id holds NUL (refused at start), and PostgreSQL would reject the query's text: there is no such workflow.
  if (workflowId.includes('\u0000')) return Promise.resolve(undefined);
  return sql.get<WorkflowRow>(`SELECT ${PG_WORKFLOW_COLUMNS} FROM tempolite_workflow_entity WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, workflowId);
}

/** Creates a workflow (and its run, data and task) unless the id exists. */
export async function createWorkflow(sql: PgSql, w: NewWorkflow): Promise<CreateResult> {
  // One statement (one round trip). The entity is inserted first: a concurrent start of the same id in another
  // process waits on it, then inserts nothing, and the existing row is returned.
  const inserted = await sql.get<{ n: number }>(
    `WITH w AS (
       INSERT INTO tempolite_workflow_entity (id, run_id, name, queue, priority, status, generation, attempts, retry_policy,
         parent_id, parent_generation, parent_step_id, created_at, updated_at, completed_at, deadline_at)
       VALUES ($1::text, $2::text, $3::text, $4::text, $5::integer, 'pending', 0, 0, NULL, $6::text, $7::integer, $8::text, $9::bigint, $9::bigint, NULL, $12::bigint)
       ON CONFLICT (id) DO NOTHING RETURNING id
     ), r AS (
       INSERT INTO tempolite_run (id, root_workflow_id, status, created_at, updated_at)
       SELECT $2::text, id, 'pending', $9::bigint, $9::bigint FROM w WHERE $10::boolean
     ), d AS (
       INSERT INTO tempolite_workflow_data (workflow_id, input, output, error) SELECT id, $11::text, NULL, NULL FROM w
     ), t AS (
       INSERT INTO tempolite_task (workflow_id, queue, priority, available_at, owner, lease_expires_at, created_at)
       SELECT id, $4::text, $5::integer, $9::bigint, NULL, NULL, $9::bigint FROM w
     )
     SELECT COUNT(*)::integer AS n FROM w`,
    w.id, w.runId, w.name, w.queue, w.priority, w.parent?.id ?? null, w.parent?.generation ?? null, w.parent?.stepId ?? null, w.now, w.newRun, w.input, w.deadlineAt ?? null,
  );
  if (inserted?.n !== 1) {
    const existing = await workflowRow(sql, w.id);
    if (existing) return { created: false, existing };
  }
  sql.notify(w.queue);
  return { created: true };
}

/** Records a new execution; marks a dangling previous one interrupted. */
export async function beginExecution(
  sql: PgSql,
  e: { id: string; workflowId: string; generation: number; attempt: number; reason: string; owner: string; interrupted?: string; now: number },
): Promise<void> {
  await sql.combined([
    ...(e.interrupted !== undefined ? [part(`UPDATE tempolite_workflow_execution SET status = 'interrupted', ended_at = $1 WHERE id = $2 AND status = 'running'`, e.now, e.interrupted)] : []),
    part(
      `INSERT INTO tempolite_workflow_execution (id, workflow_id, generation, attempt, reason, status, error, owner, started_at, ended_at)
       VALUES ($1, $2, $3, $4, $5, 'running', NULL, $6, $7, NULL)`,
      e.id, e.workflowId, e.generation, e.attempt, e.reason, e.owner, e.now,
    ),
    part(`UPDATE tempolite_workflow_entity SET status = 'running', updated_at = $1 WHERE id = $2`, e.now, e.workflowId),
    part(`UPDATE tempolite_run SET status = 'running', updated_at = $1 WHERE root_workflow_id = $2`, e.now, e.workflowId),
  ]);
}

/** Thrown inside `endExecution` to roll its writes back: a cancel recorded on the task overrides the completion. */
export class CancelRequestedAtEnd extends Error {}

/** Ends an execution and moves the workflow accordingly. */
export async function endExecution(sql: PgSql, end: ExecutionEnd): Promise<void> {
  const terminal = end.nextRunAt === undefined;
  // The workflow row first, on its own: its lock is what a concurrent signal (sendSignal) waits on before it reads the status.
  await sql.run(
    `UPDATE tempolite_workflow_entity SET status = $1, attempts = COALESCE($2::integer, attempts), updated_at = $3, completed_at = $4::bigint WHERE id = $5`,
    end.workflowStatus, end.attempts ?? null, end.now, terminal ? end.now : null, end.workflowId,
  );
  // Read after the row lock: a cancel (which takes that lock too) committed before it is seen, none can come after.
  if (end.unlessCancelRequested && (await sql.get<{ control: string | null }>(`SELECT control FROM tempolite_task WHERE workflow_id = $1`, end.workflowId))?.control === 'cancel') {
    throw new CancelRequestedAtEnd();
  }
  const parts = [
    part(`UPDATE tempolite_workflow_execution SET status = $1, error = $2, ended_at = $3 WHERE id = $4`, end.executionStatus, end.executionError ?? null, end.now, end.executionId),
    part(`UPDATE tempolite_run SET status = $1, updated_at = $2 WHERE root_workflow_id = $3`, end.workflowStatus, end.now, end.workflowId),
  ];
  if (end.output !== undefined || end.error !== undefined) {
    parts.push(
      part(
        `UPDATE tempolite_workflow_data SET output = CASE WHEN $1::boolean THEN $2::text ELSE output END, error = CASE WHEN $3::boolean THEN $4::text ELSE error END WHERE workflow_id = $5`,
        end.output !== undefined, end.output ?? null, end.error !== undefined, end.error ?? null, end.workflowId,
      ),
    );
  }
  if (terminal) {
    parts.push(part(`DELETE FROM tempolite_task WHERE workflow_id = $1`, end.workflowId));
    // A body stopped for a cancel and compensated, or failed beside a wait: its timers will never fire.
    if (end.workflowStatus !== 'completed') parts.push(part(`UPDATE tempolite_timer SET status = 'cancelled' WHERE workflow_id = $1 AND status = 'pending'`, end.workflowId));
    sql.finished(end.workflowId);
    // In the same transaction as the child's outcome: a crash cannot leave the parent asleep forever.
    const parent = await sql.combined<{ queue: string; free: boolean }>(parts, wakeStatement(`(SELECT parent_id FROM tempolite_workflow_entity WHERE id = $1)`, end.workflowId, end.now));
    if (parent[0]?.free) sql.notify(parent[0].queue);
  } else {
    // A wake-up that arrived while the body ran would be lost if the task went to sleep now; a cancel or pause
    // asked meanwhile is applied when the task is claimed, so it must not wait for a retry's backoff either.
    const [task] = await sql.combined<{ queue: string; availableAt: number | null }>(
      parts,
      part(
        `UPDATE tempolite_task SET available_at = CASE WHEN control IS NOT NULL OR ($1::integer IS NOT NULL AND wakeups <> $1::integer) THEN $2::bigint
             WHEN $5::boolean AND available_at < $3::bigint THEN available_at ELSE $3::bigint END,
           owner = NULL, lease_expires_at = NULL
         WHERE workflow_id = $4 RETURNING queue, available_at AS "availableAt"`,
        end.seenWakeups ?? null, end.now, end.nextRunAt ?? null, end.workflowId, end.keepsItsPlace === true,
      ),
    );
    if (task?.availableAt != null && task.availableAt <= end.now) sql.notify(task.queue);
  }
  if (end.resetFailedSteps) await resetFailedSteps(sql, end.workflowId, end.now);
}

/** Failed steps (and failed children) of the current generation get a fresh round of attempts. */
export async function resetFailedSteps(sql: PgSql, workflowId: string, now: number): Promise<void> {
  for (const kind of ['activity', 'saga', 'sideEffect'] as const) {
    await sql.run(
      `UPDATE ${STEP_TABLES[kind].entity} SET status = 'pending', attempts = 0, updated_at = $1
       WHERE workflow_id = $2 AND status = 'failed' AND generation = (SELECT generation FROM tempolite_workflow_entity WHERE id = $2)`,
      now, workflowId,
    );
  }
  // A failed child is the parent's failed step: retrying the parent retries the child from its own failed step,
  // and resumes the compensations of a child whose compensations gave up.
  const children = await sql.all<{ id: string; status: string }>(
    `SELECT id, status FROM tempolite_workflow_entity WHERE parent_id = $1 AND status IN ('failed', 'compensation_failed')
       AND parent_generation = (SELECT generation FROM tempolite_workflow_entity WHERE id = $1) FOR UPDATE`,
    workflowId,
  );
  // Locked, so a child an operator retried meanwhile is no longer listed (the lock re-reads its status).
  for (const child of children) {
    if (child.status === 'failed') await resetWorkflow(sql, child.id, now);
    else await reopenCompensation(sql, child.id, now);
  }
}

/** Puts a failed workflow back to pending with a fresh round of attempts and a runnable task (refused when it is gone or no longer failed). */
export async function resetWorkflow(sql: PgSql, workflowId: string, now: number): Promise<void> {
  const w = await workflowRow(sql, workflowId, true);
  assertRetryable(workflowId, w);
  await sql.run(`UPDATE tempolite_workflow_entity SET status = 'pending', attempts = 0, updated_at = $1, completed_at = NULL WHERE id = $2`, now, workflowId);
  await sql.run(`UPDATE tempolite_workflow_data SET error = NULL WHERE workflow_id = $1`, workflowId);
  await resetFailedSteps(sql, workflowId, now);
  await upsertDueTask(sql, w, now);
  await sql.run(`UPDATE tempolite_run SET status = 'pending', updated_at = $1 WHERE root_workflow_id = $2`, now, workflowId);
}

/** Gives a workflow a free task due now (a new one, or its existing one released). */
export async function upsertDueTask(sql: PgSql, w: WorkflowRow, now: number): Promise<void> {
  await sql.run(
    `INSERT INTO tempolite_task (workflow_id, queue, priority, available_at, owner, lease_expires_at, created_at) VALUES ($1, $2, $3, $4, NULL, NULL, $4)
     ON CONFLICT (workflow_id) DO UPDATE SET available_at = excluded.available_at, owner = NULL, lease_expires_at = NULL`,
    w.id, w.queue, w.priority, now,
  );
  sql.notify(w.queue);
}

/** The statement that wakes the task of the workflow `target` (SQL: `$1` or a subquery on `$1`) yields; returns its queue and whether it is free. */
function wakeStatement(target: string, param: string, now: number): SqlPart {
  return part(
    `UPDATE tempolite_task SET wakeups = wakeups + 1,
       available_at = CASE WHEN owner IS NULL AND (available_at IS NULL OR available_at > $2::bigint) THEN $2::bigint ELSE available_at END
     WHERE workflow_id = ${target} RETURNING queue, owner IS NULL AS free`,
    param, now,
  );
}

/**
 * Wakes the task of the workflow `target` yields (SQL: `$1` or a subquery on
 * `$1`): bumps its wake-up counter and, unless a worker holds it, makes it
 * claimable now (and tells the other processes).
 * @returns the task's queue, if the workflow has a task
 */
export async function wake(sql: PgSql, target: string, param: string, now: number): Promise<string | undefined> {
  const statement = wakeStatement(target, param, now);
  const row = await sql.get<{ queue: string; free: boolean }>(statement.text, ...statement.values);
  if (row?.free) sql.notify(row.queue);
  return row?.queue;
}

/** Bumps the wake-up counter of a workflow's task only: it runs at its own time, and a body running now runs again at once. */
export async function bumpWakeups(sql: PgSql, workflowId: string): Promise<void> {
  await sql.run(`UPDATE tempolite_task SET wakeups = wakeups + 1 WHERE workflow_id = $1`, workflowId);
}

/** Ends an execution by continue-as-new: the next generation with a new input, runnable at once. */
export async function continueAsNew(sql: PgSql, c: { workflowId: string; executionId: string; input: string; now: number }): Promise<void> {
  await sql.run(`UPDATE tempolite_workflow_execution SET status = 'continued', ended_at = $1 WHERE id = $2`, c.now, c.executionId);
  await sql.run(`INSERT INTO tempolite_workflow_execution_data (execution_id, input, output) VALUES ($1, $2, NULL)`, c.executionId, c.input);
  await sql.run(`UPDATE tempolite_workflow_entity SET generation = generation + 1, attempts = 0, status = 'pending', updated_at = $1 WHERE id = $2`, c.now, c.workflowId);
  await sql.run(`UPDATE tempolite_workflow_data SET input = $1 WHERE workflow_id = $2`, c.input, c.workflowId);
  const task = await sql.get<{ queue: string }>(
    `UPDATE tempolite_task SET available_at = $1, owner = NULL, lease_expires_at = NULL WHERE workflow_id = $2 RETURNING queue`,
    c.now, c.workflowId,
  );
  sql.notify(task?.queue);
}

/** Puts a `compensation_failed` workflow back to `compensating` with a fresh round; false when it is not `compensation_failed`. */
export async function reopenCompensation(sql: PgSql, workflowId: string, now: number): Promise<boolean> {
  const w = await workflowRow(sql, workflowId, true);
  if (!w || w.status !== 'compensation_failed') return false;
  await sql.run(`UPDATE tempolite_workflow_entity SET status = 'compensating', updated_at = $1, completed_at = NULL WHERE id = $2`, now, workflowId);
  await sql.run(
    `UPDATE tempolite_saga_entity SET status = 'compensating', compensation_attempts = 0, updated_at = $1 WHERE workflow_id = $2 AND generation = $3 AND status = 'compensation_failed'`,
    now, workflowId, w.generation,
  );
  await upsertDueTask(sql, w, now);
  await sql.run(`UPDATE tempolite_run SET status = 'compensating', updated_at = $1 WHERE root_workflow_id = $2`, now, workflowId);
  return true;
}
