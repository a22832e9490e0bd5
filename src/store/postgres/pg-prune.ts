import { pruneSql } from '../prune-sql.js';
import { isTerminal } from '../statuses.js';
import type { PruneBatch } from '../workflow-store.js';
import type { PgSql } from './pg-sql.js';

const SQL = pruneSql('SELECT unnest($1::text[])', ['SELECT unnest($1::text[])', '$2', '$3']);

/** One batch of pruning, inside a write transaction. */
export async function pruneRunsNow(sql: PgSql, p: PruneBatch): Promise<{ runs: number; workflows: number }> {
  const picked = (await sql.all<{ id: string }>(SQL.pickRuns, [...p.statuses], p.endedBefore, p.limit)).map((row) => row.id);
  if (picked.length === 0) return { runs: 0, workflows: 0 };
  // Every workflow of the picked runs locked, its status read again: a retry() of any of them (a child, too) committed
  // since the pick keeps its run; one that comes later waits for this batch, then finds the workflow gone.
  const rows = await sql.all<{ id: string; run_id: string; status: string }>(`${SQL.workflowsOfRuns} FOR UPDATE`, picked);
  const unfinished = new Set(rows.filter((row) => !isTerminal(row.status)).map((row) => row.run_id));
  const runs = picked.filter((id) => !unfinished.has(id));
  const workflows = rows.filter((row) => !unfinished.has(row.run_id)).map((row) => row.id);
  if (runs.length === 0) return { runs: 0, workflows: 0 };
  for (const statement of SQL.deletes) await sql.run(statement, workflows);
  await sql.run(SQL.deleteRuns, runs);
  return { runs: runs.length, workflows: workflows.length };
}
