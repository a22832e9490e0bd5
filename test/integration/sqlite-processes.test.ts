import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseInUseError, Tempolite, registerWorkflow, silentLogger } from '../../src/index.js';
import { tempDatabase } from '../helpers/temp-db.js';
import { onPostgres } from '../helpers/test-store.js';

const HOLDER = join(import.meta.dirname, '../../dist/test/fixtures/hold-database.js');
const ping = registerWorkflow('processes.ping', async () => 'pong');

/** Runs an engine on `file` in another process; resolves once it has started. */
async function holdInAnotherProcess(file: string): Promise<{ stop: (signal: NodeJS.Signals) => Promise<void> }> {
  const child = spawn(process.execPath, [HOLDER, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('ready\n')) resolve();
    });
    void exited.then(() => reject(new Error(`the holder exited before it was ready: ${output}`)));
  });
  return {
    stop: async (signal) => {
      child.kill(signal);
      await exited;
    },
  };
}

// SQLite only: several processes on one SQLite file are refused; sharing a database between processes is PostgreSQL's job (test/scale-out).
describe.skipIf(onPostgres)('one engine per SQLite file, across processes', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('an engine in a second process is refused with DatabaseInUseError; the file is free again once the first stops or dies', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const holder = await holdInAnotherProcess(temp.file);
      const refused = new Tempolite({ database: temp.file, logger: silentLogger, register: [ping] });
      const error = await refused.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseInUseError);
      expect((error as DatabaseInUseError).message).toContain(temp.file);
      await holder.stop(signal);

      const engine = new Tempolite({ database: temp.file, logger: silentLogger, register: [ping] });
      await engine.start();
      expect(await (await engine.startWorkflow(ping, [])).result()).toBe('pong');
      await engine.close();
    }
  });
});
