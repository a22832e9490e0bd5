import type { DataSource, QueryRunner } from 'typeorm';
import { SchemaNotMigratedError, SchemaTooNewError, StorageError, TempoliteError } from '../errors.js';
import { asStorageError, sqliteCodeOf } from './storage-errors.js';
import { TEMPOLITE_MIGRATIONS } from './migrations/index.js';

/** Table where TypeORM records the migrations it ran on a Tempolite database. */
export const MIGRATIONS_TABLE = 'tempolite_migrations';

/** Names this build knows, oldest first, computed the way TypeORM's MigrationExecutor names migrations. */
export function knownMigrationNames(): string[] {
  return TEMPOLITE_MIGRATIONS.map((migration) => new migration().name ?? migration.name);
}

/**
 * Refuses migrations this build does not know, then (when `requireAll`) a database
 * that lacks some of this build's own.
 *
 * @param applied the names in the migrations table; `undefined` when there is no such table
 * @param databaseLabel how to name the database in the error, e.g. its file path
 * @param requireAll true for an engine that must not migrate (`migrate: false`)
 * @throws SchemaTooNewError listing the migrations this build does not know
 * @throws SchemaNotMigratedError (only with `requireAll`) listing the ones the database lacks
 */
export function checkAppliedMigrations(applied: readonly string[] | undefined, databaseLabel: string, requireAll: boolean): void {
  const known = knownMigrationNames();
  const unknown = (applied ?? []).filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new SchemaTooNewError(unknown.sort(), databaseLabel);
  if (!requireAll) return;
  const pending = known.filter((name) => !(applied ?? []).includes(name));
  if (pending.length > 0) throw new SchemaNotMigratedError(pending, databaseLabel, applied === undefined || applied.length === 0);
}

/**
 * Checks the migrations a database has had before anything is written to it:
 * TypeORM would silently ignore unknown rows in the migrations table and let old
 * code write to a schema it does not understand. Read-only, so a refused
 * database is left exactly as it was.
 *
 * @param dataSource an initialized DataSource on the database to check
 * @param databaseLabel how to name the database in the error, e.g. its file path
 * @param requireAll true for an engine that must not migrate (`migrate: false`)
 * @throws SchemaTooNewError, SchemaNotMigratedError as {@link checkAppliedMigrations}
 */
export async function assertSchemaUsable(dataSource: DataSource, databaseLabel: string, requireAll: boolean): Promise<void> {
  const applied = await withQueryRunner(dataSource, async (queryRunner) => {
    if (!(await queryRunner.hasTable(MIGRATIONS_TABLE))) return undefined;
    const { driver } = dataSource;
    const rows: unknown = await queryRunner.query(`SELECT ${driver.escape('name')} AS ${driver.escape('name')} FROM ${driver.escape(MIGRATIONS_TABLE)}`);
    return (rows as Array<{ name: string }>).map((row) => row.name);
  });
  checkAppliedMigrations(applied, databaseLabel, requireAll);
}

/**
 * Runs the migrations the database lacks, all in one transaction.
 * @throws StorageError: the driver's problem (a full disk...), else `migration-failed`; the schema is rolled back
 */
export async function runTempoliteMigrations(dataSource: DataSource, databaseLabel: string): Promise<void> {
  const hadMigrationsTable = await withQueryRunner(dataSource, (runner) => runner.hasTable(MIGRATIONS_TABLE));
  try {
    await dataSource.runMigrations({ transaction: 'all' });
  } catch (error) {
    // TypeORM creates its migrations table before the transaction: a first migration that failed leaves it, empty.
    if (!hadMigrationsTable) await withQueryRunner(dataSource, (runner) => runner.dropTable(MIGRATIONS_TABLE, true)).catch(() => undefined);
    const mapped = asStorageError(error, databaseLabel);
    if (mapped instanceof TempoliteError) throw mapped;
    throw new StorageError(databaseLabel, 'migration-failed', sqliteCodeOf(error), error);
  }
}

async function withQueryRunner<T>(dataSource: DataSource, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    return await work(runner);
  } finally {
    await runner.release();
  }
}
