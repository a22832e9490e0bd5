import { NonDeterminismError } from '../../errors.js';
import { RESERVED_PREFIX } from '../../registry/definitions.js';
import type { SignalRow } from '../../store/wait-store.js';
import { newId } from '../ids.js';
import type { WorkflowRuntime } from '../workflow-runtime.js';
import type { ReceivedSignal, SignalResult } from './signal-types.js';

/** Durable name of signal wait steps: their ids are `tempolite.signal#0`, `tempolite.signal#1`, ... */
export const SIGNAL_STEP = `${RESERVED_PREFIX}signal`;

const TIMED_OUT: SignalResult<never> = Object.freeze({ timedOut: true });

/** Wakes the in-memory signal waits of one body; kept beside the runtime so the runtime stays unaware of signals. */
const listeners = new WeakMap<WorkflowRuntime, Set<() => void>>();

/** Tells the signal waits of a body running in this process that a signal for its workflow was stored. */
export function notifySignalWaits(rt: WorkflowRuntime): void {
  for (const listener of [...(listeners.get(rt) ?? [])]) listener();
}

/**
 * Waits for a signal as a step: consumes the oldest buffered signal of the
 * given names (recording which step took it, so a re-entered body gets the
 * same one back), or waits. The deadline of a timeout is a timer row, and a
 * timeout is recorded too, so re-entry sees the timeout again even if a signal
 * came later. Without a timeout, or with more left than `suspendAfterMs`, the
 * workflow suspends (no slot, no memory) and a signal wakes it; a shorter
 * wait stays in memory and is woken by signals sent through this engine, and
 * by those of other processes when the control watch sees the task's wake-up
 * counter move (within `pollIntervalMs` on SQLite).
 */
export async function runSignalStep(rt: WorkflowRuntime, stepId: string, names: readonly string[], timeoutMs: number | undefined): Promise<SignalResult<unknown>> {
  const { store, clock, options } = rt.deps;
  const { workflowId, generation } = rt.info;
  const recorded = await rt.inCallOrder(recordedOutcome(rt, stepId));
  if (recorded === 'timedOut') return timedOut(rt, stepId, names, timeoutMs);
  if (recorded !== undefined) return received(rt, stepId, names, recorded);
  await rt.boundary();
  for (;;) {
    // Listening before the take: a signal stored while the take commits still wakes this wait.
    const arrival = listen(rt);
    try {
      const taken = await rt.track(store.waits.takeSignal({ workflowId, generation, stepId, names, timeoutMs, timerId: newId(), now: clock.now() }));
      if (taken.kind === 'received') return received(rt, stepId, names, taken.signal);
      if (taken.kind === 'timedOut') return timedOut(rt, stepId, names, timeoutMs);
      const deadline = taken.deadline;
      if (deadline === null || deadline - clock.now() > options.suspendAfterMs) return await rt.suspend(deadline);
      await rt.sleepUntil(deadline, arrival.signal);
    } finally {
      arrival.dispose();
    }
    await rt.boundary();
  }
}

/**
 * A timeout, for a wait that has one. A wait without one cannot return it (its type says so): the code changed
 * under a wait that timed out, a `NonDeterminismError`.
 */
function timedOut(rt: WorkflowRuntime, stepId: string, names: readonly string[], timeoutMs: number | undefined): SignalResult<never> {
  if (timeoutMs !== undefined) return TIMED_OUT;
  throw new NonDeterminismError(rt.info.workflowId, stepId, { kind: 'signal', name: names.join(' | ') }, { kind: 'timeout', name: SIGNAL_STEP });
}

/** What the wait at `stepId` recorded: the signal it consumed, its timeout, or nothing yet. */
async function recordedOutcome(rt: WorkflowRuntime, stepId: string): Promise<SignalRow | 'timedOut' | undefined> {
  const { store } = rt.deps;
  const { workflowId, generation } = rt.info;
  const consumed = await store.waits.consumedAt(workflowId, generation, stepId);
  if (consumed) return consumed;
  return (await store.waits.timerAt(workflowId, generation, stepId))?.status === 'timed_out' ? 'timedOut' : undefined;
}

function received(rt: WorkflowRuntime, stepId: string, names: readonly string[], row: SignalRow): ReceivedSignal<unknown> {
  const { workflowId } = rt.info;
  if (!names.includes(row.name)) {
    throw new NonDeterminismError(workflowId, stepId, { kind: 'signal', name: names.join(' | ') }, { kind: 'signal', name: row.name });
  }
  const payload = rt.deps.payloads.decode(row.payload ?? '', { description: `payload of signal "${row.name}" to workflow "${workflowId}"`, workflowId, stepId });
  return { timedOut: false, name: row.name, payload };
}

interface Arrival {
  /** Aborts when a signal for the workflow is stored. */
  readonly signal: AbortSignal;
  readonly dispose: () => void;
}

function listen(rt: WorkflowRuntime): Arrival {
  const controller = new AbortController();
  let set = listeners.get(rt);
  if (set === undefined) {
    set = new Set();
    listeners.set(rt, set);
  }
  const own = set;
  const listener = (): void => controller.abort();
  own.add(listener);
  return { signal: controller.signal, dispose: () => own.delete(listener) };
}
