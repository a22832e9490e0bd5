import type { Pool, PoolClient } from 'pg';
import { backoffMs } from '../../engine/backoff.js';
import { DatabaseInUseError } from '../../errors.js';

/** First wait before taking the lock again after its connection was lost; it doubles (see `backoffMs`). */
const FIRST_RETAKE_MS = 500;

/**
 * An engine's hold on its `workerId`: a session advisory lock on a connection of its own, which PostgreSQL frees
 * when that connection ends, also when the process dies. A connection lost while the engine runs (a restart of
 * the server, a network cut) loses the lock with it: it is taken again as soon as the server answers, so a second
 * engine started with the same id afterwards is refused again.
 */
export class PgWorkerLock {
  private client: PoolClient | undefined;
  private released = false;
  private retakeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    /** First key of the two-key lock (one space per schema, apart from the queues' one-key locks). */
    private readonly space: string,
    private readonly workerId: string,
    private readonly label: string,
  ) {}

  /** @throws DatabaseInUseError when a live engine holds the id */
  async take(): Promise<void> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ held: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS held`, [this.space, this.workerId]);
      if (rows[0]?.held !== true) throw new DatabaseInUseError(this.label, this.workerId);
    } catch (error) {
      client.release(true);
      throw error;
    }
    if (this.released) {
      client.release(true);
      return;
    }
    this.client = client;
    const lost = (): void => {
      if (this.client !== client) return;
      this.client = undefined;
      client.release(true);
      this.retake(0);
    };
    client.on('error', lost);
    client.on('end', lost);
  }

  /** Frees the id: ending the connection ends its session, and the lock with it. */
  release(): void {
    this.released = true;
    clearTimeout(this.retakeTimer);
    this.client?.release(true);
    this.client = undefined;
  }

  /** Tries to take the lock again after a pause, as try `retry + 1` since the connection was lost. */
  private retake(retry: number): void {
    if (this.released) return;
    this.retakeTimer = setTimeout(() => {
      // Unreachable still, or (rarely) another engine took the id meanwhile: try again until it is this one's.
      this.take().catch(() => this.retake(retry + 1));
    }, backoffMs(retry, FIRST_RETAKE_MS));
    this.retakeTimer.unref();
  }
}
