import type { Sql } from './sql.js';

interface Candidate {
  readonly id: string;
  readonly name: string;
  readonly priority: number;
  readonly availableAt: number;
  readonly createdAt: number;
}

/** Priority levels walked one seek each before the rest is taken in one sorted query. */
const MAX_LEVELS = 16;

const COLUMNS = `t.workflow_id AS id, w.name, t.priority, t.available_at AS availableAt, t.created_at AS createdAt
  FROM tempolite_task t JOIN tempolite_workflow_entity w ON w.id = t.workflow_id`;

/**
 * Picks the tasks of `queue` to claim, best first (priority, then due time,
 * then age), and leases them to `owner`. Runs inside a write transaction.
 *
 * Each query is a seek on the partial index of unleased tasks
 * (`idx_tempolite_task_due`), one priority level at a time, so its cost
 * follows the tasks claimed, not the backlog or the sleepers: one query
 * with `ORDER BY priority` would sort every due task at each claim.
 * Tasks of workflows this engine does not run are skipped in code, which
 * costs less than making SQLite match names on every claim.
 */
export function claimDueTasks(sql: Sql, queue: string, owner: string, limit: number, names: ReadonlySet<string>, now: number, leaseMs: number): string[] {
  const picked: Candidate[] = [];
  let level = sql.get<{ priority: number }>(`SELECT priority FROM tempolite_task WHERE queue = ? AND owner IS NULL ORDER BY priority DESC LIMIT 1`, queue);
  for (let levels = 1; level !== undefined && picked.length < limit; levels++) {
    if (levels > MAX_LEVELS) {
      // Many distinct priorities: one sorted query over the rest beats a seek per level.
      take(sql, REST, queue, level.priority, now, limit, names, picked);
      break;
    }
    take(sql, LEVEL, queue, level.priority, now, limit, names, picked);
    level = sql.get<{ priority: number }>(
      `SELECT priority FROM tempolite_task WHERE queue = ? AND owner IS NULL AND priority < ? ORDER BY priority DESC LIMIT 1`,
      queue, level.priority,
    );
  }
  // Leases that ran out belong to a dead worker: their tasks come back here (crash recovery). Rare, so merged in code.
  const expired = sql
    // `+`: only the lease index may serve it; the planner would otherwise pick the queue's, scanning the running tasks.
    .all<Candidate>(`SELECT ${COLUMNS} WHERE t.lease_expires_at < ? AND +t.available_at <= ? AND +t.queue = ?`, now, now, queue)
    .filter((task) => names.has(task.name));
  if (expired.length > 0) {
    picked.push(...expired);
    picked.sort(byClaimOrder);
    if (picked.length > limit) picked.length = limit;
  }
  for (const task of picked) sql.run(`UPDATE tempolite_task SET owner = ?, lease_expires_at = ? WHERE workflow_id = ?`, owner, now + leaseMs, task.id);
  return picked.map((task) => task.id);
}

/** Due unleased tasks of one priority level, oldest due first. */
const LEVEL = `SELECT ${COLUMNS} WHERE t.queue = ? AND t.owner IS NULL AND t.priority = ? AND t.available_at <= ?
  ORDER BY t.available_at, t.created_at`;

/** Due unleased tasks of a priority and below, best first. */
const REST = `SELECT ${COLUMNS} WHERE t.queue = ? AND t.owner IS NULL AND t.priority <= ? AND t.available_at <= ?
  ORDER BY t.priority DESC, t.available_at, t.created_at`;

/**
 * Adds rows of `query` (LEVEL or REST) to `picked` until `limit` runnable ones are there.
 * Rows are read one at a time rather than with `LIMIT ?`: a bound LIMIT makes SQLite
 * prepare the statement again at every run (the planner takes the value into account).
 */
function take(sql: Sql, query: string, queue: string, priority: number, now: number, limit: number, names: ReadonlySet<string>, picked: Candidate[]): void {
  if (picked.length >= limit) return;
  for (const row of sql.iterate<Candidate>(query, queue, priority, now)) {
    if (!names.has(row.name)) continue;
    picked.push(row);
    if (picked.length >= limit) return;
  }
}

function byClaimOrder(a: Candidate, b: Candidate): number {
  return b.priority - a.priority || a.availableAt - b.availableAt || a.createdAt - b.createdAt;
}
