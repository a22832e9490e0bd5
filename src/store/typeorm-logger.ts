import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's logger for Tempolite's DataSources: silent. TypeORM prints a failed
 * migration to the console whatever `logging` says; Tempolite reports it itself,
 * as a StorageError (`migration-failed`) through `start()`.
 */
export const SILENT_TYPEORM_LOGGER: TypeOrmLogger = {
  logQuery: () => undefined,
  logQueryError: () => undefined,
  logQuerySlow: () => undefined,
  logSchemaBuild: () => undefined,
  logMigration: () => undefined,
  log: () => undefined,
};
