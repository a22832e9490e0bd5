import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { Tempolite } from '../src/index.js';
import { BenchFlows, benchEngine } from './workloads.js';

/** What `count` sleeping workflows cost an engine. */
export interface SleepingMemory {
  /** RSS growth over the idle engine, in MB, after a GC. */
  readonly rssMb: number;
  /** Heap growth over the idle engine, in MB, after a GC. */
  readonly heapMb: number;
  /** Workflow bodies the engine still holds in memory (0: every sleeper was released). */
  readonly inMemory: number;
}

/**
 * Measures, in a fresh process (RSS of a process that ran other workloads first reflects their
 * allocations, not the sleepers'), the memory of `count` workflows that reached a one-day sleep.
 */
export function sleepingMemory(file: string, count: number): Promise<SleepingMemory> {
  const child = spawn(process.execPath, ['--expose-gc', import.meta.filename, file, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(output) as SleepingMemory);
      else reject(new Error(`the sleeping-memory bench exited with ${String(code)}: ${output}`));
    });
  });
}

async function measure(file: string, count: number): Promise<SleepingMemory> {
  const engine = await benchEngine(file, 'normal', { suspendAfterMs: 0 });
  try {
    const gc = (globalThis as { gc?: () => void }).gc;
    // Warm: the code paths of a sleeper are loaded and compiled before the baseline is taken.
    await Promise.all(Array.from({ length: 100 }, (_, i) => engine.startWorkflow(BenchFlows, 'sleeper', [-1 - i])));
    await untilAllAsleep(engine, 100);
    const idle = await settledMemory(gc);
    for (let started = 0; started < count; started += 5000) {
      const batch = Math.min(5000, count - started);
      await Promise.all(Array.from({ length: batch }, (_, i) => engine.startWorkflow(BenchFlows, 'sleeper', [started + i])));
    }
    await untilAllAsleep(engine, count + 100);
    const now = await settledMemory(gc);
    return { rssMb: (now.rss - idle.rss) / 1024 / 1024, heapMb: (now.heapUsed - idle.heapUsed) / 1024 / 1024, inMemory: engine.inMemoryCount };
  } finally {
    await engine.close();
  }
}

/**
 * Memory once the process is idle: right after a burst of starts, RSS still holds what V8 and the
 * allocator release over the next moments (measured: about half of it for 10,000 sleepers), which is the
 * burst's cost, not the sleepers'. Collects and waits until RSS stops falling (at most 5 s).
 */
async function settledMemory(gc: (() => void) | undefined): Promise<NodeJS.MemoryUsage> {
  let last = Infinity;
  for (const deadline = Date.now() + 5000; Date.now() < deadline; ) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const rss = process.memoryUsage().rss;
    if (last - rss < 512 * 1024) break;
    last = rss;
  }
  gc?.();
  return process.memoryUsage();
}

async function untilAllAsleep(engine: Tempolite, count: number): Promise<void> {
  const deadline = Date.now() + 600_000;
  while ((await engine.list({ status: 'waiting', limit: 1, offset: count - 1 })).length === 0 || engine.inMemoryCount > 0) {
    if (Date.now() > deadline) throw new Error('sleepers did not all reach their sleep');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, count] = process.argv.slice(2) as [string, string];
  process.stdout.write(JSON.stringify(await measure(file, Number(count))));
}
