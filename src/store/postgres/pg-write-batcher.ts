import type { Pool, PoolClient } from 'pg';
import { LeaseLostError } from '../../errors.js';
import { taskLockOrder } from './pg-columns.js';
import { PgSql } from './pg-sql.js';
import { asPgStoreError } from '../storage-errors.js';

/** A write of a running body needs its workflow still leased by its worker. */
export interface Fence {
  readonly workflowId: string;
  readonly owner: string;
}

/** One write: statements on the transaction's client, returning what the caller awaits. */
export type PgOp<T> = (sql: PgSql) => Promise<T>;

interface Pending {
  readonly op: PgOp<unknown>;
  readonly fence: Fence | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Result = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** An op threw: the batch is replayed with a savepoint per op so the others can still commit. */
class OpFailed extends Error {
  constructor(readonly original: unknown) {
    super('a write of the batch failed');
  }
}

/** Deadlocks and serialization failures: PostgreSQL rolled the transaction back, running it again is safe. */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

const MAX_TRIES = 8;
const MAX_BATCH = 256;

/**
 * Group commit on PostgreSQL: writes queued while the previous transaction
 * commits run together in the next one, on one pooled connection, in the order
 * they were queued (one transaction in flight per store, as the SQLite
 * WriteBatcher, so a later write never overtakes an earlier one). Every promise
 * resolves after the commit. A write that throws rolls back alone: the batch is
 * replayed with a savepoint per write. A deadlock with another process rolls the
 * whole batch back and runs it again. NOTIFYs asked by the writes are sent in
 * the transaction, so listeners hear of them exactly when they are committed.
 */
export class PgWriteBatcher {
  private queue: Pending[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    /** NOTIFY channel of the store. */
    private readonly channel: string,
    /** The store's label, named by the StorageError of a lost connection. */
    private readonly database: string,
  ) {}

  /** Queues `op` for the next group commit; resolves with its return value after the commit. */
  enqueue<T>(op: PgOp<T>, fence?: Fence): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ op, fence, resolve: resolve as (value: unknown) => void, reject });
      this.running ??= new Promise<void>((done) => setImmediate(done)).then(() => this.loop());
    });
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        if (this.queue.length === 0) {
          // Let the callbacks of the last commit queue what they write next, to share the next commit.
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.queue.length === 0) return;
        }
        const batch = this.queue.splice(0, MAX_BATCH);
        await this.commit(batch);
      }
    } finally {
      this.running = undefined;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      for (const pending of batch) pending.reject(asPgStoreError(error, this.database));
      return;
    }
    let broken: Error | undefined;
    try {
      let isolated = false;
      for (let tries = 1; ; tries++) {
        try {
          const results = await this.transaction(client, batch, isolated);
          batch.forEach((pending, index) => {
            const result = results[index]!;
            if (result.ok) pending.resolve(result.value);
            else pending.reject(result.error);
          });
          return;
        } catch (error) {
          await client.query('ROLLBACK').catch((rollbackError: unknown) => {
            broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
          });
          if (broken) throw error;
          if (isRetryable(error) && tries < MAX_TRIES) {
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * tries));
            continue;
          }
          if (error instanceof OpFailed && batch.length === 1) {
            batch[0]!.reject(error.original);
            return;
          }
          if (error instanceof OpFailed && !isolated) {
            isolated = true;
            continue;
          }
          throw error;
        }
      }
    } catch (error) {
      // The commit itself failed (connection lost, server gone): nothing of the batch is known to be durable.
      for (const pending of batch) pending.reject(asPgStoreError(error, this.database));
    } finally {
      client.release(broken);
    }
  }

  private async transaction(client: PoolClient, batch: Pending[], isolated: boolean): Promise<Result[]> {
    await client.query('BEGIN');
    const held = await heldLeases(client, batch);
    const results: Result[] = [];
    const notified = new Set<string>();
    for (const pending of batch) {
      const fence = pending.fence;
      if (fence !== undefined && !held.has(fence.workflowId)) {
        results.push({ ok: false, error: new LeaseLostError(fence.workflowId, fence.owner) });
        continue;
      }
      const sql = new PgSql(client);
      if (!isolated) {
        try {
          results.push({ ok: true, value: await pending.op(sql) });
        } catch (error) {
          throw isRetryable(error) ? error : new OpFailed(error);
        }
      } else {
        await client.query('SAVEPOINT tempolite_op');
        try {
          results.push({ ok: true, value: await pending.op(sql) });
          await client.query('RELEASE SAVEPOINT tempolite_op');
        } catch (error) {
          if (isRetryable(error)) throw error;
          await client.query('ROLLBACK TO SAVEPOINT tempolite_op');
          await client.query('RELEASE SAVEPOINT tempolite_op');
          results.push({ ok: false, error });
          continue;
        }
      }
      for (const queue of sql.notified) notified.add(queue);
    }
    if (notified.size > 0) {
      await client.query({ name: 'tempolite_notify', text: 'SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', values: [this.channel, [...notified]] });
    }
    await client.query('COMMIT');
    return results;
  }

  /** Commits everything queued, including writes queued by callbacks of these commits. */
  async drain(): Promise<void> {
    while (this.running !== undefined || this.queue.length > 0) {
      await (this.running ?? new Promise<void>((resolve) => setImmediate(resolve)));
    }
  }
}

/**
 * The fenced workflows of a batch whose task this worker still leases. `FOR SHARE` holds the task rows
 * until the commit: a takeover's claim (an UPDATE of the row) waits for this batch, or this check waits
 * for the claim and then sees the new owner. So a stalled worker's write lands before the new owner
 * reads the checkpoints, or not at all.
 */
async function heldLeases(client: PoolClient, batch: readonly Pending[]): Promise<Set<string>> {
  const fences = batch.flatMap((pending) => (pending.fence === undefined ? [] : [pending.fence]));
  if (fences.length === 0) return new Set();
  const { rows } = await client.query<{ id: string }>({
    name: 'tempolite_fence',
    text: `SELECT t.workflow_id AS id FROM tempolite_task t JOIN unnest($1::text[], $2::text[]) AS f(workflow_id, owner)
           ON t.workflow_id = f.workflow_id AND t.owner = f.owner ORDER BY ${taskLockOrder('t.workflow_id')} FOR SHARE OF t`,
    values: [fences.map((fence) => fence.workflowId), fences.map((fence) => fence.owner)],
  });
  return new Set(rows.map((row) => row.id));
}
