import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Activity, SideEffect, Tempolite, Workflow, silentLogger, type QueueOptions } from '../../src/index.js';

/** Queues of this example: every process (starter and workers) declares the same, so the limits hold over all of them. */
export const INVOICE_QUEUES: Record<string, QueueOptions> = {
  // At most 60 invoices in progress over all workers, at most 20 in any one worker process.
  default: { concurrency: 60, workerConcurrency: 20 },
};

/** An invoice: priced, rendered and sent, each a durable step. */
export class Invoices {
  /** Name of the worker process running this code (set by worker.ts). */
  static workerId = 'starter';

  @SideEffect({ name: 'invoices.number' }) async number(): Promise<string> {
    return `INV-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  }

  @Activity({ name: 'invoices.price' }) async price(customer: number): Promise<number> {
    return 100 + (customer % 7) * 5;
  }

  @Activity({ name: 'invoices.render' }) async render(number: string, amount: number): Promise<string> {
    return `${number}: ${amount.toFixed(2)} EUR`;
  }

  @Activity({ name: 'invoices.send' }) async send(document: string): Promise<{ document: string; sentBy: string }> {
    return { document, sentBy: Invoices.workerId };
  }

  @Workflow({ name: 'invoices.issue' }) async issue(customer: number): Promise<{ document: string; sentBy: string }> {
    const number = await this.number();
    const amount = await this.price(customer);
    return this.send(await this.render(number, amount));
  }
}

/** The worker script beside this module once compiled (dist/examples/workers/worker.js). */
function workerScript(): string {
  const beside = join(import.meta.dirname, 'worker.js');
  return existsSync(beside) ? beside : join(import.meta.dirname, '../../dist/examples/workers/worker.js');
}

/** Starts one worker process and resolves once its engine runs. */
async function startWorkerProcess(database: string, id: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [workerScript(), database, id], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('ready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker ${id} exited with ${String(code)} before it was ready: ${output}`)));
  });
  return child;
}

async function stopWorkerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** What the example observed. */
export interface WorkersOutcome {
  readonly issued: number;
  /** Invoices sent by each worker process. */
  readonly byWorker: Record<string, number>;
  readonly seconds: number;
}

/**
 * One process (this one) starts `invoices` workflows on a PostgreSQL database
 * through a client-mode engine (it runs none itself); `workers` worker
 * processes (worker.ts) run them, sharing the queue's limits.
 */
export async function runWorkersExample(options: { database: string; invoices: number; workers: number; log?: (line: string) => void }): Promise<WorkersOutcome> {
  const log = options.log ?? ((line: string) => console.log(line));
  const starter = new Tempolite({ database: options.database, register: [Invoices], queues: INVOICE_QUEUES, workers: false, logger: silentLogger });
  await starter.start();
  const workers: ChildProcess[] = [];
  try {
    workers.push(...(await Promise.all(Array.from({ length: options.workers }, (_, i) => startWorkerProcess(options.database, `worker-${i + 1}`)))));
    const started = Date.now();
    const handles = await Promise.all(Array.from({ length: options.invoices }, (_, customer) => starter.startWorkflow(Invoices, 'issue', [customer])));
    log(`${handles.length} invoice workflows started; ${options.workers} worker processes run them`);
    const results = await Promise.all(handles.map((handle) => handle.result()));
    const seconds = (Date.now() - started) / 1000;
    const byWorker: Record<string, number> = {};
    for (const { sentBy } of results) byWorker[sentBy] = (byWorker[sentBy] ?? 0) + 1;
    const shares = Object.entries(byWorker)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([worker, count]) => `${worker} ${count}`)
      .join(', ');
    log(`${results.length} invoices issued in ${seconds.toFixed(1)} s (${(results.length / seconds).toFixed(0)}/s): ${shares}`);
    return { issued: results.length, byWorker, seconds };
  } finally {
    await Promise.all(workers.map(stopWorkerProcess));
    await starter.close();
  }
}
