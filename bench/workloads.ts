import 'reflect-metadata';
import { Activity, Tempolite, Workflow, silentLogger, workflowContext, type TempoliteOptions } from '../src/index.js';
import type { Durability } from './raw-sqlite.js';

/** The benchmark's workflows: small steps, so the engine's own cost is what is measured. */
export class BenchFlows {
  /** How many more times `many` fails at its end, by key: each failure makes its retry re-enter the body. */
  static failures = new Map<string, number>();

  @Activity({ name: 'bench.step', retry: { maxAttempts: 1 } })
  async step(n: number): Promise<number> {
    return n + 1;
  }

  /** The same step with an attempt timeout: what a deadline per attempt costs. */
  @Activity({ name: 'bench.timedStep', retry: { maxAttempts: 1 }, timeout: '1m' })
  async timedStep(n: number): Promise<number> {
    return n + 1;
  }

  @Workflow({ name: 'bench.manyTimed' })
  async manyTimed(steps: number): Promise<number> {
    let value = 0;
    for (let i = 0; i < steps; i++) value = await this.timedStep(value);
    return value;
  }

  @Workflow({ name: 'bench.three' })
  async three(n: number): Promise<number> {
    return this.step(await this.step(await this.step(n)));
  }

  @Workflow({ name: 'bench.sleeper' })
  async sleeper(n: number): Promise<number> {
    await workflowContext().sleep('1d');
    return this.step(n);
  }

  @Workflow({ name: 'bench.many', retry: { maxAttempts: 4, initialIntervalMs: 0 } })
  async many(steps: number, key: string): Promise<number> {
    let value = 0;
    for (let i = 0; i < steps; i++) value = await this.step(value);
    // Fails after all steps, so each retry re-enters a body with `steps` checkpoints.
    const failures = BenchFlows.failures.get(key) ?? 0;
    if (failures > 0) {
      BenchFlows.failures.set(key, failures - 1);
      throw new Error('fail to measure resume');
    }
    return value;
  }
}

/** A started engine on `file` for the bench. */
export async function benchEngine(file: string, durability: Durability, extra: TempoliteOptions = {}): Promise<Tempolite> {
  const engine = new Tempolite({ database: file, durability, logger: silentLogger, register: [BenchFlows], queues: { default: { concurrency: 1000 } }, ...extra });
  await engine.start();
  return engine;
}

/** Starts `count` three-step workflows at once and waits until every one has its result: the throughput workload. */
export async function threeStepBurst(engine: Tempolite, count: number): Promise<void> {
  const handles = await Promise.all(Array.from({ length: count }, (_, i) => engine.startWorkflow(BenchFlows, 'three', [i])));
  await Promise.all(handles.map((handle) => handle.result()));
}
