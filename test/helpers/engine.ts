import { Tempolite, silentLogger, type TempoliteOptions } from '../../src/index.js';
import { tempDatabase } from './temp-db.js';

/**
 * An engine on a fresh database of this run's store (a temp SQLite file, or a
 * new PostgreSQL schema in the `postgres` project); `dispose()` closes it and
 * removes the database. `file` is the `database` option: pass it back to start
 * another engine on the same database.
 */
export async function startEngine(options: TempoliteOptions = {}, file?: string): Promise<{ engine: Tempolite; file: string; dispose: () => Promise<void> }> {
  const temp = file === undefined ? tempDatabase() : undefined;
  const database = file ?? temp!.file;
  const engine = new Tempolite({ database, logger: silentLogger, pollIntervalMs: 50, ...options });
  try {
    await engine.start();
  } catch (error) {
    await temp?.cleanup();
    throw error;
  }
  return {
    engine,
    file: database,
    dispose: async () => {
      await engine.close();
      await temp?.cleanup();
    },
  };
}
