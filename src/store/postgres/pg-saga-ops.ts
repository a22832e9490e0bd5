import type { CompensationAttemptEnd, CompensationAttemptStart, CompensationStart } from '../saga-store.js';
import { isTerminal } from '../statuses.js';
import type { PgSql } from './pg-sql.js';
import { workflowRow } from './pg-workflow-ops.js';
import { interruptRunningStepsSql } from '../sqlite/step-tables.js';

const INTERRUPT_RUNNING_STEPS = interruptRunningStepsSql((n) => `$${n}`);

/* Saga compensation writes of the PostgreSQL store (see saga-store.ts for their contract). */

/** Takes the task's lease and moves the workflow to `compensating`; false (nothing written) when refused. */
export async function beginCompensation(sql: PgSql, c: CompensationStart): Promise<boolean> {
  const w = await workflowRow(sql, c.workflowId, true);
  if (!w || isTerminal(w.status)) return false;
  // Due now while leased: if this worker dies mid-compensation, whoever reclaims the lease resumes at once.
  const leased = await sql.run(
    `UPDATE tempolite_task SET owner = $1, lease_expires_at = $2, available_at = $3 WHERE workflow_id = $4 AND (owner IS NULL OR owner = $1 OR lease_expires_at < $3)`,
    c.owner, c.now + c.leaseMs, c.now, c.workflowId,
  );
  if (leased === 0) return false;
  if (c.trigger) {
    await sql.run(`UPDATE tempolite_workflow_execution SET status = $1, error = $2, ended_at = $3 WHERE id = $4`, c.trigger.status, c.trigger.error ?? null, c.now, c.trigger.executionId);
  }
  await sql.run(`UPDATE tempolite_workflow_execution SET status = 'interrupted', ended_at = $1 WHERE workflow_id = $2 AND status = 'running'`, c.now, c.workflowId);
  // Steps a dead body was running (a cancel that compensates after a crash): no body will finish them.
  for (const { sql: statement, withNow } of INTERRUPT_RUNNING_STEPS) {
    if (withNow) await sql.run(statement, c.now, c.workflowId);
    else await sql.run(statement, c.workflowId);
  }
  await sql.run(
    `INSERT INTO tempolite_workflow_execution (id, workflow_id, generation, attempt, reason, status, error, owner, started_at, ended_at)
     VALUES ($1, $2, $3, (SELECT COALESCE(MAX(attempt), 0) + 1 FROM tempolite_workflow_execution WHERE workflow_id = $6), 'compensate', 'running', NULL, $4, $5, NULL)`,
    c.executionId, c.workflowId, w.generation, c.owner, c.now, c.workflowId,
  );
  await sql.run(
    `UPDATE tempolite_workflow_entity SET status = 'compensating', attempts = COALESCE($1::integer, attempts), updated_at = $2, completed_at = NULL WHERE id = $3`,
    c.attempts ?? null, c.now, c.workflowId,
  );
  if (c.error !== undefined) await sql.run(`UPDATE tempolite_workflow_data SET error = $1 WHERE workflow_id = $2`, c.error, c.workflowId);
  await sql.run(`UPDATE tempolite_run SET status = 'compensating', updated_at = $1 WHERE root_workflow_id = $2`, c.now, c.workflowId);
  return true;
}

/** Starts one compensation attempt; the step becomes `compensating`. */
export async function beginCompensationAttempt(sql: PgSql, s: CompensationAttemptStart): Promise<void> {
  await sql.run(`UPDATE tempolite_saga_entity SET status = 'compensating', updated_at = $1 WHERE id = $2`, s.now, s.stepEntityId);
  await sql.run(
    `INSERT INTO tempolite_saga_execution (id, saga_id, workflow_execution_id, kind, attempt, status, error, started_at, ended_at)
     VALUES ($1, $2, $3, 'compensation', $4, 'running', NULL, $5, NULL)`,
    s.attemptId, s.stepEntityId, s.workflowExecutionId, s.attempt, s.now,
  );
}

/** Ends one compensation attempt and records the step's state. */
export async function endCompensationAttempt(sql: PgSql, e: CompensationAttemptEnd): Promise<void> {
  await sql.run(`UPDATE tempolite_saga_execution SET status = $1, error = $2, ended_at = $3 WHERE id = $4`, e.attemptStatus, e.attemptStatus === 'failed' ? (e.error ?? null) : null, e.now, e.attemptId);
  await sql.run(`UPDATE tempolite_saga_entity SET status = $1, compensation_attempts = $2, updated_at = $3 WHERE id = $4`, e.stepStatus, e.attempts, e.now, e.stepEntityId);
  if (e.stepStatus === 'compensated') await sql.run(`UPDATE tempolite_saga_data SET compensation_error = NULL WHERE saga_id = $1`, e.stepEntityId);
  if (e.stepStatus === 'compensation_failed') await sql.run(`UPDATE tempolite_saga_data SET compensation_error = $1 WHERE saga_id = $2`, e.error ?? null, e.stepEntityId);
}

