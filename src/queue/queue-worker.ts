import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs } from '../engine/backoff.js';
import { LeaseLostError } from '../errors.js';
import type { Logger } from '../engine/logger.js';
import type { Clock } from '../engine/clock.js';
import type { ResolvedQueue } from '../engine/engine-options.js';
import type { WorkflowStore } from '../store/workflow-store.js';
import { isTerminal } from '../store/statuses.js';
import { sharedAbortController } from '../engine/shared-abort.js';

/** What a queue worker needs from the engine. */
export interface QueueWorkerDeps {
  readonly store: WorkflowStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly owner: string;
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  /** Workflow names this engine can run: tasks of others are left alone. */
  readonly workflowNames: readonly string[];
  /** Runs one claimed workflow to the end of its execution. */
  readonly run: (workflowId: string, claimedAt: number) => Promise<void>;
}

/** First pause before a workflow whose run failed runs again; it doubles up to MAX_BACKOFF_MS. */
const RERUN_FIRST_MS = 500;

/**
 * Claims and runs the tasks of one queue, never more than its concurrency at
 * once. Woken by `poke()` when work may have appeared here, by a timer at the
 * next known due time, and by polling for work from elsewhere.
 */
export class QueueWorker {
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;
  /** Set by `abandon()`: close() no longer waits for the runs still under way. */
  private abandoned = false;
  /** Ends the pauses of workflows waiting to run again. */
  private readonly stopped = sharedAbortController();
  private claiming = false;
  /** The claim round under way (or the last one): `stop()` waits for it, so no claim lands after the engine closed. */
  private round: Promise<void> = Promise.resolve();
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  /** Times of recent entries, for the rate limit (oldest first). */
  private readonly entries: number[] = [];
  /** The read of the recent entries an earlier engine made, before the first claim (rate-limited queues). */
  private seeding: Promise<void> | undefined;

  constructor(
    readonly queue: string,
    private readonly limits: ResolvedQueue,
    private readonly deps: QueueWorkerDeps,
  ) {}

  /** Slots the rate limit allows now. */
  private rateAllowance(now: number): number {
    const rate = this.limits.rateLimit;
    if (rate === undefined) return Infinity;
    while (this.entries.length > 0 && this.entries[0]! <= now - rate.intervalMs) this.entries.shift();
    return rate.limit - this.entries.length;
  }

  /** Workflows of this queue running now. */
  get runningCount(): number {
    return this.running.size;
  }

  /** Starts claiming. */
  start(): void {
    const rate = this.limits.rateLimit;
    if (rate !== undefined) {
      // The claims an earlier engine made within the window still count: a restart grants no second batch.
      this.seeding = this.deps.store.recentClaims(this.queue, this.deps.clock.now() - rate.intervalMs).then(
        (times) => {
          this.entries.unshift(...times);
        },
        // Unread, the window starts empty (as before a restart): claiming must not stop on it.
        (error: unknown) => this.deps.logger.warn({ err: error, queue: this.queue }, 'reading the rate-limit window of the last engine failed; it starts empty'),
      );
    }
    this.poke();
  }

  /** Asks for a claim round soon (new task, freed slot, woken workflow). */
  poke(): void {
    if (this.stopping) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    this.claiming = true;
    // A microtask, not setImmediate: the claim then joins the group commit that is still
    // collecting, so a workflow started in this process is created and claimed in one commit.
    this.round = Promise.resolve().then(() => this.claimRound());
  }

  private async claimRound(): Promise<void> {
    const { store, clock, logger } = this.deps;
    try {
      if (this.seeding !== undefined) {
        await this.seeding;
        this.seeding = undefined;
      }
      do {
        this.again = false;
        const now = clock.now();
        // This engine's slots; the store keeps the queue's limits over every engine sharing the database.
        const free = Math.min(this.limits.workerConcurrency - this.running.size, this.rateAllowance(now));
        if (free <= 0 || this.stopping) break;
        const ids = await store.claimTasks(this.queue, this.deps.owner, free, this.deps.workflowNames, now, this.deps.leaseMs, this.limits);
        // Claimed while the engine closes: not run here; the engine releases this owner's leases once the workers stopped.
        if (this.stopping) break;
        for (const id of ids) {
          this.entries.push(now);
          this.launch(id, now);
        }
        if (ids.length === free) this.again = true;
      } while (this.again && !this.stopping);
    } catch (error) {
      logger.error({ err: error, queue: this.queue }, 'claiming tasks failed');
    } finally {
      this.claiming = false;
      await this.schedule().catch((error: unknown) => logger.error({ err: error, queue: this.queue }, 'scheduling the next claim failed'));
    }
  }

  /** The workflows this worker holds leases on: claimed and not yet let go (running, or pausing before a re-run). */
  heldWorkflowIds(): string[] {
    return [...this.running.keys()];
  }

  private launch(workflowId: string, claimedAt: number): void {
    const work: Promise<void> = this.runHeld(workflowId, claimedAt).finally(() => {
      // A claim in the commit that ended this run may have taken the workflow again already: keep that run's entry.
      if (this.running.get(workflowId) === work) this.running.delete(workflowId);
      this.poke();
    });
    this.running.set(workflowId, work);
  }

  /**
   * Runs a claimed workflow; when that fails (the database refused a write: a full disk, a lost
   * connection), runs it again after a growing pause, keeping its lease and its slot meanwhile, so
   * it goes on by itself once the database takes writes again. Closing the engine ends the pauses
   * (the lease is released, or expires, and the next start recovers it).
   */
  private async runHeld(workflowId: string, claimedAt: number): Promise<void> {
    for (let failures = 0; ; failures++) {
      try {
        await this.deps.run(workflowId, claimedAt);
        return;
      } catch (error) {
        if (error instanceof LeaseLostError) {
          // Ended meanwhile (a cancel from any process ends a workflow no body holds at once): nothing was taken over.
          const now = await this.deps.store.getWorkflow(workflowId).catch(() => undefined);
          if (now !== undefined && isTerminal(now.status)) return;
          // Another worker took the workflow over while this one stalled: it is theirs now.
          this.deps.logger.warn({ err: error, workflowId }, 'a workflow was taken over by another worker; its body here stopped');
          return;
        }
        if (this.abandoned) {
          // The database was closed under a body that close() stopped waiting for.
          this.deps.logger.warn({ err: error, workflowId }, 'a workflow left running by close() ended; what it did after the close is not recorded, and the next engine recovers it');
          return;
        }
        const pauseMs = backoffMs(failures, RERUN_FIRST_MS);
        this.deps.logger.error({ err: error, workflowId, retryInMs: pauseMs }, 'running a workflow failed; it runs again after a pause');
        try {
          await sleep(pauseMs, undefined, { signal: this.stopped.signal });
        } catch {
          return;
        }
        claimedAt = this.deps.clock.now();
      }
    }
  }

  /** Sleeps until the next known due task or the poll interval, whichever comes first. */
  private async schedule(): Promise<void> {
    if (this.stopping) return;
    const now = this.deps.clock.now();
    const due = await this.deps.store.nextWakeAt(this.queue, now);
    if (this.stopping) return;
    clearTimeout(this.timer);
    const rate = this.limits.rateLimit;
    const rateFreesAt = rate !== undefined && this.rateAllowance(now) <= 0 && this.entries[0] !== undefined ? this.entries[0] + rate.intervalMs : undefined;
    const next = Math.min(due ?? Infinity, rateFreesAt ?? Infinity);
    const delay = Math.min(this.deps.pollIntervalMs, Math.max(0, next - now));
    this.timer = setTimeout(() => this.poke(), delay);
  }

  /** Marks the runs still under way as left behind by a close that stopped waiting for them. */
  abandon(): void {
    this.abandoned = true;
  }

  /** Stops claiming and waits for the running workflows (the engine has asked them to stop). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    clearTimeout(this.timer);
    await this.round;
    await Promise.allSettled([...this.running.values()]);
  }
}
