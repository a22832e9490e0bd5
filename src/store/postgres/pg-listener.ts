import type { Pool, PoolClient } from 'pg';
import type { StoreListener } from '../workflow-store.js';
import { CONTROLLED, FINISHED, SIGNALLED, WORK } from './pg-sql.js';

/**
 * LISTEN on the store's channel with one connection of the pool, held for the
 * store's life. A lost connection is replaced after a short pause; meanwhile
 * the workers' polling finds the work, so a missed notification only delays it.
 */
export class PgListener {
  private client: PoolClient | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly channel: string,
    private readonly listener: StoreListener,
  ) {}

  /** Starts listening (connection errors are retried in the background). */
  start(): void {
    this.connecting = this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let client: PoolClient | undefined;
    try {
      client = await this.pool.connect();
      client.on('notification', (message) => {
        const payload = message.payload;
        if (message.channel !== this.channel || payload === undefined) return;
        if (payload.startsWith(WORK)) this.listener.work(payload.slice(WORK.length));
        else if (payload.startsWith(FINISHED)) this.listener.finished(payload.slice(FINISHED.length));
        else if (payload.startsWith(SIGNALLED)) this.listener.signalled(payload.slice(SIGNALLED.length));
        else if (payload.startsWith(CONTROLLED)) this.listener.controlled(payload.slice(CONTROLLED.length));
      });
      client.on('error', () => this.lost(client));
      await client.query(`LISTEN "${this.channel}"`);
      if (this.closed) {
        client.release(true);
        return;
      }
      this.client = client;
    } catch {
      if (client) this.lost(client);
      else this.again();
    }
  }

  private lost(client: PoolClient | undefined): void {
    if (client !== undefined && this.client === client) this.client = undefined;
    try {
      client?.release(true);
    } catch {
      // Already released.
    }
    this.again();
  }

  private again(): void {
    if (this.closed || this.retry !== undefined) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connecting = this.connect();
    }, 1000);
    this.retry.unref();
  }

  /** Stops listening and gives the connection back. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    try {
      await client.query(`UNLISTEN "${this.channel}"`);
      client.release();
    } catch {
      client.release(true);
    }
  }
}
