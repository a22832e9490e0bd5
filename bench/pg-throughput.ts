import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { Tempolite, silentLogger, type QueueOptions } from '../src/index.js';
import { BenchFlows, threeStepBurst } from './workloads.js';

/** Queues of the PostgreSQL bench: plenty of room overall, a fair share per worker process. */
export const BENCH_PG_QUEUES: Record<string, QueueOptions> = { default: { concurrency: 1000, workerConcurrency: 200 } };

async function startWorker(database: string, id: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'pg-worker.js'), database, id], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('ready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`bench worker ${id} exited with ${String(code)}: ${output}`)));
  });
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/**
 * Three-step workflows per second on PostgreSQL with `workers` worker
 * processes: this process starts `workflows` of them through a client-mode
 * engine (it runs none) and waits for every result. Each measurement gets a
 * fresh schema of the server at `url`, dropped afterwards.
 */
export async function pgThroughput(url: string, workers: number, workflows: number): Promise<number> {
  const schema = `tempolite_bench_${process.pid}_${workers}_${Date.now().toString(36)}`;
  const database = new URL(url);
  database.searchParams.set('schema', schema);
  const client = new Tempolite({ database: database.toString(), workers: false, logger: silentLogger, register: [BenchFlows], queues: BENCH_PG_QUEUES });
  await client.start();
  const children: ChildProcess[] = [];
  try {
    children.push(...(await Promise.all(Array.from({ length: workers }, (_, i) => startWorker(database.toString(), `bench-worker-${i + 1}`)))));
    const started = process.hrtime.bigint();
    await threeStepBurst(client, workflows);
    return workflows / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await Promise.all(children.map(stopWorker));
    await client.close();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await admin.end();
    }
  }
}
