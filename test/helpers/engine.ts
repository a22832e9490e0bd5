import { Tempolite, silentLogger, type TempoliteOptions } from '../../src/index.js';
import { tempDatabase } from './temp-db.js';

/** An engine on a fresh temp SQLite file; `dispose()` closes it and removes the file. */
export async function startEngine(options: TempoliteOptions = {}, file?: string): Promise<{ engine: Tempolite; file: string; dispose: () => Promise<void> }> {
  const temp = file === undefined ? tempDatabase() : undefined;
  const database = file ?? temp!.file;
  const engine = new Tempolite({ database, logger: silentLogger, pollIntervalMs: 50, ...options });
  await engine.start();
  return {
    engine,
    file: database,
    dispose: async () => {
      await engine.close();
      temp?.cleanup();
    },
  };
}
