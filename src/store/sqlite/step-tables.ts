import type { StepKind } from '../statuses.js';

/** Table and column names of one step kind (they differ only in names). */
export interface StepTables {
  readonly entity: string;
  readonly data: string;
  readonly execution: string;
  /** Column of the data and execution tables that points at the entity. */
  readonly fk: string;
}

/** Where each step kind lives. */
export const STEP_TABLES: Readonly<Record<StepKind, StepTables>> = {
  activity: { entity: 'tempolite_activity_entity', data: 'tempolite_activity_data', execution: 'tempolite_activity_execution', fk: 'activity_id' },
  sideEffect: { entity: 'tempolite_side_effect_entity', data: 'tempolite_side_effect_data', execution: 'tempolite_side_effect_execution', fk: 'side_effect_id' },
  saga: { entity: 'tempolite_saga_entity', data: 'tempolite_saga_data', execution: 'tempolite_saga_execution', fk: 'saga_id' },
};

/** Select list mapping a workflow entity row to `WorkflowRow`. */
export const WORKFLOW_COLUMNS = `id, run_id AS runId, name, queue, priority, status, generation, attempts, parent_id AS parentId,
  parent_generation AS parentGeneration, parent_step_id AS parentStepId, created_at AS createdAt, updated_at AS updatedAt, completed_at AS completedAt,
  deadline_at AS deadlineAt`;

/** Select list mapping a workflow execution row to `ExecutionRow`. */
export const EXECUTION_COLUMNS = `id, workflow_id AS workflowId, generation, attempt, reason, status, error, owner, started_at AS startedAt, ended_at AS endedAt`;

/** One SELECT over every step kind of a workflow, in the `StepRow` shape (`WHERE` left to the caller). */
export function stepUnion(where: string): string {
  return unionOfSteps(where, true);
}

/** As `stepUnion`, in the `CheckpointRow` shape: what a body's re-entry reads, without the step inputs. */
export function checkpointUnion(where: string): string {
  return unionOfSteps(where, false);
}

function unionOfSteps(where: string, withInput: boolean): string {
  return (Object.keys(STEP_TABLES) as StepKind[])
    .map((kind) => {
      const t = STEP_TABLES[kind];
      const input = kind === 'sideEffect' ? 'NULL' : 'd.input';
      const error = kind === 'sideEffect' ? sideEffectError(t) : 'd.error';
      const more = withInput ? `, e.generation, ${input} AS input, e.created_at AS createdAt` : '';
      return `SELECT '${kind}' AS kind, e.id, e.step_id AS stepId, e.name, e.status, e.attempts, d.output, ${error} AS error,
        e.updated_at AS updatedAt${more}
        FROM ${t.entity} e LEFT JOIN ${t.data} d ON d.${t.fk} = e.id WHERE ${where}`;
    })
    .join(' UNION ALL ');
}

/**
 * The step row of a side effect's run: `completed`, or `failed` (one attempt) when it threw. Written as an upsert
 * by both stores, since a workflow retry may run a failed side effect again under the same row.
 */
export function sideEffectState(error: string | undefined): { status: 'completed' | 'failed'; attempts: number } {
  return error === undefined ? { status: 'completed', attempts: 0 } : { status: 'failed', attempts: 1 };
}

/**
 * A side effect keeps no error in its data row: a failed one's error is its last failed execution's, kept while a
 * workflow retry has given it a fresh round (`pending`), as an activity's is. Read only for those, so replaying
 * completed side effects pays nothing.
 */
export function sideEffectError(t: StepTables): string {
  return `CASE WHEN e.status IN ('failed', 'pending') THEN (SELECT x.error FROM ${t.execution} x WHERE x.${t.fk} = e.id AND x.status = 'failed' ORDER BY x.started_at DESC, x.id DESC LIMIT 1) END`;
}

/**
 * The statements that leave the steps a dead or stopped body was running as a cancel in the body leaves them:
 * their running attempts `interrupted`, the steps `pending`. Each takes (now, workflowId) or (workflowId), in the
 * placeholders `param` makes (`?` for SQLite, `$n` for PostgreSQL). A saga step is only touched while its
 * transaction runs (`running`), never while it compensates.
 */
export function interruptRunningStepsSql(param: (n: number) => string): { sql: string; withNow: boolean }[] {
  return Object.values(STEP_TABLES).flatMap((t) => [
    {
      sql: `UPDATE ${t.execution} SET status = 'interrupted', ended_at = ${param(1)} WHERE status = 'running' AND ${t.fk} IN (SELECT id FROM ${t.entity} WHERE workflow_id = ${param(2)} AND status = 'running')`,
      withNow: true,
    },
    { sql: `UPDATE ${t.entity} SET status = 'pending' WHERE workflow_id = ${param(1)} AND status = 'running'`, withNow: false },
  ]);
}
