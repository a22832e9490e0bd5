import pg from 'pg';
import { StorageError } from '../../errors.js';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { TEMPOLITE_ENTITIES } from '../../../entities/index.js';
import { TEMPOLITE_MIGRATIONS } from '../migrations/index.js';
import { assertSchemaUsable, MIGRATIONS_TABLE, runTempoliteMigrations } from '../schema-guard.js';
import { SILENT_TYPEORM_LOGGER } from '../typeorm-logger.js';
import type { PgTarget } from './pg-connection.js';

/** How to open a Tempolite PostgreSQL database. */
export interface PgOpenOptions {
  readonly target: PgTarget;
  /** `normal` turns `synchronous_commit` off for Tempolite's connections: a commit may be lost if the server crashes, never half-applied. */
  readonly synchronous: 'full' | 'normal';
  /** Connections in Tempolite's pool. @default 12 */
  readonly poolSize?: number;
  /** `false`: only open a schema this version has migrated, creating and changing nothing. @default true */
  readonly migrate?: boolean;
}

/** The open database: TypeORM (schema, migrations) and its `pg` pool for the hot path. */
export interface OpenPgDatabase {
  readonly dataSource: DataSource;
  readonly pool: Pool;
}

const INT8_OID = 20;

/**
 * Type parsers of Tempolite's pool: `bigint` (epoch milliseconds, counts) as a
 * JS number (exact below 2^53), other types as `pg` parses them.
 */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return (pg.types.getTypeParser as (oid: number, format?: 'text' | 'binary') => (value: string) => unknown)(oid, format);
  },
};

/** Advisory-lock key that serializes migrations of one schema between processes starting together. */
function migrationLockKey(schema: string | undefined): string {
  return `tempolite.migrate:${schema ?? ''}`;
}

/**
 * Opens and migrates a Tempolite PostgreSQL database: the schema is created if
 * missing, then guarded and migrated under an advisory lock (several workers may
 * start at once on a fresh database). With `migrate: false` it only checks.
 *
 * @throws SchemaTooNewError if a newer Tempolite migrated it; it is left untouched
 * @throws SchemaNotMigratedError with `migrate: false`, when it lacks migrations; it is left untouched
 */
export async function openPgDatabase(options: PgOpenOptions): Promise<OpenPgDatabase> {
  const { target } = options;
  const startup = [
    ...(target.schema !== undefined ? [`-c search_path=${target.schema}`] : []),
    ...(options.synchronous === 'normal' ? ['-c synchronous_commit=off'] : []),
  ];
  const userExtra = target.connection.extra ?? {};
  const userStartup = typeof userExtra.options === 'string' ? [userExtra.options] : [];
  const dataSource = new DataSource({
    type: 'postgres',
    ...target.connection,
    ...(target.schema !== undefined ? { schema: target.schema } : {}),
    entities: TEMPOLITE_ENTITIES,
    migrations: TEMPOLITE_MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    synchronize: false,
    logging: false,
    logger: SILENT_TYPEORM_LOGGER,
    installExtensions: false,
    applicationName: 'tempolite',
    poolSize: options.poolSize ?? 12,
    extra: { ...userExtra, types: TYPES, ...(startup.length + userStartup.length > 0 ? { options: [...userStartup, ...startup].join(' ') } : {}) },
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    // Refused credentials, an unknown database, no server: the label names the server without the password.
    throw new StorageError(target.label, 'cannot-connect', undefined, error);
  }
  try {
    const pool = (dataSource.driver as unknown as { master: Pool }).master;
    keepLostConnectionsQuiet(pool);
    const lock = await pool.connect();
    try {
      await lock.query('SELECT pg_advisory_lock(hashtext($1))', [migrationLockKey(target.schema)]);
      const migrate = options.migrate ?? true;
      if (migrate && target.schema !== undefined) await lock.query(`CREATE SCHEMA IF NOT EXISTS ${target.schema}`);
      await assertSchemaUsable(dataSource, target.label, !migrate);
      if (migrate) await runTempoliteMigrations(dataSource, target.label);
    } finally {
      await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [migrationLockKey(target.schema)]).catch(() => undefined);
      lock.release();
    }
    return { dataSource, pool };
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
}

const quieted = new WeakSet<PoolClient>();

/**
 * pg-pool listens for a connection's `error` only while it is idle: one lost while checked out (a transaction
 * between statements, the migration lock) emits an `error` nobody hears, which ends the process. Its statements
 * fail on their own (a StorageError), and the pool drops it on release.
 */
function keepLostConnectionsQuiet(pool: Pool): void {
  pool.on('acquire', (client) => {
    if (quieted.has(client)) return;
    quieted.add(client);
    client.on('error', () => undefined);
  });
}
