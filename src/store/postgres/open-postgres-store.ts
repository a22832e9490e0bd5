import { targetOfDataSource, targetOfUrl, type PgTarget } from './pg-connection.js';
import { openPgDatabase } from './pg-database.js';
import { PostgresStore } from './postgres-store.js';
import type { DataSource } from 'typeorm';

/** How the engine opens a PostgreSQL store: a URL, or an application's TypeORM DataSource. */
export interface PostgresStoreOptions {
  /** `postgres://…` URL (with an optional `?schema=name`), or a DataSource whose connection settings Tempolite uses. */
  readonly source: string | DataSource;
  readonly synchronous: 'full' | 'normal';
  /** `false`: only open a schema this version has migrated. @default true */
  readonly migrate?: boolean;
}

/** The NOTIFY channel and advisory-lock prefix of a schema: several Tempolite schemas in one database never hear or block each other. */
function namesOf(target: PgTarget): { channel: string; lockPrefix: string; workerLockSpace: string } {
  const schema = target.schema ?? 'public';
  return { channel: `tempolite_${schema}`.slice(0, 63), lockPrefix: `tempolite.queue:${schema}:`, workerLockSpace: `tempolite.worker:${schema}` };
}

/**
 * Opens (and migrates, unless `migrate: false`) a Tempolite database on PostgreSQL.
 * @throws SchemaTooNewError, SchemaNotMigratedError; InvalidOptionsError for a bad URL or schema name; the driver's connection errors
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const target = typeof options.source === 'string' ? targetOfUrl(options.source) : targetOfDataSource(options.source);
  const { dataSource, pool } = await openPgDatabase({ target, synchronous: options.synchronous, ...(options.migrate !== undefined ? { migrate: options.migrate } : {}) });
  const { channel, lockPrefix, workerLockSpace } = namesOf(target);
  return new PostgresStore(pool, dataSource, target.label, channel, lockPrefix, workerLockSpace);
}
