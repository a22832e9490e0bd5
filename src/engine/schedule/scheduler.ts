import { StorageError, TempoliteError } from '../../errors.js';
import type { WorkflowDefinition } from '../../registry/definitions.js';
import { SystemClock, type Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { WorkflowSchedule } from './cron-schedule.js';

/** Retries of a start wait on real time: a test clock standing still must not hold them up. */
const WALL_CLOCK = new SystemClock();

/** Ticks started in one go after the clock jumped or the process stalled; older ones are skipped beyond it. */
export const MAX_TICKS_AT_ONCE = 100;

/** Starts one tick's workflow: idempotent under its id, so engines sharing a database start it once between them. */
export type StartTick = (definition: WorkflowDefinition, scheduledAt: Date, workflowId: string) => Promise<unknown>;

/** The running schedules of one engine. */
export interface Scheduler {
  /** Stops waiting for ticks; resolves once no start is in flight. */
  stop(): Promise<void>;
}

/** The workflow id of a tick: the workflow's name and the tick's time, so every engine derives the same one. */
export function scheduledWorkflowId(name: string, scheduledAt: Date): string {
  return `${name}@${scheduledAt.toISOString()}`;
}

/**
 * Follows the schedule of every scheduled workflow on the engine's clock,
 * starting one workflow per tick that passes while the engine runs (ticks
 * while no engine runs are not made up for at start).
 */
export function startScheduler(definitions: readonly WorkflowDefinition[], clock: Clock, logger: Logger, start: StartTick, retryMs: number): Scheduler {
  // One signal per schedule: a shared one would collect a listener per sleeping loop (Node warns past 10).
  const loops = definitions.flatMap((definition) => {
    if (definition.schedule === undefined) return [];
    const stopping = new AbortController();
    const done = follow({ definition, schedule: definition.schedule, clock, logger, start, retryMs, stopping: stopping.signal }).catch((error: unknown) =>
      logger.error({ err: error, workflowName: definition.name }, 'following a schedule failed; its workflow is no longer started on its own until the engine starts again'),
    );
    return [{ stopping, done }];
  });
  return {
    stop: async () => {
      for (const loop of loops) loop.stopping.abort();
      await Promise.all(loops.map((loop) => loop.done));
    },
  };
}

interface Follow {
  readonly definition: WorkflowDefinition;
  readonly schedule: WorkflowSchedule;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly start: StartTick;
  /** First wait before starting a tick again after a storage error; it doubles up to 30 s. */
  readonly retryMs: number;
  readonly stopping: AbortSignal;
}

async function follow(f: Follow): Promise<void> {
  const { definition, schedule, clock, logger, stopping } = f;
  let after = clock.now();
  for (;;) {
    const next = schedule.next(after);
    if (next === undefined) return;
    await clock.sleep(next - clock.now(), stopping);
    const now = clock.now();
    // Woken by the close before the tick came, or a timer that fired a little early against the clock's reading.
    // A tick that has come is started even when the close is asked meanwhile: the close waits for it.
    if (now < next) {
      if (stopping.aborted) return;
      continue;
    }
    // Started together: they share a commit, so a close right after a catch-up does not cut it short.
    await Promise.all(dueTicks(definition, schedule, next, now, logger).map((tick) => startTick(f, tick)));
    if (stopping.aborted) return;
    after = now;
  }
}

/** The longest wait between two tries of a tick's start. */
const MAX_RETRY_MS = 30_000;

/**
 * Starts one tick's workflow. A storage error (a locked or unreachable database) is tried again, with
 * backoff on the wall clock, until the start is written or the engine closes: a tick that came while the
 * engine ran is not lost to it. Any other error is the workflow's own (its input cannot be encoded): logged, skipped.
 */
async function startTick(f: Follow, tick: number): Promise<void> {
  const scheduledAt = new Date(tick);
  const workflowId = scheduledWorkflowId(f.definition.name, scheduledAt);
  for (let wait = f.retryMs; ; wait = Math.min(wait * 2, MAX_RETRY_MS)) {
    try {
      await f.start(f.definition, scheduledAt, workflowId);
      return;
    } catch (error) {
      if (f.stopping.aborted) return;
      const transient = error instanceof StorageError || !(error instanceof TempoliteError);
      f.logger[transient ? 'warn' : 'error'](
        { err: error, workflowName: f.definition.name, workflowId },
        transient ? `starting a scheduled workflow failed; trying again in ${wait} ms` : 'starting a scheduled workflow failed; its tick is skipped',
      );
      if (!transient) return;
      await WALL_CLOCK.sleep(wait, f.stopping);
      if (f.stopping.aborted) return;
    }
  }
}

/** The ticks from `first` to `now`, oldest first: every one, or the latest MAX_TICKS_AT_ONCE of them. */
function dueTicks(definition: WorkflowDefinition, schedule: WorkflowSchedule, first: number, now: number, logger: Logger): number[] {
  const ticks: number[] = [];
  for (let tick: number | undefined = first; tick !== undefined && tick <= now; tick = schedule.next(tick)) {
    if (ticks.length === MAX_TICKS_AT_ONCE) {
      const latest = schedule.latest(MAX_TICKS_AT_ONCE, now).reverse();
      logger.warn({ workflowName: definition.name, skippedFrom: new Date(first).toISOString(), startingFrom: new Date(latest[0]!).toISOString() }, `more than ${MAX_TICKS_AT_ONCE} ticks passed at once; only the latest ${MAX_TICKS_AT_ONCE} start`);
      return latest;
    }
    ticks.push(tick);
  }
  return ticks;
}
