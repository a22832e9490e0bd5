import type { StepKind } from '../statuses.js';
import { EXECUTION_COLUMNS, STEP_TABLES, WORKFLOW_COLUMNS, sideEffectError } from '../sqlite/step-tables.js';

/**
 * PostgreSQL folds unquoted aliases to lower case (`AS runId` comes back as
 * `runid`): quote every `AS alias` so rows keep the camelCase keys of the row types.
 */
export function quoteAliases(select: string): string {
  return select.replace(/\bAS ([A-Za-z_][A-Za-z0-9_]*)/g, 'AS "$1"');
}

/** Select list mapping a workflow entity row to `WorkflowRow`. */
export const PG_WORKFLOW_COLUMNS = quoteAliases(WORKFLOW_COLUMNS);

/** Select list mapping a workflow execution row to `ExecutionRow`. */
export const PG_EXECUTION_COLUMNS = quoteAliases(EXECUTION_COLUMNS);

/** Select of a child workflow with its outcome, in the `ChildRow` shape. */
export const PG_CHILD_SELECT = `SELECT w.id, w.name, w.status, w.parent_step_id AS "parentStepId", w.run_id AS "runId", d.output, d.error
  FROM tempolite_workflow_entity w LEFT JOIN tempolite_workflow_data d ON d.workflow_id = w.id`;

/** One SELECT over every step kind of a workflow, in the `StepRow` shape; `where` may use `$n` parameters (shared by all three parts). */
export function pgStepUnion(where: string): string {
  return (Object.keys(STEP_TABLES) as StepKind[])
    .map((kind) => {
      const t = STEP_TABLES[kind];
      const input = kind === 'sideEffect' ? 'NULL::text' : 'd.input';
      const error = kind === 'sideEffect' ? sideEffectError(t) : 'd.error';
      return `SELECT '${kind}' AS "kind", e.id, e.step_id AS "stepId", e.name, e.status, e.attempts, d.output, ${error} AS "error",
        e.updated_at AS "updatedAt", e.generation, ${input} AS "input", e.created_at AS "createdAt"
        FROM ${t.entity} e LEFT JOIN ${t.data} d ON d.${t.fk} = e.id WHERE ${where}`;
    })
    .join(' UNION ALL ');
}

/** Binary order for text keys, as SQLite sorts them (PostgreSQL would use the database's collation). */
export const BINARY = 'COLLATE "C"';

/**
 * The order in which Tempolite's transactions lock several task rows on PostgreSQL: deeper workflows first
 * (a child's id extends its parent's, so longer ids first), then by id. A child's end locks its own task, then
 * wakes its parent's; a cancel locks a whole tree; a batch's lease check locks its workflows' tasks: in this
 * order they do not wait for each other in a cycle. (The heartbeat skips locked rows instead of waiting.)
 */
export function taskLockOrder(column = 'workflow_id'): string {
  return `length(${column}) DESC, ${column}`;
}
