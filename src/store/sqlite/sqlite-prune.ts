import { pruneSql } from '../prune-sql.js';
import type { PruneBatch } from '../workflow-store.js';
import type { Sql } from './sql.js';

const SQL = pruneSql('SELECT value FROM json_each(?)', ['SELECT value FROM json_each(?)', '?', '?']);

/** One batch of pruning, inside a write transaction. */
export function pruneRunsNow(sql: Sql, p: PruneBatch): { runs: number; workflows: number } {
  const runs = sql.all<{ id: string }>(SQL.pickRuns, JSON.stringify(p.statuses), p.endedBefore, p.limit).map((row) => row.id);
  if (runs.length === 0) return { runs: 0, workflows: 0 };
  const runList = JSON.stringify(runs);
  const workflows = sql.all<{ id: string }>(SQL.workflowsOfRuns, runList).map((row) => row.id);
  const workflowList = JSON.stringify(workflows);
  for (const statement of SQL.deletes) sql.run(statement, workflowList);
  sql.run(SQL.deleteRuns, runList);
  return { runs: runs.length, workflows: workflows.length };
}
