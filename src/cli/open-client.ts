import { existsSync } from 'node:fs';
import { silentLogger } from '../engine/logger.js';
import type { Tempolite } from '../engine/tempolite.js';
import type { PayloadCodec } from '../store/codec.js';
import { OperationError } from './cli-errors.js';
import { loadCodec } from './load-codec.js';

/** The database a command opens, and how it reads its payloads. */
export interface ClientTarget {
  /** SQLite file or PostgreSQL URL. */
  readonly db: string;
  /** JavaScript module exporting the application's codec (`--codec`); the default codec when absent. */
  readonly codec?: string;
}

/** Whether `db` names a PostgreSQL database rather than a SQLite file. */
export function isDatabaseUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/**
 * Opens the database with an engine in client mode (no workers, no process
 * lock), so it works while the application's engine runs on the same database.
 * @throws OperationError when a SQLite file does not exist (the CLI never creates one);
 *   UsageError / InvalidOptionsError for a `--codec` that cannot be loaded or is not a codec
 */
export async function openClient(target: ClientTarget): Promise<Tempolite> {
  const { db } = target;
  if (!isDatabaseUrl(db) && !existsSync(db)) throw new OperationError(`No Tempolite database at ${db} (use --db <file-or-postgres-url>).`);
  const codec = target.codec === undefined ? undefined : await loadCodec(target.codec);
  // Loaded on use: `--help` and usage errors answer without loading the engine and TypeORM.
  const { Tempolite } = await import('../engine/tempolite.js');
  const engine = new Tempolite({
    database: db,
    workers: false,
    // Pointed at a database by hand: a wrong path, an application's own file or a mistyped schema is refused, not given Tempolite's tables.
    migrate: false,
    register: [],
    logger: silentLogger,
    pollIntervalMs: 250,
    // The engine validates the shape; a wrong export is an InvalidOptionsError naming `codec`.
    ...(codec !== undefined ? { codec: codec as PayloadCodec } : {}),
  });
  await engine.start();
  return engine;
}

/** Runs `fn` with a client-mode engine on the target database, closing it afterwards. */
export async function withClient<T>(target: ClientTarget, fn: (engine: Tempolite) => Promise<T>): Promise<T> {
  const engine = await openClient(target);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}
