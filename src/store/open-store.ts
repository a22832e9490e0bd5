import { openSqliteDatabase, type SqliteSynchronous } from './data-source.js';
import { ProcessLock } from './sqlite/process-lock.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { WorkflowStore } from './workflow-store.js';

/** How the engine opens its store. */
export interface StoreOpenOptions {
  readonly database: string;
  readonly synchronous: SqliteSynchronous;
  readonly busyTimeoutMs: number;
  /**
   * Take the SQLite process lock (an engine that runs workers). `false` for a
   * client-mode engine beside one: it shares the file and owns no leases.
   * @default true
   */
  readonly lock?: boolean;
}

/** An open store, and whether every lease in it may be taken over at once. */
export interface OpenedStore {
  readonly store: WorkflowStore;
  /** True when this process holds the database alone, so leases of others are from dead processes. */
  readonly exclusive: boolean;
  /** Releases what `close()` of the store does not (the process lock). */
  readonly release: () => void;
}

/**
 * Opens the database named by the options: takes the process lock, migrates
 * (refusing a newer schema) and returns the store.
 */
export async function openStore(options: StoreOpenOptions): Promise<OpenedStore> {
  const memory = options.database === ':memory:';
  const lock = memory || options.lock === false ? undefined : ProcessLock.acquire(options.database);
  try {
    const { dataSource, db } = await openSqliteDatabase(options);
    const store = new SqliteStore(db, dataSource, memory ? 'SQLite :memory:' : `SQLite ${options.database}`);
    return { store, exclusive: options.lock !== false, release: () => lock?.release() };
  } catch (error) {
    lock?.release();
    throw error;
  }
}
