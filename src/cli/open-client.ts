import { existsSync } from 'node:fs';
import { silentLogger } from '../engine/logger.js';
import type { Tempolite } from '../engine/tempolite.js';
import { OperationError } from './cli-errors.js';

/** Whether `db` names a PostgreSQL database rather than a SQLite file. */
export function isDatabaseUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/**
 * Opens `db` with an engine in client mode (no workers, no process lock), so
 * it works while the application's engine runs on the same database.
 * @throws OperationError when a SQLite file does not exist (the CLI never creates one)
 */
export async function openClient(db: string): Promise<Tempolite> {
  if (!isDatabaseUrl(db) && !existsSync(db)) throw new OperationError(`No Tempolite database at ${db} (use --db <file-or-postgres-url>).`);
  // Loaded on use: `--help` and usage errors answer without loading the engine and TypeORM.
  const { Tempolite } = await import('../engine/tempolite.js');
  const engine = new Tempolite({ database: db, workers: false, register: [], logger: silentLogger, pollIntervalMs: 250 });
  await engine.start();
  return engine;
}

/** Runs `fn` with a client-mode engine on `db`, closing it afterwards. */
export async function withClient<T>(db: string, fn: (engine: Tempolite) => Promise<T>): Promise<T> {
  const engine = await openClient(db);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}
