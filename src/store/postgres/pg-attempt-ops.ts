import type { StepKind } from '../statuses.js';
import { STEP_TABLES, sideEffectState } from '../sqlite/step-tables.js';
import type { AttemptEnd, AttemptStart, SideEffectRecord } from '../workflow-store.js';
import { part, type PgSql, type SqlPart } from './pg-sql.js';

/*
 * Step attempt writes of the PostgreSQL store: the SQLite store's statements,
 * sent as one combined statement where they touch different rows (one round
 * trip per step on the hot path).
 */

/** Writes an attempt's start, or its start and end together (a quick step). */
export async function writeAttempt(sql: PgSql, s: AttemptStart, e: AttemptEnd | undefined): Promise<void> {
  const t = STEP_TABLES[s.kind];
  const stepStatus = e?.stepStatus ?? (s.attemptKind === 'compensation' ? 'compensating' : 'running');
  const updatedAt = e?.now ?? s.now;
  const output = e?.stepStatus === 'completed' ? (e.output ?? null) : null;
  const error = e?.stepStatus === 'failed' ? (e.error ?? null) : null;
  const parts: SqlPart[] = [];
  if (s.create) {
    const c = s.create;
    if (s.kind === 'saga') {
      parts.push(
        part(
          `INSERT INTO ${t.entity} (id, workflow_id, generation, step_id, name, compensate_name, status, attempts, compensation_attempts, completed_order, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, NULL, $9, $10)`,
          s.stepEntityId, c.workflowId, c.generation, c.stepId, c.name, c.compensateName ?? '', stepStatus, e?.attempts ?? 0, s.now, updatedAt,
        ),
        part(`INSERT INTO ${t.data} (${t.fk}, input, output, error, compensation_error) VALUES ($1, $2, $3, $4, NULL)`, s.stepEntityId, c.input, output, error),
      );
    } else {
      parts.push(
        part(
          `INSERT INTO ${t.entity} (id, workflow_id, generation, step_id, name, status, attempts, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          s.stepEntityId, c.workflowId, c.generation, c.stepId, c.name, stepStatus, e?.attempts ?? 0, s.now, updatedAt,
        ),
        part(`INSERT INTO ${t.data} (${t.fk}, input, output, error) VALUES ($1, $2, $3, $4)`, s.stepEntityId, c.input, output, error),
      );
    }
  } else if (e === undefined) {
    parts.push(part(`UPDATE ${t.entity} SET status = $1, updated_at = $2 WHERE id = $3`, stepStatus, s.now, s.stepEntityId));
  }
  const attemptStatus = e?.attemptStatus ?? 'running';
  const attemptError = e?.attemptStatus === 'failed' ? (e.error ?? null) : null;
  if (s.kind === 'saga') {
    parts.push(
      part(
        `INSERT INTO ${t.execution} (id, ${t.fk}, workflow_execution_id, kind, attempt, status, error, started_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        s.attemptId, s.stepEntityId, s.workflowExecutionId, s.attemptKind ?? 'transaction', s.attempt, attemptStatus, attemptError, s.now, e?.now ?? null,
      ),
    );
  } else {
    parts.push(
      part(
        `INSERT INTO ${t.execution} (id, ${t.fk}, workflow_execution_id, attempt, status, error, started_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        s.attemptId, s.stepEntityId, s.workflowExecutionId, s.attempt, attemptStatus, attemptError, s.now, e?.now ?? null,
      ),
    );
  }
  const outcome = e !== undefined && (s.create === undefined || (e.kind === 'saga' && e.stepStatus === 'completed'));
  if (outcome && s.create === undefined) {
    // The step's row exists already: its outcome is one more independent write of the same statement.
    await sql.combined([...parts, ...stepOutcome(e)]);
    await sagaOrder(sql, e);
    return;
  }
  await sql.combined(parts);
  // A saga step created and completed at once: its outcome updates the rows just inserted, so in a statement of its own.
  if (outcome) {
    await sql.combined(stepOutcome(e));
    await sagaOrder(sql, e);
  }
}

/** Writes an attempt's end when its start was already written. */
export async function writeAttemptEnd(sql: PgSql, e: AttemptEnd): Promise<void> {
  const t = STEP_TABLES[e.kind];
  await sql.combined([
    part(`UPDATE ${t.execution} SET status = $1, error = $2, ended_at = $3 WHERE id = $4`, e.attemptStatus, e.attemptStatus === 'failed' ? (e.error ?? null) : null, e.now, e.attemptId),
    ...stepOutcome(e),
  ]);
  await sagaOrder(sql, e);
}

/** The step entity's side of an attempt's end: status, attempts, payload. */
function stepOutcome(e: AttemptEnd): SqlPart[] {
  const t = STEP_TABLES[e.kind];
  const parts = [part(`UPDATE ${t.entity} SET status = $1, attempts = $2, updated_at = $3 WHERE id = $4`, e.stepStatus, e.attempts, e.now, e.stepEntityId)];
  if (e.stepStatus === 'completed') parts.push(part(`UPDATE ${t.data} SET output = $1, error = NULL WHERE ${t.fk} = $2`, e.output ?? null, e.stepEntityId));
  else if (e.stepStatus === 'failed') parts.push(part(`UPDATE ${t.data} SET error = $1 WHERE ${t.fk} = $2`, e.error ?? null, e.stepEntityId));
  return parts;
}

/** A completed saga step's position among the workflow's completed saga steps. */
async function sagaOrder(sql: PgSql, e: AttemptEnd): Promise<void> {
  if (e.kind !== 'saga' || e.stepStatus !== 'completed') return;
  const t = STEP_TABLES.saga;
  // The workflow's row lock orders saga steps completing at once (on different writers) so each gets its own position.
  await sql.get(`SELECT id FROM tempolite_workflow_entity WHERE id = (SELECT workflow_id FROM ${t.entity} WHERE id = $1) FOR UPDATE`, e.stepEntityId);
  await sql.run(
    `UPDATE ${t.entity} SET completed_order = (SELECT COALESCE(MAX(completed_order), 0) + 1 FROM ${t.entity} WHERE workflow_id = (SELECT workflow_id FROM ${t.entity} WHERE id = $1)) WHERE id = $1`,
    e.stepEntityId,
  );
}

/** Records a side effect's value: entity, value and its single execution. */
export async function recordSideEffect(sql: PgSql, r: SideEffectRecord): Promise<void> {
  const t = STEP_TABLES.sideEffect;
  const { status, attempts } = sideEffectState(r.error);
  await sql.combined([
    part(
      `INSERT INTO ${t.entity} (id, workflow_id, generation, step_id, name, status, attempts, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, updated_at = excluded.updated_at`,
      r.id, r.workflowId, r.generation, r.stepId, r.name, status, attempts, r.now,
    ),
    part(`INSERT INTO ${t.data} (${t.fk}, output) VALUES ($1, $2) ON CONFLICT (${t.fk}) DO UPDATE SET output = excluded.output`, r.id, r.output),
    part(
      `INSERT INTO ${t.execution} (id, ${t.fk}, workflow_execution_id, status, error, started_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      r.attemptId, r.id, r.workflowExecutionId, status, r.error ?? null, r.startedAt, r.now,
    ),
  ]);
}

/** Marks attempts left running by a crash as interrupted. */
export async function interruptAttempts(sql: PgSql, kind: StepKind, stepEntityId: string, now: number): Promise<void> {
  const t = STEP_TABLES[kind];
  await sql.run(`UPDATE ${t.execution} SET status = 'interrupted', ended_at = $1 WHERE ${t.fk} = $2 AND status = 'running'`, now, stepEntityId);
}
