import type Database from 'better-sqlite3';

/** Inserts of one completed activity step's three rows, as the engine writes them: entity, data, attempt. */
export interface StepRowInserts {
  /** (id, workflowId, stepId, now, now) */
  readonly step: Database.Statement;
  /** (activityId, input, output) */
  readonly stepData: Database.Statement;
  /** (id, activityId, workflowExecutionId, now, now) */
  readonly attempt: Database.Statement;
}

/** Prepares the step inserts on a migrated Tempolite file. */
export function prepareStepRowInserts(db: Database.Database): StepRowInserts {
  return {
    step: db.prepare(
      `INSERT INTO tempolite_activity_entity (id, workflow_id, generation, step_id, name, status, attempts, created_at, updated_at) VALUES (?, ?, 0, ?, 'bench.step', 'completed', 1, ?, ?)`,
    ),
    stepData: db.prepare(`INSERT INTO tempolite_activity_data (activity_id, input, output, error) VALUES (?, ?, ?, NULL)`),
    attempt: db.prepare(
      `INSERT INTO tempolite_activity_execution (id, activity_id, workflow_execution_id, attempt, status, error, started_at, ended_at) VALUES (?, ?, ?, 1, 'completed', NULL, ?, ?)`,
    ),
  };
}
