import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const WORKER = join(import.meta.dirname, '../../dist/test/fixtures/operator-worker.js');

/** A worker engine (test/fixtures/operator-worker.ts) running in a child process on a SQLite file. */
export interface OperatorWorker {
  readonly child: ChildProcess;
  /** Asks the engine to close (SIGTERM) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns the worker on `database` and resolves once its engine has started. */
export async function startOperatorWorker(database: string, fixFile: string): Promise<OperatorWorker> {
  const child = spawn(process.execPath, [WORKER, database, fixFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the worker did not start: ${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited with ${String(code)} before it was ready: ${output}`));
    });
  });
  return {
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
