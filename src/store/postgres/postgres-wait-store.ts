import { InvalidStateError, WorkflowNotFoundError } from '../../errors.js';
import { isTerminal, type WorkflowStatus } from '../statuses.js';
import { NO_DEADLINE, takenTimer, type NewSignal, type SignalRow, type SignalSent, type SignalTake, type SignalTakeResult, type TimerRow, type WaitStore } from '../wait-store.js';
import { BINARY } from './pg-columns.js';
import type { PgSql } from './pg-sql.js';
import type { PgWriter } from './pg-writer.js';
import { bumpWakeups, wake } from './pg-workflow-ops.js';

const TIMER_COLUMNS = `id, step_id AS "stepId", generation, wake_at AS "wakeAt", status, signal_names AS "signalNames"`;
const SIGNAL_COLUMNS = `id, workflow_id AS "workflowId", name, payload, created_at AS "createdAt", consumed_at AS "consumedAt",
  consumed_generation AS "consumedGeneration", consumed_step_id AS "consumedStepId", idempotency_key AS "idempotencyKey"`;

function timerAt(sql: PgSql, workflowId: string, generation: number, stepId: string): Promise<TimerRow | undefined> {
  return sql.get<TimerRow>(`SELECT ${TIMER_COLUMNS} FROM tempolite_timer WHERE workflow_id = $1 AND generation = $2 AND step_id = $3`, workflowId, generation, stepId);
}

function consumedAt(sql: PgSql, workflowId: string, generation: number, stepId: string): Promise<SignalRow | undefined> {
  return sql.get<SignalRow>(
    `SELECT ${SIGNAL_COLUMNS} FROM tempolite_signal WHERE workflow_id = $1 AND consumed_generation = $2 AND consumed_step_id = $3`,
    workflowId, generation, stepId,
  );
}

async function insertTimer(sql: PgSql, id: string, workflowId: string, generation: number, stepId: string, wakeAt: number, now: number, signalNames: string | null): Promise<void> {
  await sql.run(
    `INSERT INTO tempolite_timer (id, workflow_id, generation, step_id, wake_at, status, created_at, signal_names) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)`,
    id, workflowId, generation, stepId, wakeAt, now, signalNames,
  );
}

async function setTimerStatus(sql: PgSql, workflowId: string, generation: number, stepId: string, status: 'fired' | 'timed_out'): Promise<void> {
  await sql.run(`UPDATE tempolite_timer SET status = $1 WHERE workflow_id = $2 AND generation = $3 AND step_id = $4 AND status = 'pending'`, status, workflowId, generation, stepId);
}

/** Timers and signals on PostgreSQL: reads on the pool, writes through the store's group-commit batcher. */
export class PostgresWaitStore implements WaitStore {
  constructor(
    private readonly reads: PgSql,
    private readonly writer: PgWriter,
  ) {}

  timerAt(workflowId: string, generation: number, stepId: string): Promise<TimerRow | undefined> {
    return timerAt(this.reads, workflowId, generation, stepId);
  }

  createTimer(t: { id: string; workflowId: string; generation: number; stepId: string; wakeAt: number; now: number }): Promise<void> {
    return this.writer.enqueueFenced(t.workflowId, (sql) => insertTimer(sql, t.id, t.workflowId, t.generation, t.stepId, t.wakeAt, t.now, null));
  }

  fireTimer(timerId: string): Promise<void> {
    return this.writer.enqueue(timerId, async (sql) => {
      await sql.run(`UPDATE tempolite_timer SET status = 'fired' WHERE id = $1 AND status = 'pending'`, timerId);
    });
  }

  consumedAt(workflowId: string, generation: number, stepId: string): Promise<SignalRow | undefined> {
    return consumedAt(this.reads, workflowId, generation, stepId);
  }

  takeSignal(take: SignalTake): Promise<SignalTakeResult> {
    return this.writer.enqueueFenced(take.workflowId, async (sql): Promise<SignalTakeResult> => {
      const { workflowId, generation, stepId, now } = take;
      const consumed = await consumedAt(sql, workflowId, generation, stepId);
      if (consumed) return { kind: 'received', signal: consumed };
      const timer = await timerAt(sql, workflowId, generation, stepId);
      if (timer?.status === 'timed_out') return { kind: 'timedOut' };
      const taken = takenTimer(timer, take, now);
      const { names, update } = taken;
      let deadline = taken.deadline;
      if (timer === undefined && take.timeoutMs !== undefined) {
        deadline = now + take.timeoutMs;
        await insertTimer(sql, take.timerId, workflowId, generation, stepId, deadline, now, names);
      } else if (timer !== undefined && update !== undefined) {
        await sql.run(`UPDATE tempolite_timer SET wake_at = $1, signal_names = $2 WHERE id = $3`, update.wakeAt, update.signalNames, timer.id);
      }
      // Arrival order: created_at, then the uuid v7 id. Locked and skipping locked rows: a signal another
      // transaction is consuming right now is not this step's (only the workflow's holder takes signals anyway).
      const signal = await sql.get<SignalRow>(
        `SELECT ${SIGNAL_COLUMNS} FROM tempolite_signal
         WHERE workflow_id = $1 AND consumed_at IS NULL AND name = ANY($2::text[]) AND ($3::bigint IS NULL OR created_at <= $3::bigint)
         ORDER BY created_at, id ${BINARY} LIMIT 1 FOR UPDATE`,
        workflowId, [...take.names], deadline,
      );
      if (signal) {
        await sql.run(`UPDATE tempolite_signal SET consumed_at = $1, consumed_generation = $2, consumed_step_id = $3 WHERE id = $4`, now, generation, stepId, signal.id);
        if (timer !== undefined || deadline !== null) await setTimerStatus(sql, workflowId, generation, stepId, 'fired');
        return { kind: 'received', signal: { ...signal, consumedAt: now, consumedGeneration: generation, consumedStepId: stepId } };
      }
      if (deadline !== null && deadline <= now) {
        await setTimerStatus(sql, workflowId, generation, stepId, 'timed_out');
        return { kind: 'timedOut' };
      }
      // Only a wait that has to wait records itself: one that finds its signal at once writes nothing more.
      if (timer === undefined && deadline === null) await insertTimer(sql, take.timerId, workflowId, generation, stepId, NO_DEADLINE, now, names);
      return { kind: 'waiting', deadline };
    });
  }

  sendSignal(s: NewSignal): Promise<SignalSent> {
    return this.writer.enqueue(s.workflowId, async (sql): Promise<SignalSent> => {
      // Locked: a body suspending in another process right now either sees this signal's wake-up or has suspended
      // before it; and two sends of one idempotency key take turns.
      const workflow = await sql.get<{ status: WorkflowStatus; runId: string }>(`SELECT status, run_id AS "runId" FROM tempolite_workflow_entity WHERE id = $1 FOR UPDATE`, s.workflowId);
      if (!workflow) throw new WorkflowNotFoundError(s.workflowId);
      if (s.runId !== undefined && workflow.runId !== s.runId) throw new WorkflowNotFoundError(s.workflowId, s.runId);
      // Before the status: a webhook delivered again after the workflow ended was delivered.
      if (s.idempotencyKey !== undefined && (await sql.get(`SELECT 1 AS found FROM tempolite_signal WHERE workflow_id = $1 AND idempotency_key = $2`, s.workflowId, s.idempotencyKey))) return { stored: false };
      if (isTerminal(workflow.status)) throw new InvalidStateError(s.workflowId, workflow.status, 'signal', `signal "${s.name}"`);
      await sql.run(
        `INSERT INTO tempolite_signal (id, workflow_id, name, payload, created_at, consumed_at, consumed_generation, consumed_step_id, idempotency_key) VALUES ($1, $2, $3, $4, $5, NULL, NULL, NULL, $6)`,
        s.id, s.workflowId, s.name, s.payload, s.now, s.idempotencyKey ?? null,
      );
      sql.signalled(s.workflowId);
      // Only a waiting workflow is made due now: one pending a retry backoff keeps its time and finds the signal when it runs.
      if (workflow.status === 'waiting') return { stored: true, queue: await wake(sql, '$1', s.workflowId, s.now) };
      await bumpWakeups(sql, s.workflowId);
      return { stored: true, queue: undefined };
    });
  }

  signalsOf(workflowId: string): Promise<SignalRow[]> {
    return this.reads.all<SignalRow>(`SELECT ${SIGNAL_COLUMNS} FROM tempolite_signal WHERE workflow_id = $1 ORDER BY created_at, id ${BINARY}`, workflowId);
  }

  timersOf(workflowId: string): Promise<TimerRow[]> {
    return this.reads.all<TimerRow>(`SELECT ${TIMER_COLUMNS} FROM tempolite_timer WHERE workflow_id = $1 ORDER BY created_at, id ${BINARY}`, workflowId);
  }
}
