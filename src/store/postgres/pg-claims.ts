import type { Pool } from 'pg';
import type { QueueLimits } from '../workflow-store.js';
import { isRetryable } from './pg-write-batcher.js';
import { BINARY } from './pg-columns.js';
import { PgSql } from './pg-sql.js';

/** One claim round of a worker. */
export interface ClaimRequest {
  readonly queue: string;
  readonly owner: string;
  /** Free slots of this worker. */
  readonly limit: number;
  readonly names: readonly string[];
  readonly now: number;
  readonly leaseMs: number;
  /** The queue's limits over every worker, if it has any. */
  readonly queueLimits?: QueueLimits;
}

/**
 * Claims tasks in a transaction of its own (never inside a write batch, so a
 * claim waits on nothing but other claims of its queue):
 *
 * 1. `pg_advisory_xact_lock` on the queue serializes the claims of one queue
 *    across every process, so the counts below cannot be raced;
 * 2. at most `concurrency` minus the tasks of the queue leased now (unexpired
 *    leases of any worker), and at most the rate limit minus the entries logged
 *    in `tempolite_queue_start` within its interval;
 * 3. due tasks, or tasks whose lease expired (a dead worker's: crash recovery),
 *    `FOR UPDATE SKIP LOCKED` so a task some other transaction is changing is
 *    left for the next round.
 */
export async function claimTasks(pool: Pool, lockPrefix: string, r: ClaimRequest): Promise<string[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    for (let tries = 1; ; tries++) {
      try {
        await client.query('BEGIN');
        const ids = await claimIn(new PgSql(client), lockPrefix, r);
        await client.query('COMMIT');
        return ids;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        if (broken === undefined && isRetryable(error) && tries < 5) continue;
        throw error;
      }
    }
  } finally {
    client.release(broken);
  }
}

async function claimIn(sql: PgSql, lockPrefix: string, r: ClaimRequest): Promise<string[]> {
  let limit = r.limit;
  const limits = r.queueLimits;
  if (limits !== undefined) {
    await sql.run(`SELECT pg_advisory_xact_lock(hashtext($1))`, `${lockPrefix}${r.queue}`);
    const leased = await sql.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM tempolite_task WHERE lease_expires_at >= $1 AND queue = $2 AND owner IS NOT NULL`,
      r.now, r.queue,
    );
    limit = Math.min(limit, limits.concurrency - (leased?.n ?? 0));
    if (limits.rateLimit !== undefined && limit > 0) {
      await sql.run(`DELETE FROM tempolite_queue_start WHERE queue = $1 AND started_at <= $2`, r.queue, r.now - limits.rateLimit.intervalMs);
      const started = await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM tempolite_queue_start WHERE queue = $1`, r.queue);
      limit = Math.min(limit, limits.rateLimit.limit - (started?.n ?? 0));
    }
  }
  if (limit <= 0) return [];
  // Ties by id, as SQLite's index orders them: UUID v7 ids are in start order, so a burst runs first in, first out.
  const rows = await sql.all<{ id: string }>(
    `SELECT t.workflow_id AS id FROM tempolite_task t JOIN tempolite_workflow_entity w ON w.id = t.workflow_id
     WHERE t.queue = $1 AND t.available_at IS NOT NULL AND t.available_at <= $2 AND (t.owner IS NULL OR t.lease_expires_at < $2)
       AND w.name = ANY($3::text[])
     ORDER BY t.priority DESC, t.available_at, t.created_at, t.workflow_id ${BINARY} LIMIT $4
     FOR UPDATE OF t SKIP LOCKED`,
    r.queue, r.now, [...r.names], limit,
  );
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  await sql.run(`UPDATE tempolite_task SET owner = $1, lease_expires_at = $2 WHERE workflow_id = ANY($3::text[])`, r.owner, r.now + r.leaseMs, ids);
  if (limits?.rateLimit !== undefined) {
    await sql.run(
      `INSERT INTO tempolite_queue_start (id, queue, started_at) SELECT gen_random_uuid()::text, $1, $2 FROM generate_series(1, $3::integer)`,
      r.queue, r.now, ids.length,
    );
  }
  return ids;
}
