import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fillHistory } from './history.js';
import { rawReadMillis, rawStepMicros, rawTransactionMicros, type Durability } from './raw-sqlite.js';
import { pgThroughput } from './pg-throughput.js';
import { formatResult, type BenchResult } from './print-result.js';
import { profileThroughput } from './profile.js';
import { sleepingMemory } from './sleeping-memory.js';
import type { Tempolite } from '../src/index.js';
import { BenchFlows, benchEngine, threeStepBurst } from './workloads.js';

/**
 * Tempolite benchmarks, printed as ratios against raw better-sqlite3 measured
 * in the same run on the same file system with the same pragmas.
 *
 *   npm run bench                       readable table, durability full
 *   npm run -s bench -- --json          one JSON line on stdout (-s: without npm's own header)
 *   npm run bench -- --quick            a smaller run (under a minute)
 *   npm run bench -- --durability normal
 *   npm run bench -- --pg postgres://user:password@host:5432/db
 *                                       also pg_throughput_wf_s: three-step workflows per second on
 *                                       PostgreSQL with 1, 2 and 4 worker processes (fresh schemas, dropped after)
 *   npm run bench -- --profile out.cpuprofile
 *                                       only a CPU profile of the throughput run: written to the file, its
 *                                       ten biggest self-time costs printed
 */
/** A usage error: the message on stderr, exit code 2, no stack. */
function usage(message: string): never {
  console.error(`bench: ${message}\nusage: npm run bench -- [--json] [--quick] [--durability full|normal] [--pg <postgres-url>] [--profile <file>]`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        json: { type: 'boolean', default: false },
        quick: { type: 'boolean', default: false },
        durability: { type: 'string', default: 'full' },
        pg: { type: 'string' },
        profile: { type: 'string' },
      },
    });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
})();
const durability = values.durability as Durability;
if (durability !== 'full' && durability !== 'normal') usage(`--durability must be full or normal, got ${values.durability}`);
const quick = values.quick === true;
const sizes = quick
  ? { raw: 500, steps: 300, seq: 50, burst: 1000, resume: 2000, curve: [10, 100, 1000], history: [1000, 10_000], sleepers: 10_000 }
  : { raw: 2000, steps: 1000, seq: 200, burst: 5000, resume: 10_000, curve: [10, 100, 1000, 10_000], history: [1000, 10_000, 100_000], sleepers: 100_000 };

const dir = mkdtempSync(join(tmpdir(), 'tempolite-bench-'));
const log = (line: string): void => {
  if (!values.json) console.log(line);
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Microseconds per step of a workflow of `steps` steps on a started engine: the median of three runs, more for
 * short ones (the first long workflow after the warm-up measured 20–60 % slower than the ones after it).
 */
async function perStepMicros(engine: Tempolite, steps: number, key: string, timed = false): Promise<number> {
  const runs = Math.min(20, Math.max(3, Math.round(1000 / steps)));
  const perStep: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    const handle = timed ? await engine.startWorkflow(BenchFlows, 'manyTimed', [steps]) : await engine.startWorkflow(BenchFlows, 'many', [steps, `${key}-${steps}-${run}`]);
    await handle.result();
    perStep.push(Number(process.hrtime.bigint() - started) / 1000 / steps);
  }
  return percentile(perStep.sort((a, b) => a - b), 50);
}

/**
 * An engine for the step figures, warmed up as the raw baseline is: the code is compiled, and the
 * file's write-ahead log has grown to its working size once (a fresh file pays for growing it on
 * every commit, which an engine that has run a while does not).
 */
async function warmStepEngine(file: string): Promise<Tempolite> {
  const engine = await benchEngine(file, durability);
  await (await engine.startWorkflow(BenchFlows, 'many', [2000, 'warm-up'])).result();
  return engine;
}

async function main(): Promise<void> {
  if (values.profile !== undefined) {
    const costs = await profileThroughput(join(dir, 'profile.db'), durability, sizes.burst, values.profile);
    if (values.json) console.log(JSON.stringify({ durability, quick, profile: values.profile, top: costs }));
    else for (const cost of costs) console.log(`${cost.percent.toFixed(1).padStart(5)} %  ${cost.where}`);
    return;
  }
  log(`Tempolite bench · durability ${durability}${quick ? ' · quick' : ''} · node ${process.version}`);
  const raw_txn_us = rawTransactionMicros(join(dir, 'raw.db'), durability, sizes.raw);
  log(`raw better-sqlite3 one-row transaction: ${raw_txn_us.toFixed(1)} µs`);

  const stepEngine = await warmStepEngine(join(dir, 'steps.db'));
  const step_us = await perStepMicros(stepEngine, sizes.steps, 'steps');
  const timed_step_us = await perStepMicros(stepEngine, sizes.steps, 'timed', true);
  await stepEngine.close();
  log(`one workflow of ${sizes.steps} steps: ${step_us.toFixed(1)} µs per step (${(step_us / raw_txn_us).toFixed(2)}× raw); with an attempt timeout ${timed_step_us.toFixed(1)} µs`);
  const rawStepFile = join(dir, 'raw-step.db');
  await (await benchEngine(rawStepFile, durability)).close();
  const raw_step_txn_us = rawStepMicros(rawStepFile, durability, sizes.raw);
  log(
    `raw better-sqlite3 writing one step's three rows in one transaction: ${raw_step_txn_us.toFixed(1)} µs (${(raw_step_txn_us / raw_txn_us).toFixed(2)}× the one-row transaction; the engine's step is ${(step_us / raw_step_txn_us).toFixed(2)}× this)`,
  );

  const seqFile = join(dir, 'seq.db');
  const engine = await benchEngine(seqFile, durability);
  const durations: number[] = [];
  // Thirty to warm up: compiled code, and a write-ahead log grown to its working size (about 20 workflows).
  const warmUp = 30;
  for (let i = 0; i < sizes.seq + warmUp; i++) {
    const started = process.hrtime.bigint();
    await (await engine.startWorkflow(BenchFlows, 'three', [i])).result();
    if (i >= warmUp) durations.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  durations.sort((a, b) => a - b);
  const seq_wf_ms_median = percentile(durations, 50);
  const seq_wf_ms_p99 = percentile(durations, 99);
  log(`${sizes.seq} three-step workflows one after another: median ${seq_wf_ms_median.toFixed(2)} ms, p99 ${seq_wf_ms_p99.toFixed(2)} ms`);

  const burstStarted = process.hrtime.bigint();
  await threeStepBurst(engine, sizes.burst);
  const burstSeconds = Number(process.hrtime.bigint() - burstStarted) / 1e9;
  const throughput_wf_s = sizes.burst / burstSeconds;
  log(`${sizes.burst} three-step workflows started at once: ${throughput_wf_s.toFixed(0)} workflows/s, ${(throughput_wf_s * 3).toFixed(0)} steps/s`);
  await engine.close();

  const resumeFile = join(dir, 'resume.db');
  const resumeEngine = await benchEngine(resumeFile, durability);
  // Warm up the re-entry path first, so the figure is steady state rather than the JIT's first pass.
  BenchFlows.failures.set('resume-warm-up', 1);
  await (await resumeEngine.startWorkflow(BenchFlows, 'many', [Math.min(1000, sizes.resume), 'resume-warm-up'])).result();
  // Three re-entries, the best one counted, as the raw read below counts its best of five.
  BenchFlows.failures.set('resume', 3);
  const resumeHandle = await resumeEngine.startWorkflow(BenchFlows, 'many', [sizes.resume, 'resume'], { id: 'resume' });
  await resumeHandle.result();
  const reentries = (await resumeHandle.describe()).executions.slice(1);
  await resumeEngine.close();
  const resume_ms = Math.min(...reentries.map((execution) => execution.durationMs ?? NaN));
  const raw_read_ms = rawReadMillis(resumeFile, 'resume');
  log(`re-entering a workflow with ${sizes.resume} completed steps: ${resume_ms.toFixed(1)} ms (raw read of those rows: ${raw_read_ms.toFixed(1)} ms, ${(resume_ms / raw_read_ms).toFixed(2)}×)`);

  const curve: Record<string, number> = {};
  const curveEngine = await warmStepEngine(join(dir, 'curve.db'));
  for (const steps of sizes.curve) curve[String(steps)] = Number((await perStepMicros(curveEngine, steps, 'curve')).toFixed(1));
  await curveEngine.close();
  log(`per-step cost by workflow length (µs): ${Object.entries(curve).map(([k, v]) => `${k}: ${v}`).join(', ')}`);

  const byHistory: Record<string, number> = {};
  for (const rows of sizes.history) byHistory[String(rows)] = Number((await workflowMillisWithHistory(join(dir, `history-${rows}.db`), rows)).toFixed(3));
  log(`three-step workflow (ms, median of 100) by finished workflows already in the database: ${Object.entries(byHistory).map(([k, v]) => `${k}: ${v}`).join(', ')}`);

  const sleeping = await sleepingMemory(join(dir, 'sleep.db'), sizes.sleepers);
  log(`${sizes.sleepers} workflows asleep: ${sleeping.rssMb.toFixed(1)} MB RSS over idle (heap ${sleeping.heapMb.toFixed(1)} MB), ${sleeping.inMemory} held in memory`);

  // Scale-out (issue 6): only when a PostgreSQL server is given.
  const pg_throughput_wf_s: Record<string, number> = {};
  if (values.pg !== undefined) {
    for (const workers of [1, 2, 4]) pg_throughput_wf_s[String(workers)] = Math.round(await pgThroughput(values.pg, workers, quick ? 1000 : 3000));
    log(`PostgreSQL, three-step workflows/s by worker processes: ${Object.entries(pg_throughput_wf_s).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  }

  const result: BenchResult = {
    durability,
    quick,
    raw_txn_us: round(raw_txn_us),
    step_us: round(step_us),
    step_ratio: round(step_us / raw_txn_us),
    raw_step_txn_us: round(raw_step_txn_us),
    step_vs_raw_step: round(step_us / raw_step_txn_us),
    timed_step_us: round(timed_step_us),
    seq_wf_ms_median: round(seq_wf_ms_median),
    seq_wf_ms_p99: round(seq_wf_ms_p99),
    throughput_wf_s: Math.round(throughput_wf_s),
    throughput_steps_s: Math.round(throughput_wf_s * 3),
    // Stable names: under --quick they measure the smaller sizes beside them.
    resume_steps: sizes.resume,
    resume_ms_10k: round(resume_ms),
    resume_ratio: round(resume_ms / raw_read_ms),
    step_us_by_workflow_length: curve,
    seq_wf_ms_by_history: byHistory,
    sleeping_workflows: sizes.sleepers,
    sleeping_100k_rss_mb: round(sleeping.rssMb),
    ...(values.pg !== undefined ? { pg_throughput_wf_s } : {}),
  };
  if (values.json) console.log(JSON.stringify(result));
  else console.log(`\n${formatResult(result)}`);
}

/** Median milliseconds of a sequential three-step workflow on a database that already holds `rows` finished workflows. */
async function workflowMillisWithHistory(file: string, rows: number): Promise<number> {
  await (await benchEngine(file, durability)).close();
  fillHistory(file, rows);
  const engine = await benchEngine(file, durability);
  try {
    const times: number[] = [];
    for (let i = 0; i < 120; i++) {
      const started = process.hrtime.bigint();
      await (await engine.startWorkflow(BenchFlows, 'three', [i])).result();
      if (i >= 20) times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    return percentile(times.sort((a, b) => a - b), 50);
  } finally {
    await engine.close();
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
