import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const WORKER = join(import.meta.dirname, '../../dist/test/fixtures/scale-worker.js');

/** A scale-out worker engine running in a child process. */
export interface WorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** Resolves with the signal the process died of (null after a clean exit). */
  readonly exited: Promise<NodeJS.Signals | null>;
}

/** Settings of a worker process. */
export interface WorkerOptions {
  /** The engine's `leaseMs`. @default 30_000 */
  readonly leaseMs?: number;
  /** How long each step of `scale.five` takes. @default 0 */
  readonly stepMs?: number;
  /** The engine's `suspendAfterMs`. @default 500 */
  readonly suspendAfterMs?: number;
}

/** Spawns one worker process (test/fixtures/scale-worker.ts) on `database` and resolves once its engine runs. */
export async function startWorker(database: string, id: string, options: WorkerOptions = {}): Promise<WorkerProcess> {
  const args = [String(options.leaseMs ?? 30_000), String(options.stepMs ?? 0), String(options.suspendAfterMs ?? 500)];
  const child = spawn(process.execPath, [WORKER, database, id, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`worker ${id} did not start: ${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((signal) => {
      clearTimeout(timer);
      reject(new Error(`worker ${id} exited (${String(signal)}) before it was ready: ${output}`));
    });
  });
  return { id, child, exited };
}

/** Spawns `count` workers named `worker-1`, `worker-2`, ... */
export function startWorkers(database: string, count: number, options: WorkerOptions = {}): Promise<WorkerProcess[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => startWorker(database, `worker-${index + 1}`, options)));
}

/** Stops workers gracefully (SIGTERM: their engines close), or kills those that do not stop in time. */
export async function stopWorkers(workers: readonly WorkerProcess[]): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
      worker.child.kill('SIGTERM');
      const timer = setTimeout(() => worker.child.kill('SIGKILL'), 10_000);
      await worker.exited;
      clearTimeout(timer);
    }),
  );
}
