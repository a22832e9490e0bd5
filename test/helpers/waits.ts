import { queryRows } from './db-rows.js';

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

function read<T>(database: string, sql: string, ...params: unknown[]): Promise<T[]> {
  return queryRows<T>(database, sql, ...params);
}

/** The timers of a workflow, oldest first, read straight from the database. */
export function timersOf(file: string, workflowId: string): Promise<TimerState[]> {
  return read(file, `SELECT step_id AS "stepId", wake_at AS "wakeAt", status FROM tempolite_timer WHERE workflow_id = ? ORDER BY created_at, id`, workflowId);
}

/** The signals of a workflow in arrival order, read straight from the database. */
export function signalsOf(file: string, workflowId: string): Promise<SignalState[]> {
  return read(file, `SELECT name, consumed_step_id AS "consumedStepId", consumed_generation AS "consumedGeneration" FROM tempolite_signal WHERE workflow_id = ? ORDER BY created_at, id`, workflowId);
}

/** Workflows of each status, e.g. `{ waiting: 10000 }`. */
export async function statusCounts(file: string): Promise<Record<string, number>> {
  const rows = await read<{ status: string; n: number }>(file, `SELECT status, COUNT(*) AS n FROM tempolite_workflow_entity GROUP BY status`);
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

/** The task row of a workflow (absent when finished or paused). */
export async function taskOf(file: string, workflowId: string): Promise<{ availableAt: number | null; owner: string | null; control: string | null } | undefined> {
  return (await read<{ availableAt: number | null; owner: string | null; control: string | null }>(
    file,
    `SELECT available_at AS "availableAt", owner, control FROM tempolite_task WHERE workflow_id = ?`,
    workflowId,
  ))[0];
}
