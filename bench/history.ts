import Database from 'better-sqlite3';
import { v7 } from 'uuid';
import { prepareStepRowInserts } from './step-rows.js';

/**
 * Fills a migrated Tempolite database with `workflows` finished workflows of
 * three completed steps each (run, entity, data, execution, steps with data
 * and attempts), straight through SQL, so the bench can measure how the cost
 * of new work changes with the size of history.
 */
export function fillHistory(file: string, workflows: number): void {
  const db = new Database(file);
  try {
    const now = Date.now();
    const run = db.prepare(`INSERT INTO tempolite_run (id, root_workflow_id, status, created_at, updated_at) VALUES (?, ?, 'completed', ?, ?)`);
    const entity = db.prepare(
      `INSERT INTO tempolite_workflow_entity (id, run_id, name, queue, priority, status, generation, attempts, retry_policy, parent_id, parent_generation, parent_step_id, created_at, updated_at, completed_at)
       VALUES (?, ?, 'bench.three', 'default', 0, 'completed', 0, 0, NULL, NULL, NULL, NULL, ?, ?, ?)`,
    );
    const data = db.prepare(`INSERT INTO tempolite_workflow_data (workflow_id, input, output, error) VALUES (?, '{"json":[1]}', '{"json":4}', NULL)`);
    const execution = db.prepare(
      `INSERT INTO tempolite_workflow_execution (id, workflow_id, generation, attempt, reason, status, error, owner, started_at, ended_at) VALUES (?, ?, 0, 1, 'start', 'completed', NULL, 'history', ?, ?)`,
    );
    const { step, stepData, attempt } = prepareStepRowInserts(db);
    const fill = db.transaction((count: number) => {
      for (let i = 0; i < count; i++) {
        const id = `history-${i}`;
        const runId = v7();
        const executionId = v7();
        run.run(runId, id, now, now);
        entity.run(id, runId, now, now, now);
        data.run(id);
        execution.run(executionId, id, now, now);
        for (let s = 0; s < 3; s++) {
          const stepId = v7();
          step.run(stepId, id, `bench.step#${s}`, now, now);
          stepData.run(stepId, '{"json":[1]}', '{"json":2}');
          attempt.run(v7(), stepId, executionId, now, now);
        }
      }
    });
    fill(workflows);
  } finally {
    db.close();
  }
}
