import { existsSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { TEMPOLITE_ENTITIES } from '../../entities/index.js';
import { InvalidOptionsError, SchemaNotMigratedError } from '../errors.js';
import { TEMPOLITE_MIGRATIONS } from './migrations/index.js';
import { checkAppliedMigrations, knownMigrationNames, MIGRATIONS_TABLE, runTempoliteMigrations } from './schema-guard.js';
import { SILENT_TYPEORM_LOGGER } from './typeorm-logger.js';

/** How hard SQLite syncs each commit. */
export type SqliteSynchronous = 'full' | 'normal';

/** How to open a Tempolite SQLite database. */
export interface SqliteOpenOptions {
  /** File path, or `':memory:'`. */
  database: string;
  /**
   * `full` survives power loss with the last commit; `normal` (in WAL mode) may
   * lose the last commits on power loss but never corrupts the file.
   */
  synchronous: SqliteSynchronous;
  /** How long a statement waits for a lock held by another connection. */
  busyTimeoutMs: number;
  /**
   * `false`: the file must already be migrated by this version; nothing is
   * created or changed (not even the journal mode) when it is not.
   * @default true
   */
  migrate?: boolean;
}

/** The open database: TypeORM on top, the raw better-sqlite3 handle for hot paths. */
export interface OpenSqliteDatabase {
  /** Initialized and migrated. */
  dataSource: DataSource;
  /** The connection the DataSource uses; it is the only one, so both see the same transactions. */
  db: BetterSqlite3.Database;
}

const SYNCHRONOUS_PRAGMA: Record<SqliteSynchronous, string> = { full: 'FULL', normal: 'NORMAL' };

/** Pragmas go into SQL text, so only values that cannot inject are let through. */
function validate(options: SqliteOpenOptions): void {
  if (!Object.hasOwn(SYNCHRONOUS_PRAGMA, options.synchronous)) {
    const got = String(options.synchronous);
    throw new InvalidOptionsError('the SQLite database', 'synchronous', `must be "full" or "normal", got ${got}`);
  }
  if (!Number.isSafeInteger(options.busyTimeoutMs) || options.busyTimeoutMs < 0) {
    const got = String(options.busyTimeoutMs);
    throw new InvalidOptionsError('the SQLite database', 'busyTimeoutMs', `must be a non-negative integer, got ${got}`);
  }
}

function applyPragmas(db: BetterSqlite3.Database, options: SqliteOpenOptions): void {
  // WAL lets readers run beside the single writer; an in-memory database cannot use it.
  if (options.database !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${SYNCHRONOUS_PRAGMA[options.synchronous]}`);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  db.pragma('foreign_keys = ON');
}

/**
 * A DataSource for a Tempolite SQLite file, not yet initialized.
 * Schema changes come only from migrations, never from `synchronize`.
 */
export function createSqliteDataSource(options: SqliteOpenOptions): DataSource {
  validate(options);
  return new DataSource({
    type: 'better-sqlite3',
    database: options.database,
    entities: TEMPOLITE_ENTITIES,
    migrations: TEMPOLITE_MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    synchronize: false,
    logging: false,
    logger: SILENT_TYPEORM_LOGGER,
    timeout: options.busyTimeoutMs,
    prepareDatabase: (db: BetterSqlite3.Database) => {
      try {
        applyPragmas(db, options);
      } catch (error) {
        // TypeORM has not stored the handle yet, so nobody else would close it.
        db.close();
        throw error;
      }
    },
  });
}

/**
 * Refuses a file a newer Tempolite migrated and, with `requireAll` (`migrate:
 * false`), one this version has not fully migrated, reading its migrations table
 * through a handle of its own before anything else opens it: the DataSource's
 * pragmas would switch a refused file to WAL, and the process lock would leave a
 * file beside it. Not read-only: a read-only handle cannot remove the `-wal` and
 * `-shm` files it makes beside a WAL-mode file when it closes. It writes nothing.
 * @throws SchemaNotMigratedError, SchemaTooNewError as `checkAppliedMigrations`
 */
export function assertSqliteSchema(file: string, requireAll: boolean): void {
  if (file === ':memory:' || !existsSync(file)) {
    // Nothing there yet: a migrating engine creates it.
    if (requireAll) throw new SchemaNotMigratedError(knownMigrationNames(), file, true);
    return;
  }
  const db = new BetterSqlite3(file, { fileMustExist: true });
  try {
    const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(MIGRATIONS_TABLE) !== undefined;
    const applied = hasTable ? (db.prepare(`SELECT name FROM "${MIGRATIONS_TABLE}"`).pluck().all() as string[]) : undefined;
    checkAppliedMigrations(applied, file, requireAll);
  } finally {
    db.close();
  }
}

/**
 * Checks ({@link assertSqliteSchema}), then opens (creating if needed) and
 * migrates a Tempolite SQLite database; with `migrate: false` only opens one
 * this version migrated. `openStore` checks before it takes the process lock and
 * passes `checked`.
 *
 * @throws SchemaTooNewError if a newer Tempolite migrated the file; it is left untouched
 * @throws SchemaNotMigratedError with `migrate: false`, when the file lacks migrations; it is left untouched
 */
export async function openSqliteDatabase(options: SqliteOpenOptions & { readonly checked?: boolean }): Promise<OpenSqliteDatabase> {
  const migrate = options.migrate ?? true;
  if (options.checked !== true) assertSqliteSchema(options.database, !migrate);
  const dataSource = createSqliteDataSource(options);
  await dataSource.initialize();
  try {
    if (migrate) await runTempoliteMigrations(dataSource, options.database);
    // TypeORM does not expose the handle in its types; the better-sqlite3 driver keeps it here.
    const db = (dataSource.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
    return { dataSource, db };
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
}
