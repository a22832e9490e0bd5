import { pruneSql } from '../prune-sql.js';
import type { PruneBatch } from '../workflow-store.js';
import type { PgSql } from './pg-sql.js';

const SQL = pruneSql('SELECT unnest($1::text[])', ['SELECT unnest($1::text[])', '$2', '$3']);

/** One batch of pruning, inside a write transaction. */
export async function pruneRunsNow(sql: PgSql, p: PruneBatch): Promise<{ runs: number; workflows: number }> {
  // FOR UPDATE of the roots: a retry() of one of them waits for this batch, then finds it gone.
  const runs = (await sql.all<{ id: string }>(`${SQL.pickRuns} FOR UPDATE OF w`, [...p.statuses], p.endedBefore, p.limit)).map((row) => row.id);
  if (runs.length === 0) return { runs: 0, workflows: 0 };
  const workflows = (await sql.all<{ id: string }>(SQL.workflowsOfRuns, runs)).map((row) => row.id);
  for (const statement of SQL.deletes) await sql.run(statement, workflows);
  await sql.run(SQL.deleteRuns, runs);
  return { runs: runs.length, workflows: workflows.length };
}
