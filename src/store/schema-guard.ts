import type { DataSource } from 'typeorm';
import { SchemaTooNewError } from '../errors.js';
import { TEMPOLITE_MIGRATIONS } from './migrations/index.js';

/** Table where TypeORM records the migrations it ran on a Tempolite database. */
export const MIGRATIONS_TABLE = 'tempolite_migrations';

/** Names this build knows, computed the way TypeORM's MigrationExecutor names migrations. */
function knownMigrationNames(): Set<string> {
  return new Set(TEMPOLITE_MIGRATIONS.map((migration) => new migration().name ?? migration.name));
}

/**
 * Refuses a database that a newer Tempolite has migrated.
 *
 * Runs before our own migrations: TypeORM would silently ignore unknown rows in
 * the migrations table and let old code write to a schema it does not understand.
 * Read-only, so a refused database is left exactly as it was.
 *
 * @param dataSource an initialized DataSource on the database to check
 * @param databaseLabel how to name the database in the error, e.g. its file path
 * @throws SchemaTooNewError listing the migrations this build does not know
 */
export async function assertSchemaNotNewer(dataSource: DataSource, databaseLabel: string): Promise<void> {
  const queryRunner = dataSource.createQueryRunner();
  try {
    // A fresh database has no migrations table yet; nothing can be too new then.
    if (!(await queryRunner.hasTable(MIGRATIONS_TABLE))) return;
    const { driver } = dataSource;
    const rows: unknown = await queryRunner.query(
      `SELECT ${driver.escape('name')} AS ${driver.escape('name')} FROM ${driver.escape(MIGRATIONS_TABLE)}`,
    );
    const known = knownMigrationNames();
    const unknown = (rows as Array<{ name: string }>).map((row) => row.name).filter((name) => !known.has(name));
    if (unknown.length > 0) throw new SchemaTooNewError(unknown.sort(), databaseLabel);
  } finally {
    await queryRunner.release();
  }
}
