/** Status of a timer row: a sleep, or the deadline of a signal wait. */
export type TimerStatus = 'pending' | 'fired' | 'timed_out' | 'cancelled';

/**
 * `wake_at` of the row a signal wait without a timeout leaves once it found no signal: no deadline, but a record
 * that this generation reached the wait, so a re-entry knows the wait is still ahead (see `version()`).
 */
export const NO_DEADLINE = Number.MAX_SAFE_INTEGER;

/** The deadline a signal wait's timer row sets: `null` for none (no row, or one of a wait without a timeout). */
function deadlineOf(timer: TimerRow | undefined): number | null {
  return timer === undefined || timer.wakeAt === NO_DEADLINE ? null : timer.wakeAt;
}

/** What a take of a signal wait makes of the wait's timer row, before it looks for a signal; see {@link takenTimer}. */
export interface TakenTimer {
  /** The deadline it looks for a signal with; `null` for none. */
  readonly deadline: number | null;
  /** The names it asks for, as stored (a JSON array). */
  readonly names: string;
  /** The pending row's new wake time and names, when the code under the wait changed them (a deployment). */
  readonly update?: { readonly wakeAt: number; readonly signalNames: string };
}

/**
 * The deadline and names of a take, against the wait's timer row. A wait under way takes the deployed code's
 * names, and its timeout where one was added or removed: an added one counts from now (the new code's first
 * take), a removed one is dropped; a changed length keeps the recorded deadline, as every re-entry of unchanged
 * code does. Not for a take that inserts the row (it has none yet).
 */
export function takenTimer(timer: TimerRow | undefined, take: SignalTake, now: number): TakenTimer {
  const names = JSON.stringify(take.names);
  const deadline = deadlineOf(timer);
  if (timer?.status !== 'pending') return { deadline, names };
  const timedNow = take.timeoutMs !== undefined;
  const wanted = (deadline !== null) === timedNow ? deadline : timedNow ? now + take.timeoutMs : null;
  if (wanted === deadline && timer.signalNames === names) return { deadline, names };
  return { deadline: wanted, names, update: { wakeAt: wanted ?? NO_DEADLINE, signalNames: names } };
}

/** A timer as stored. */
export interface TimerRow {
  readonly id: string;
  readonly stepId: string;
  /** The generation (continue-as-new) whose wait set it. */
  readonly generation: number;
  readonly wakeAt: number;
  readonly status: TimerStatus;
  /** A signal wait's names, as a JSON array (the latest code's, for a wait under way); null for a sleep. */
  readonly signalNames: string | null;
}

/** A signal as stored. */
export interface SignalRow {
  readonly id: string;
  readonly workflowId: string;
  readonly name: string;
  readonly payload: string | null;
  readonly createdAt: number;
  readonly consumedAt: number | null;
  readonly consumedGeneration: number | null;
  readonly consumedStepId: string | null;
  readonly idempotencyKey: string | null;
}

/** A new signal for a workflow. */
export interface NewSignal {
  readonly id: string;
  readonly workflowId: string;
  readonly name: string;
  readonly payload: string;
  /** The sender's key: when the workflow has a signal with it already, nothing is stored. */
  readonly idempotencyKey?: string;
  /** The run a handle names: when the id now names another run, a `WorkflowNotFoundError` with it and nothing stored. */
  readonly runId?: string;
  readonly now: number;
}

/** What `sendSignal` did: stored the signal (and the queue to poke, when it made the workflow due), or found its key taken. */
export type SignalSent = { readonly stored: true; readonly queue: string | undefined } | { readonly stored: false };

/** One attempt of a signal wait step to get its signal. */
export interface SignalTake {
  readonly workflowId: string;
  readonly generation: number;
  readonly stepId: string;
  /** Signal names the step accepts. */
  readonly names: readonly string[];
  /** The wait's length when the step has no deadline yet; `undefined` waits without one. */
  readonly timeoutMs: number | undefined;
  /** Id of the deadline's timer row, if this take creates it. */
  readonly timerId: string;
  readonly now: number;
}

/** What a signal wait step got. */
export type SignalTakeResult =
  | { readonly kind: 'received'; readonly signal: SignalRow }
  | { readonly kind: 'timedOut' }
  | { readonly kind: 'waiting'; readonly deadline: number | null };

/** Durable timers and signals (DESIGN §3 "Waiting"). Writes resolve after their commit. */
export interface WaitStore {
  /** The timer of a step, if recorded. */
  timerAt(workflowId: string, generation: number, stepId: string): Promise<TimerRow | undefined>;
  /** Records a sleep's wake time. */
  createTimer(timer: { id: string; workflowId: string; generation: number; stepId: string; wakeAt: number; now: number }): Promise<void>;
  /** Marks a timer as passed. */
  fireTimer(timerId: string): Promise<void>;
  /** The signal a step consumed, if any. */
  consumedAt(workflowId: string, generation: number, stepId: string): Promise<SignalRow | undefined>;
  /**
   * Atomically: returns what the step recorded (signal or timeout), else
   * consumes the oldest unconsumed signal of its names sent by its deadline,
   * else records a timeout when the deadline has passed, else reports the
   * deadline (recording it on first call).
   */
  takeSignal(take: SignalTake): Promise<SignalTakeResult>;
  /**
   * Atomically: stores a signal for an unfinished workflow and wakes it (bumps
   * its wake-up counter; a waiting task becomes claimable now).
   * A signal whose `idempotencyKey` the workflow has a signal with already is not stored (also once it finished).
   * @returns whether it was stored, and then the queue of the workflow's task, if it has one (a paused workflow has none)
   * @throws WorkflowNotFoundError, InvalidStateError when the workflow is finished
   */
  sendSignal(signal: NewSignal): Promise<SignalSent>;
  /** Every signal of a workflow, in arrival order. */
  signalsOf(workflowId: string): Promise<SignalRow[]>;
  /** Every timer of a workflow, oldest first. */
  timersOf(workflowId: string): Promise<TimerRow[]>;
}
