import { InvalidStateError, WorkflowNotFoundError } from '../../errors.js';
import { isTerminal, type WorkflowStatus } from '../statuses.js';
import { NO_DEADLINE, takenTimer, type NewSignal, type SignalRow, type SignalSent, type SignalTake, type SignalTakeResult, type TimerRow, type WaitStore } from '../wait-store.js';
import type { Sql } from './sql.js';
import type { WriteBatcher } from './write-batcher.js';

const TIMER_COLUMNS = `id, step_id AS stepId, generation, wake_at AS wakeAt, status, signal_names AS signalNames`;
const SIGNAL_COLUMNS = `id, workflow_id AS workflowId, name, payload, created_at AS createdAt, consumed_at AS consumedAt,
  consumed_generation AS consumedGeneration, consumed_step_id AS consumedStepId, idempotency_key AS idempotencyKey`;

/** Timers and signals on SQLite; writes go through the store's group-commit batcher. */
export class SqliteWaitStore implements WaitStore {
  constructor(
    private readonly sql: Sql,
    private readonly batcher: WriteBatcher,
  ) {}

  timerAt(workflowId: string, generation: number, stepId: string): Promise<TimerRow | undefined> {
    return Promise.resolve(this.timerAtNow(workflowId, generation, stepId));
  }

  /** Synchronous form of `timerAt`, for use inside a write. */
  private timerAtNow(workflowId: string, generation: number, stepId: string): TimerRow | undefined {
    return this.sql.get<TimerRow>(`SELECT ${TIMER_COLUMNS} FROM tempolite_timer WHERE workflow_id = ? AND generation = ? AND step_id = ?`, workflowId, generation, stepId);
  }

  createTimer(t: { id: string; workflowId: string; generation: number; stepId: string; wakeAt: number; now: number }): Promise<void> {
    return this.batcher.enqueue(() => {
      this.insertTimer(t.id, t.workflowId, t.generation, t.stepId, t.wakeAt, t.now, null);
    });
  }

  fireTimer(timerId: string): Promise<void> {
    return this.batcher.enqueue(() => {
      this.sql.run(`UPDATE tempolite_timer SET status = 'fired' WHERE id = ? AND status = 'pending'`, timerId);
    });
  }

  consumedAt(workflowId: string, generation: number, stepId: string): Promise<SignalRow | undefined> {
    return Promise.resolve(this.consumedAtNow(workflowId, generation, stepId));
  }

  /** Synchronous form of `consumedAt`, for use inside a write. */
  private consumedAtNow(workflowId: string, generation: number, stepId: string): SignalRow | undefined {
    return this.sql.get<SignalRow>(
      `SELECT ${SIGNAL_COLUMNS} FROM tempolite_signal WHERE workflow_id = ? AND consumed_generation = ? AND consumed_step_id = ?`,
      workflowId, generation, stepId,
    );
  }

  takeSignal(take: SignalTake): Promise<SignalTakeResult> {
    return this.batcher.enqueue((): SignalTakeResult => {
      const { workflowId, generation, stepId, now } = take;
      const consumed = this.consumedAtNow(workflowId, generation, stepId);
      if (consumed) return { kind: 'received', signal: consumed };
      const timer = this.timerAtNow(workflowId, generation, stepId);
      if (timer?.status === 'timed_out') return { kind: 'timedOut' };
      const taken = takenTimer(timer, take, now);
      const { names, update } = taken;
      let deadline = taken.deadline;
      if (timer === undefined && take.timeoutMs !== undefined) {
        deadline = now + take.timeoutMs;
        this.insertTimer(take.timerId, workflowId, generation, stepId, deadline, now, names);
      } else if (timer !== undefined && update !== undefined) {
        this.sql.run(`UPDATE tempolite_timer SET wake_at = ?, signal_names = ? WHERE id = ?`, update.wakeAt, update.signalNames, timer.id);
      }
      // Arrival order: created_at first; the uuid v7 id breaks ties in the order the signals were sent.
      // A signal sent after the deadline does not count, even if no worker looked in between.
      const signal = this.sql.get<SignalRow>(
        `SELECT ${SIGNAL_COLUMNS} FROM tempolite_signal
         WHERE workflow_id = ? AND consumed_at IS NULL AND name IN (SELECT value FROM json_each(?)) AND (? IS NULL OR created_at <= ?)
         ORDER BY created_at, id LIMIT 1`,
        workflowId, names, deadline, deadline,
      );
      if (signal) {
        this.sql.run(`UPDATE tempolite_signal SET consumed_at = ?, consumed_generation = ?, consumed_step_id = ? WHERE id = ?`, now, generation, stepId, signal.id);
        if (timer !== undefined || deadline !== null) this.setTimerStatus(workflowId, generation, stepId, 'fired');
        return { kind: 'received', signal: { ...signal, consumedAt: now, consumedGeneration: generation, consumedStepId: stepId } };
      }
      if (deadline !== null && deadline <= now) {
        this.setTimerStatus(workflowId, generation, stepId, 'timed_out');
        return { kind: 'timedOut' };
      }
      // Only a wait that has to wait records itself: one that finds its signal at once writes nothing more.
      if (timer === undefined && deadline === null) this.insertTimer(take.timerId, workflowId, generation, stepId, NO_DEADLINE, now, names);
      return { kind: 'waiting', deadline };
    });
  }

  sendSignal(s: NewSignal): Promise<SignalSent> {
    return this.batcher.enqueue((): SignalSent => {
      const workflow = this.sql.get<{ status: WorkflowStatus; runId: string }>(`SELECT status, run_id AS runId FROM tempolite_workflow_entity WHERE id = ?`, s.workflowId);
      if (!workflow) throw new WorkflowNotFoundError(s.workflowId);
      if (s.runId !== undefined && workflow.runId !== s.runId) throw new WorkflowNotFoundError(s.workflowId, s.runId);
      // Before the status: a webhook delivered again after the workflow ended was delivered.
      if (s.idempotencyKey !== undefined && this.sql.get(`SELECT 1 AS found FROM tempolite_signal WHERE workflow_id = ? AND idempotency_key = ?`, s.workflowId, s.idempotencyKey)) return { stored: false };
      if (isTerminal(workflow.status)) throw new InvalidStateError(s.workflowId, workflow.status, 'signal', `signal "${s.name}"`);
      this.sql.run(
        `INSERT INTO tempolite_signal (id, workflow_id, name, payload, created_at, consumed_at, consumed_generation, consumed_step_id, idempotency_key) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL, ?)`,
        s.id, s.workflowId, s.name, s.payload, s.now, s.idempotencyKey ?? null,
      );
      // Only a waiting workflow is made due now: one pending a retry backoff keeps its time and finds the signal when it runs.
      if (workflow.status === 'waiting') return { stored: true, queue: this.sql.wake('?', s.workflowId, s.now) };
      this.sql.bumpWakeups(s.workflowId);
      return { stored: true, queue: undefined };
    });
  }

  async signalsOf(workflowId: string): Promise<SignalRow[]> {
    return this.sql.all<SignalRow>(`SELECT ${SIGNAL_COLUMNS} FROM tempolite_signal WHERE workflow_id = ? ORDER BY created_at, id`, workflowId);
  }

  async timersOf(workflowId: string): Promise<TimerRow[]> {
    return this.sql.all<TimerRow>(`SELECT ${TIMER_COLUMNS} FROM tempolite_timer WHERE workflow_id = ? ORDER BY created_at, id`, workflowId);
  }

  private insertTimer(id: string, workflowId: string, generation: number, stepId: string, wakeAt: number, now: number, signalNames: string | null): void {
    this.sql.run(
      `INSERT INTO tempolite_timer (id, workflow_id, generation, step_id, wake_at, status, created_at, signal_names) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
      id, workflowId, generation, stepId, wakeAt, now, signalNames,
    );
  }

  private setTimerStatus(workflowId: string, generation: number, stepId: string, status: 'fired' | 'timed_out'): void {
    this.sql.run(`UPDATE tempolite_timer SET status = ? WHERE workflow_id = ? AND generation = ? AND step_id = ? AND status = 'pending'`, status, workflowId, generation, stepId);
  }
}
