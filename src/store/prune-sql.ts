import { STEP_TABLES } from './sqlite/step-tables.js';
import { TERMINAL_SQL_LIST } from './statuses.js';

/**
 * The SQL of pruning, for both stores. `list` is the dialect's set of the
 * values of one array parameter (SQLite: `SELECT value FROM json_each(?)`,
 * PostgreSQL: `SELECT unnest($1::text[])`); every statement takes that one
 * parameter, except the run pick.
 */
export interface PruneSql {
  /** Run ids to prune (parameters: statuses, endedBefore, limit, in the dialect's placeholders). */
  readonly pickRuns: string;
  /** The workflows of the picked runs: `id`, `run_id`, `status` (parameter: the run ids). */
  readonly workflowsOfRuns: string;
  /** Deletes every row of the listed workflows, the runs excepted (parameter: the workflow ids). */
  readonly deletes: readonly string[];
  /** Deletes the runs (parameter: the run ids). */
  readonly deleteRuns: string;
}

/**
 * Builds the pruning SQL of a dialect.
 * @param list the set of one array parameter's values, e.g. `SELECT value FROM json_each(?)`
 * @param pickParams placeholders of the run pick's statuses (an array), endedBefore and limit
 */
export function pruneSql(list: string, pickParams: readonly [string, string, string]): PruneSql {
  const [statuses, endedBefore, limit] = pickParams;
  const ids = `(${list})`;
  const deletes: string[] = [];
  for (const t of Object.values(STEP_TABLES)) {
    const steps = `(SELECT id FROM ${t.entity} WHERE workflow_id IN ${ids})`;
    deletes.push(`DELETE FROM ${t.execution} WHERE ${t.fk} IN ${steps}`, `DELETE FROM ${t.data} WHERE ${t.fk} IN ${steps}`, `DELETE FROM ${t.entity} WHERE workflow_id IN ${ids}`);
  }
  deletes.push(
    `DELETE FROM tempolite_workflow_execution_data WHERE execution_id IN (SELECT id FROM tempolite_workflow_execution WHERE workflow_id IN ${ids})`,
    `DELETE FROM tempolite_workflow_execution WHERE workflow_id IN ${ids}`,
    `DELETE FROM tempolite_signal WHERE workflow_id IN ${ids}`,
    `DELETE FROM tempolite_timer WHERE workflow_id IN ${ids}`,
    `DELETE FROM tempolite_task WHERE workflow_id IN ${ids}`,
    `DELETE FROM tempolite_workflow_data WHERE workflow_id IN ${ids}`,
    `DELETE FROM tempolite_workflow_entity WHERE id IN ${ids}`,
  );
  return {
    // A run goes only once all of it has finished: a child still running (its parent failed) keeps the whole run.
    // Driven by the status index: each batch reads the finished workflows, not every run.
    pickRuns: `SELECT r.id FROM tempolite_workflow_entity w JOIN tempolite_run r ON r.root_workflow_id = w.id
      WHERE w.status IN (${statuses}) AND w.completed_at <= ${endedBefore}
        AND NOT EXISTS (SELECT 1 FROM tempolite_workflow_entity o WHERE o.run_id = r.id AND o.status NOT IN (${TERMINAL_SQL_LIST}))
      LIMIT ${limit}`,
    workflowsOfRuns: `SELECT id, run_id, status FROM tempolite_workflow_entity WHERE run_id IN ${ids} ORDER BY id`,
    deletes,
    deleteRuns: `DELETE FROM tempolite_run WHERE id IN ${ids}`,
  };
}
