import Database from 'better-sqlite3';

/** A timer row as the tests read it. */
export interface TimerState {
  readonly stepId: string;
  readonly wakeAt: number;
  readonly status: string;
}

/** A signal row as the tests read it. */
export interface SignalState {
  readonly name: string;
  readonly consumedStepId: string | null;
  readonly consumedGeneration: number | null;
}

function read<T>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** The timers of a workflow, oldest first, read straight from the SQLite file. */
export function timersOf(file: string, workflowId: string): TimerState[] {
  return read(file, `SELECT step_id AS stepId, wake_at AS wakeAt, status FROM tempolite_timer WHERE workflow_id = ? ORDER BY created_at, id`, workflowId);
}

/** The signals of a workflow in arrival order, read straight from the SQLite file. */
export function signalsOf(file: string, workflowId: string): SignalState[] {
  return read(file, `SELECT name, consumed_step_id AS consumedStepId, consumed_generation AS consumedGeneration FROM tempolite_signal WHERE workflow_id = ? ORDER BY created_at, id`, workflowId);
}

/** Workflows of each status, e.g. `{ waiting: 10000 }`. */
export function statusCounts(file: string): Record<string, number> {
  const rows = read<{ status: string; n: number }>(file, `SELECT status, COUNT(*) AS n FROM tempolite_workflow_entity GROUP BY status`);
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

/** The task row of a workflow (absent when finished or paused). */
export function taskOf(file: string, workflowId: string): { availableAt: number | null; owner: string | null; control: string | null } | undefined {
  return read<{ availableAt: number | null; owner: string | null; control: string | null }>(
    file,
    `SELECT available_at AS availableAt, owner, control FROM tempolite_task WHERE workflow_id = ?`,
    workflowId,
  )[0];
}
