import Database from 'better-sqlite3';
import { v7 } from 'uuid';
import { prepareStepRowInserts } from './step-rows.js';

/** Durability settings shared by the raw baseline and the engine in one bench run. */
export type Durability = 'full' | 'normal';

/** Opens a raw better-sqlite3 file with the same pragmas the engine uses. */
export function openRaw(file: string, durability: Durability): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Microseconds per one-row insert transaction with raw better-sqlite3. */
export function rawTransactionMicros(file: string, durability: Durability, count: number): number {
  const db = openRaw(file, durability);
  try {
    db.exec('CREATE TABLE IF NOT EXISTS bench_row (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO bench_row (payload) VALUES (?)');
    const txn = db.transaction((payload: string) => insert.run(payload));
    // Past the WAL's first checkpoint (1,000 pages), as the engine's figures are: later commits reuse its space.
    for (let i = 0; i < 1100; i++) txn('warm-up');
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) txn(`{"step":${i}}`);
    return Number(process.hrtime.bigint() - started) / 1000 / count;
  } finally {
    db.close();
  }
}

/**
 * Microseconds per transaction writing one completed step's three rows (entity, data, attempt) with raw
 * better-sqlite3, with the same pragmas, on a migrated Tempolite file: what the storage layout alone costs a step,
 * before any of the engine's work. Warmed up as `rawTransactionMicros` is.
 */
export function rawStepMicros(file: string, durability: Durability, count: number): number {
  const db = openRaw(file, durability);
  try {
    const { step, stepData, attempt } = prepareStepRowInserts(db);
    const executionId = v7();
    let n = 0;
    const txn = db.transaction(() => {
      const id = v7();
      const now = Date.now();
      step.run(id, 'raw-step', `bench.step#${n}`, now, now);
      stepData.run(id, `{"json":[${n}]}`, `{"json":${n + 1}}`);
      attempt.run(v7(), id, executionId, now, now);
      n++;
    });
    for (let i = 0; i < 1100; i++) txn();
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) txn();
    return Number(process.hrtime.bigint() - started) / 1000 / count;
  } finally {
    db.close();
  }
}

/** Milliseconds to read a workflow's `steps` completed activity rows (with payloads) with raw better-sqlite3. */
export function rawReadMillis(file: string, workflowId: string, repeats = 5): number {
  const db = new Database(file, { readonly: true });
  try {
    const select = db.prepare(
      `SELECT e.id, e.step_id, e.name, e.status, e.attempts, d.output FROM tempolite_activity_entity e
       LEFT JOIN tempolite_activity_data d ON d.activity_id = e.id WHERE e.workflow_id = ? AND e.generation = 0`,
    );
    select.all(workflowId);
    let best = Infinity;
    for (let i = 0; i < repeats; i++) {
      const started = process.hrtime.bigint();
      select.all(workflowId);
      best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
    }
    return best;
  } finally {
    db.close();
  }
}
