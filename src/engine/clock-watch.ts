import type { EngineDeps } from './engine-deps.js';

/**
 * Follows jumps of a clock that has them (a TestClock): renews this engine's
 * leases at the new time first, since they would otherwise look expired and
 * let running workflows be claimed twice, then pokes every worker so tasks
 * that became due are claimed now rather than at the next poll.
 * @returns a function that stops following
 */
export function followClockJumps(deps: EngineDeps): () => void {
  const unsubscribe = deps.clock.onAdvance?.(() => {
    deps.store.renewLeases(deps.workerId, deps.held(), deps.clock.now(), deps.options.leaseMs).catch((error: unknown) => deps.logger.error({ err: error }, 'renewing leases failed'));
    for (const queue of deps.options.queues.keys()) deps.poke(queue);
  });
  return unsubscribe ?? (() => undefined);
}
