import type { Pool } from 'pg';
import { PgWriteBatcher, type Fence, type PgOp } from './pg-write-batcher.js';

/** Writers (connections, each with its own group commit) of one store. */
export const WRITER_SHARDS = 4;

function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Which workflow an execution or an attempt belongs to, for the ops that do
 * not name it: a workflow's writes (its execution, steps and attempts) then
 * share one writer and commit in the order they were made, as on SQLite.
 */
export class WriteKeys {
  private readonly executions = new Map<string, string>();
  private readonly attempts = new Map<string, string>();
  /** Workflows with an execution running in this process, and the worker that leases them. */
  private readonly owners = new Map<string, string>();

  /** An execution of `workflowId` began in this process, run by worker `owner`. */
  executionBegan(executionId: string, workflowId: string, owner: string): void {
    this.executions.set(executionId, workflowId);
    this.owners.set(workflowId, owner);
  }

  /** An execution ended: its keys, and the lease its writes needed, are no longer known here. */
  executionEnded(executionId: string | undefined): void {
    if (executionId === undefined) return;
    const workflowId = this.executions.get(executionId);
    this.executions.delete(executionId);
    if (workflowId !== undefined) this.owners.delete(workflowId);
  }

  /** The lease a write of a running body needs, when the body runs in this process. */
  fenceOf(workflowId: string): Fence | undefined {
    const owner = this.owners.get(workflowId);
    return owner === undefined ? undefined : { workflowId, owner };
  }

  /** The key of an attempt made by `executionId`, remembered for its end. */
  attemptBegan(attemptId: string, executionId: string, fallback: string): string {
    const key = this.executions.get(executionId) ?? fallback;
    this.attempts.set(attemptId, key);
    return key;
  }

  /** The key of an attempt's end (and forgets the attempt). */
  attemptEnded(attemptId: string, fallback: string): string {
    const key = this.attempts.get(attemptId) ?? fallback;
    this.attempts.delete(attemptId);
    return key;
  }
}

/**
 * Several group-commit batchers side by side, so one process commits on a few
 * connections at once. Writes are routed by the workflow they are about
 * (`keys` finds it for attempts): one workflow's writes stay in order, each
 * after the previous one's commit, exactly as with a single batcher; writes
 * about different workflows never depended on each other's order (each is
 * awaited by its caller before anything that relies on it), and row locks
 * order them where they meet in the database.
 */
export class PgWriter {
  private readonly shards: PgWriteBatcher[];
  /** Workflow keys of executions and attempts under way in this process. */
  readonly keys = new WriteKeys();

  constructor(pool: Pool, channel: string, database: string, shards = WRITER_SHARDS) {
    this.shards = Array.from({ length: shards }, () => new PgWriteBatcher(pool, channel, database));
  }

  /** Queues `op` on the writer of `key`; resolves with its value after its commit. */
  enqueue<T>(key: string, op: PgOp<T>): Promise<T> {
    return this.shard(key).enqueue(op);
  }

  /**
   * Queues a write of a body: when its workflow (`key`) runs in this process, the write is refused
   * with a LeaseLostError if another worker holds the workflow's lease by the time it commits.
   */
  enqueueFenced<T>(key: string, op: PgOp<T>): Promise<T> {
    return this.shard(key).enqueue(op, this.keys.fenceOf(key));
  }

  private shard(key: string): PgWriteBatcher {
    return this.shards[hash(key) % this.shards.length]!;
  }

  /** Commits everything queued on every writer. */
  async drain(): Promise<void> {
    await Promise.all(this.shards.map((shard) => shard.drain()));
  }
}
