import Database from 'better-sqlite3';

/** One attempt row of an activity, saga transaction or compensation, with the incarnation that ran it. */
export interface AttemptRow {
  readonly kind: 'act' | 'txn' | 'comp';
  readonly wf: string;
  readonly gen: number;
  readonly step: string;
  readonly att: number;
  readonly status: string;
  /** Incarnation of the worker whose execution ran it (from the execution's owner `torture-<inc>`). */
  readonly inc: number | undefined;
}

/** A step entity row. */
export interface StepRow {
  readonly table: 'activity' | 'saga' | 'sideEffect';
  readonly wf: string;
  readonly gen: number;
  readonly step: string;
  readonly name: string;
  readonly status: string;
}

/** A side effect, its value and its executions. */
export interface SideEffectRow {
  readonly wf: string;
  readonly gen: number;
  readonly step: string;
  readonly name: string;
  readonly output: string | null;
  /** The encoded error of its failed execution (`torture.sideFail`), else null. */
  readonly error: string | null;
  readonly executions: number;
  readonly inc: number | undefined;
}

/** A signal row. */
export interface SignalRow {
  readonly wf: string;
  readonly name: string;
  readonly payload: string | null;
  readonly consumedStep: string | null;
  readonly consumedGeneration: number | null;
}

/** What the checks read from the torture database, in one read transaction. */
export interface DbSnapshot {
  readonly workflows: ReadonlyMap<string, { readonly status: string; readonly name: string; readonly queue: string; readonly generation: number }>;
  readonly attempts: readonly AttemptRow[];
  readonly steps: readonly StepRow[];
  readonly sideEffects: readonly SideEffectRow[];
  readonly signals: readonly SignalRow[];
  readonly tasks: number;
  readonly runningExecutions: number;
  readonly runningAttempts: number;
  readonly recoveries: number;
  readonly interruptedAttempts: number;
}

function incOf(owner: string | null): number | undefined {
  const match = owner?.match(/^torture-(\d+)$/);
  return match ? Number(match[1]) : undefined;
}

/** Reads the snapshot. */
export function readSnapshot(file: string): DbSnapshot {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.transaction((): DbSnapshot => {
      const all = <T>(sql: string): T[] => db.prepare(sql).all() as T[];
      const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
      const workflows = new Map(
        all<{ id: string; status: string; name: string; queue: string; generation: number }>(`SELECT id, status, name, queue, generation FROM tempolite_workflow_entity`).map((w) => [
          w.id,
          { status: w.status, name: w.name, queue: w.queue, generation: w.generation },
        ]),
      );
      const attempts = all<Omit<AttemptRow, 'inc'> & { owner: string | null }>(
        `SELECT 'act' AS kind, a.workflow_id AS wf, a.generation AS gen, a.step_id AS step, x.attempt AS att, x.status AS status, e.owner AS owner
           FROM tempolite_activity_execution x JOIN tempolite_activity_entity a ON a.id = x.activity_id
           LEFT JOIN tempolite_workflow_execution e ON e.id = x.workflow_execution_id
         UNION ALL
         SELECT CASE x.kind WHEN 'transaction' THEN 'txn' ELSE 'comp' END, s.workflow_id, s.generation, s.step_id, x.attempt, x.status, e.owner
           FROM tempolite_saga_execution x JOIN tempolite_saga_entity s ON s.id = x.saga_id
           LEFT JOIN tempolite_workflow_execution e ON e.id = x.workflow_execution_id`,
      ).map(({ owner, ...row }) => ({ ...row, inc: incOf(owner) }));
      const steps = all<StepRow>(
        `SELECT 'activity' AS "table", workflow_id AS wf, generation AS gen, step_id AS step, name, status FROM tempolite_activity_entity
         UNION ALL SELECT 'saga', workflow_id, generation, step_id, name, status FROM tempolite_saga_entity
         UNION ALL SELECT 'sideEffect', workflow_id, generation, step_id, name, status FROM tempolite_side_effect_entity`,
      );
      const sideEffects = all<Omit<SideEffectRow, 'inc'> & { owner: string | null }>(
        `SELECT s.workflow_id AS wf, s.generation AS gen, s.step_id AS step, s.name AS name, d.output AS output,
           (SELECT COUNT(*) FROM tempolite_side_effect_execution x2 WHERE x2.side_effect_id = s.id) AS executions,
           (SELECT x3.error FROM tempolite_side_effect_execution x3 WHERE x3.side_effect_id = s.id AND x3.status = 'failed' LIMIT 1) AS error,
           (SELECT e.owner FROM tempolite_side_effect_execution x JOIN tempolite_workflow_execution e ON e.id = x.workflow_execution_id WHERE x.side_effect_id = s.id LIMIT 1) AS owner
         FROM tempolite_side_effect_entity s LEFT JOIN tempolite_side_effect_data d ON d.side_effect_id = s.id`,
      ).map(({ owner, ...row }) => ({ ...row, inc: incOf(owner) }));
      const signals = all<SignalRow>(
        `SELECT workflow_id AS wf, name, payload, consumed_step_id AS consumedStep, consumed_generation AS consumedGeneration FROM tempolite_signal`,
      );
      return {
        workflows,
        attempts,
        steps,
        sideEffects,
        signals,
        tasks: count(`SELECT COUNT(*) AS n FROM tempolite_task`),
        runningExecutions: count(`SELECT COUNT(*) AS n FROM tempolite_workflow_execution WHERE status = 'running'`),
        runningAttempts:
          count(`SELECT COUNT(*) AS n FROM tempolite_activity_execution WHERE status = 'running'`) +
          count(`SELECT COUNT(*) AS n FROM tempolite_saga_execution WHERE status = 'running'`),
        recoveries: count(`SELECT COUNT(*) AS n FROM tempolite_workflow_execution WHERE reason = 'recovery'`),
        interruptedAttempts:
          count(`SELECT COUNT(*) AS n FROM tempolite_activity_execution WHERE status = 'interrupted'`) +
          count(`SELECT COUNT(*) AS n FROM tempolite_saga_execution WHERE status = 'interrupted'`),
      };
    })();
  } finally {
    db.close();
  }
}
