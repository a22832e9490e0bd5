import type { WorkflowDefinition } from '../../registry/definitions.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { WorkflowSchedule } from './cron-schedule.js';

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
export function startScheduler(definitions: readonly WorkflowDefinition[], clock: Clock, logger: Logger, start: StartTick): Scheduler {
  const stopping = new AbortController();
  const loops = definitions.flatMap((definition) => (definition.schedule === undefined ? [] : [follow(definition, definition.schedule, clock, logger, start, stopping.signal)]));
  return {
    stop: async () => {
      stopping.abort();
      await Promise.all(loops);
    },
  };
}

async function follow(definition: WorkflowDefinition, schedule: WorkflowSchedule, clock: Clock, logger: Logger, start: StartTick, stopping: AbortSignal): Promise<void> {
  let after = clock.now();
  for (;;) {
    const next = schedule.next(after);
    if (next === undefined) return;
    await clock.sleep(next - clock.now(), stopping);
    if (stopping.aborted) return;
    const now = clock.now();
    // A timer may fire a little early against the clock's reading: wait for the rest.
    if (now < next) continue;
    for (const tick of dueTicks(definition, schedule, next, now, logger)) {
      if (stopping.aborted) return;
      const scheduledAt = new Date(tick);
      const workflowId = scheduledWorkflowId(definition.name, scheduledAt);
      try {
        await start(definition, scheduledAt, workflowId);
      } catch (error) {
        if (stopping.aborted) return;
        logger.error({ err: error, workflowName: definition.name, workflowId }, 'starting a scheduled workflow failed; its tick is skipped');
      }
    }
    after = now;
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
