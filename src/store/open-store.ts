import type { DataSource } from 'typeorm';
import { InvalidOptionsError } from '../errors.js';
import { assertSqliteSchema, openSqliteDatabase, type SqliteSynchronous } from './data-source.js';
import { isPostgresUrl } from './postgres/pg-connection.js';
import { openPostgresStore } from './postgres/open-postgres-store.js';
import { ProcessLock } from './sqlite/process-lock.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { WorkflowStore } from './workflow-store.js';
import type { PostgresStore } from './postgres/postgres-store.js';
import { asStorageError } from './storage-errors.js';

/** How the engine opens its store. */
export interface StoreOpenOptions {
  /** SQLite file path, `':memory:'`, or a `postgres://` URL. */
  readonly database: string;
  readonly synchronous: SqliteSynchronous;
  readonly busyTimeoutMs: number;
  /**
   * Take the SQLite process lock (an engine that runs workers). `false` for a
   * client-mode engine beside one: it shares the file and owns no leases.
   * Ignored on PostgreSQL, which any number of engines share.
   * @default true
   */
  readonly lock?: boolean;
  /**
   * With `lock`, on PostgreSQL: the worker id this engine holds alone while it runs (`DatabaseInUseError` while
   * another live engine holds it).
   */
  readonly workerId?: string;
  /** An application's TypeORM DataSource to take the connection settings from; wins over `database`. */
  readonly dataSource?: DataSource;
  /** `false`: open only a database this version has migrated, changing nothing otherwise. @default true */
  readonly migrate?: boolean;
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
 * Opens the database named by the options and migrates it (refusing a newer
 * schema; with `migrate: false`, refusing one it would have to migrate). SQLite: takes the process lock first, so the engine is alone on the
 * file (`exclusive`). PostgreSQL: shared by any number of processes, so leases
 * of others are only taken over once they expire.
 */
export async function openStore(options: StoreOpenOptions): Promise<OpenedStore> {
  const source = options.dataSource;
  if (source !== undefined) {
    const type = source.options.type;
    if (type === 'postgres') return shared(await withWorkerId(await openPostgresStore({ source, synchronous: options.synchronous, ...migrateOf(options) }), options));
    if (type === 'better-sqlite3' && typeof source.options.database === 'string') return openSqliteStore({ ...options, database: source.options.database });
    throw new InvalidOptionsError('the Tempolite engine', 'dataSource', `must be a "postgres" or "better-sqlite3" DataSource, got "${type}"`);
  }
  if (isPostgresUrl(options.database)) return shared(await withWorkerId(await openPostgresStore({ source: options.database, synchronous: options.synchronous, ...migrateOf(options) }), options));
  return openSqliteStore(options);
}

function migrateOf(options: StoreOpenOptions): { migrate?: boolean } {
  return options.migrate !== undefined ? { migrate: options.migrate } : {};
}

/** A PostgreSQL store of an engine with workers, holding its worker id (closed again when another engine holds it). */
async function withWorkerId(store: PostgresStore, options: StoreOpenOptions): Promise<PostgresStore> {
  if (options.lock === false || options.workerId === undefined) return store;
  try {
    await store.holdWorkerId(options.workerId);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function shared(store: WorkflowStore): OpenedStore {
  return { store, exclusive: false, release: () => undefined };
}

async function openSqliteStore(options: StoreOpenOptions): Promise<OpenedStore> {
  const memory = options.database === ':memory:';
  let lock: ProcessLock | undefined;
  try {
    // Before the lock: a refused file is left without even a lock file beside it.
    assertSqliteSchema(options.database, options.migrate === false);
    lock = memory || options.lock === false ? undefined : ProcessLock.acquire(options.database);
    const { dataSource, db } = await openSqliteDatabase({ ...options, checked: true });
    // The engine holding the lock is the only live one: a task another owner holds is then a dead process's.
    const liveEngine = memory || lock !== undefined ? () => false : () => ProcessLock.isHeld(options.database);
    const store = new SqliteStore(db, dataSource, memory ? 'SQLite :memory:' : `SQLite ${options.database}`, liveEngine);
    return { store, exclusive: options.lock !== false, release: () => lock?.release() };
  } catch (error) {
    lock?.release();
    // A damaged, foreign, read-only, full or unopenable file is refused with a StorageError, the file left as it was.
    throw asStorageError(error, options.database);
  }
}
