import Database from 'better-sqlite3';
import { queryRows } from './db-rows.js';
import { isPostgres } from './test-store.js';

const TERMINAL = `('completed','failed','cancelled','compensated','compensation_failed')`;

/** Queries that must all return zero rows in a consistent Tempolite database. */
const ORPHANS: Record<string, string> = {
  'workflow without run': `SELECT id FROM tempolite_workflow_entity w WHERE NOT EXISTS (SELECT 1 FROM tempolite_run r WHERE r.id = w.run_id)`,
  'workflow without data': `SELECT id FROM tempolite_workflow_entity w WHERE NOT EXISTS (SELECT 1 FROM tempolite_workflow_data d WHERE d.workflow_id = w.id)`,
  'data without workflow': `SELECT workflow_id FROM tempolite_workflow_data d WHERE NOT EXISTS (SELECT 1 FROM tempolite_workflow_entity w WHERE w.id = d.workflow_id)`,
  'execution without workflow': `SELECT id FROM tempolite_workflow_execution e WHERE NOT EXISTS (SELECT 1 FROM tempolite_workflow_entity w WHERE w.id = e.workflow_id)`,
  'task without workflow': `SELECT workflow_id FROM tempolite_task t WHERE NOT EXISTS (SELECT 1 FROM tempolite_workflow_entity w WHERE w.id = t.workflow_id)`,
  'task of a finished workflow': `SELECT t.workflow_id FROM tempolite_task t JOIN tempolite_workflow_entity w ON w.id = t.workflow_id WHERE w.status IN ${TERMINAL}`,
  // A paused workflow has no task on purpose: nothing may run it until resume().
  'unfinished workflow without task': `SELECT id FROM tempolite_workflow_entity w WHERE w.status NOT IN ${TERMINAL} AND w.status <> 'paused' AND NOT EXISTS (SELECT 1 FROM tempolite_task t WHERE t.workflow_id = w.id)`,
  'paused workflow with a task': `SELECT t.workflow_id FROM tempolite_task t JOIN tempolite_workflow_entity w ON w.id = t.workflow_id WHERE w.status = 'paused'`,
  'running execution of a paused workflow': `SELECT e.id FROM tempolite_workflow_execution e JOIN tempolite_workflow_entity w ON w.id = e.workflow_id WHERE e.status = 'running' AND w.status = 'paused'`,
  'timer without workflow': `SELECT id FROM tempolite_timer t WHERE NOT EXISTS (SELECT 1 FROM tempolite_workflow_entity w WHERE w.id = t.workflow_id)`,
  'pending timer of a workflow that did not complete': `SELECT t.id FROM tempolite_timer t JOIN tempolite_workflow_entity w ON w.id = t.workflow_id WHERE t.status = 'pending' AND w.status IN ('cancelled','failed','compensated','compensation_failed')`,
  'unknown timer status': `SELECT id FROM tempolite_timer WHERE status NOT IN ('pending','fired','timed_out','cancelled')`,
  'signal without workflow': `SELECT id FROM tempolite_signal s WHERE NOT EXISTS (SELECT 1 FROM tempolite_workflow_entity w WHERE w.id = s.workflow_id)`,
  'half-recorded signal consumption': `SELECT id FROM tempolite_signal WHERE (consumed_at IS NULL) <> (consumed_step_id IS NULL) OR (consumed_at IS NULL) <> (consumed_generation IS NULL)`,
  'step that consumed two signals': `SELECT workflow_id, consumed_generation, consumed_step_id FROM tempolite_signal WHERE consumed_step_id IS NOT NULL GROUP BY workflow_id, consumed_generation, consumed_step_id HAVING COUNT(*) > 1`,
  'signal wait both received and timed out': `SELECT t.id FROM tempolite_timer t JOIN tempolite_signal s ON s.workflow_id = t.workflow_id AND s.consumed_generation = t.generation AND s.consumed_step_id = t.step_id WHERE t.status = 'timed_out'`,
  'control request on a finished workflow': `SELECT t.workflow_id FROM tempolite_task t JOIN tempolite_workflow_entity w ON w.id = t.workflow_id WHERE t.control IS NOT NULL AND w.status IN ${TERMINAL}`,
  'finished workflow without completed_at': `SELECT id FROM tempolite_workflow_entity WHERE status IN ${TERMINAL} AND completed_at IS NULL`,
  'activity without workflow': `SELECT id FROM tempolite_activity_entity a WHERE NOT EXISTS (SELECT 1 FROM tempolite_workflow_entity w WHERE w.id = a.workflow_id)`,
  'activity without data': `SELECT id FROM tempolite_activity_entity a WHERE NOT EXISTS (SELECT 1 FROM tempolite_activity_data d WHERE d.activity_id = a.id)`,
  'activity attempt without activity': `SELECT id FROM tempolite_activity_execution x WHERE NOT EXISTS (SELECT 1 FROM tempolite_activity_entity a WHERE a.id = x.activity_id)`,
  'completed activity without a completed attempt': `SELECT id FROM tempolite_activity_entity a WHERE a.status = 'completed' AND (SELECT COUNT(*) FROM tempolite_activity_execution x WHERE x.activity_id = a.id AND x.status = 'completed') <> 1`,
  'side effect without value': `SELECT id FROM tempolite_side_effect_entity s WHERE NOT EXISTS (SELECT 1 FROM tempolite_side_effect_data d WHERE d.side_effect_id = s.id)`,
  'saga step without workflow': `SELECT id FROM tempolite_saga_entity s WHERE NOT EXISTS (SELECT 1 FROM tempolite_workflow_entity w WHERE w.id = s.workflow_id)`,
  'saga attempt without step': `SELECT id FROM tempolite_saga_execution x WHERE NOT EXISTS (SELECT 1 FROM tempolite_saga_entity s WHERE s.id = x.saga_id)`,
  'running attempt of a finished workflow': `SELECT x.id FROM tempolite_activity_execution x JOIN tempolite_activity_entity a ON a.id = x.activity_id JOIN tempolite_workflow_entity w ON w.id = a.workflow_id WHERE x.status = 'running' AND w.status IN ${TERMINAL}`,
  'running saga attempt of a finished workflow': `SELECT x.id FROM tempolite_saga_execution x JOIN tempolite_saga_entity s ON s.id = x.saga_id JOIN tempolite_workflow_entity w ON w.id = s.workflow_id WHERE x.status = 'running' AND w.status IN ${TERMINAL}`,
  'compensated saga step without one completed compensation': `SELECT id FROM tempolite_saga_entity s WHERE s.status = 'compensated' AND (SELECT COUNT(*) FROM tempolite_saga_execution x WHERE x.saga_id = s.id AND x.kind = 'compensation' AND x.status = 'completed') <> 1`,
  'compensation of a saga step that never completed': `SELECT x.id FROM tempolite_saga_execution x JOIN tempolite_saga_entity s ON s.id = x.saga_id WHERE x.kind = 'compensation' AND s.completed_order IS NULL`,
  'running execution of a finished workflow': `SELECT e.id FROM tempolite_workflow_execution e JOIN tempolite_workflow_entity w ON w.id = e.workflow_id WHERE e.status = 'running' AND w.status IN ${TERMINAL}`,
  // Issue 8 (reliability): these hold after every SIGKILL too, not only at rest.
  'saga step whose transaction completed without exactly one completed transaction attempt': `SELECT id FROM tempolite_saga_entity s WHERE s.status IN ('completed','compensating','compensated','compensation_failed') AND (SELECT COUNT(*) FROM tempolite_saga_execution x WHERE x.saga_id = s.id AND x.kind = 'transaction' AND x.status = 'completed') <> 1`,
  // One run per round: a failed one (the workflow's retry gave it another) is followed by at most one that completed.
  'side effect whose runs disagree with its status': `SELECT id FROM tempolite_side_effect_entity s
     WHERE (SELECT COUNT(*) FROM tempolite_side_effect_execution x WHERE x.side_effect_id = s.id AND x.status = 'completed') <> (CASE WHEN s.status = 'completed' THEN 1 ELSE 0 END)
        OR (s.status = 'failed' AND NOT EXISTS (SELECT 1 FROM tempolite_side_effect_execution x WHERE x.side_effect_id = s.id AND x.status = 'failed'))
        OR EXISTS (SELECT 1 FROM tempolite_side_effect_execution x WHERE x.side_effect_id = s.id AND x.status NOT IN ('completed', 'failed'))
        OR s.status NOT IN ('completed', 'failed', 'pending')`,
  'two running executions of one workflow': `SELECT workflow_id FROM tempolite_workflow_execution WHERE status = 'running' GROUP BY workflow_id HAVING COUNT(*) > 1`,
  'two running attempts of one activity': `SELECT activity_id FROM tempolite_activity_execution WHERE status = 'running' GROUP BY activity_id HAVING COUNT(*) > 1`,
  'two running attempts of one saga step': `SELECT saga_id FROM tempolite_saga_execution WHERE status = 'running' GROUP BY saga_id HAVING COUNT(*) > 1`,
  'completed workflow without output': `SELECT w.id FROM tempolite_workflow_entity w JOIN tempolite_workflow_data d ON d.workflow_id = w.id WHERE w.status = 'completed' AND d.output IS NULL`,
};

/**
 * Checks a Tempolite SQLite file: `PRAGMA integrity_check` is ok and no
 * orphan or incoherent rows exist. Returns the problems found (empty when consistent).
 */
export function consistencyProblems(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    const problems: string[] = [];
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
    const hasSchema = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'tempolite_workflow_entity'`).get();
    if (!hasSchema) return problems;
    for (const [what, sql] of Object.entries(ORPHANS)) {
      const rows = db.prepare(sql).all();
      if (rows.length > 0) problems.push(`${what}: ${JSON.stringify(rows.slice(0, 3))}`);
    }
    return problems;
  } finally {
    db.close();
  }
}

/** Row counts of the main tables, to show that a refused call wrote nothing. */
export function rowCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'tempolite_%' AND name <> 'tempolite_migrations' ORDER BY name`).all() as { name: string }[];
    return Object.fromEntries(tables.map(({ name }) => [name, (db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n]));
  } finally {
    db.close();
  }
}

/**
 * Checks a Tempolite database (SQLite file or PostgreSQL schema): SQLite's
 * `PRAGMA integrity_check` is ok and no orphan or incoherent rows exist.
 * Returns the problems found (empty when consistent).
 */
export async function checkConsistency(database: string): Promise<string[]> {
  const problems: string[] = [];
  if (!isPostgres(database)) {
    const db = new Database(database, { readonly: true });
    try {
      const integrity = db.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
    } finally {
      db.close();
    }
  }
  if ((await tableNames(database)).length === 0) return problems;
  for (const [what, sql] of Object.entries(ORPHANS)) {
    const rows = await queryRows(database, sql);
    if (rows.length > 0) problems.push(`${what}: ${JSON.stringify(rows.slice(0, 3))}`);
  }
  return problems;
}

/** Tempolite's tables in a database (the migrations table left out). */
async function tableNames(database: string): Promise<string[]> {
  const rows = isPostgres(database)
    ? await queryRows<{ name: string }>(
        database,
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'tempolite_%' AND table_name <> 'tempolite_migrations' ORDER BY table_name`,
      )
    : await queryRows<{ name: string }>(database, `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'tempolite_%' AND name <> 'tempolite_migrations' ORDER BY name`);
  return rows.map((row) => row.name);
}

/** Row counts of the main tables (SQLite file or PostgreSQL schema), to show that a refused call wrote nothing. */
export async function countRows(database: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of await tableNames(database)) {
    counts[name] = (await queryRows<{ n: number }>(database, `SELECT COUNT(*) AS n FROM "${name}"`))[0]!.n;
  }
  return counts;
}
