import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { benchEngine, threeStepBurst } from './workloads.js';
import type { Durability } from './raw-sqlite.js';

/** One function of a CPU profile and its share of the samples. */
export interface ProfileCost {
  readonly percent: number;
  /** `function file:line`, or a V8 label such as `(garbage collector)`. */
  readonly where: string;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/**
 * Profiles the throughput workload (`count` three-step workflows started at
 * once, after a warm-up burst) with V8's sampling profiler, writes the
 * profile to `out` (open it in Chrome DevTools or any `.cpuprofile` viewer)
 * and returns the functions with the most self time.
 */
export async function profileThroughput(file: string, durability: Durability, count: number, out: string, top = 10): Promise<ProfileCost[]> {
  const engine = await benchEngine(file, durability);
  const session = new Session();
  session.connect();
  try {
    await threeStepBurst(engine, Math.min(1000, count));
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    await threeStepBurst(engine, count);
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    writeFileSync(out, JSON.stringify(profile));
    return selfTimes(profile).slice(0, top);
  } finally {
    session.disconnect();
    await engine.close();
  }
}

/** Self time by function, largest first. */
function selfTimes(profile: CpuProfile): ProfileCost[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const byWhere = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const frame = byNode.get(id)?.callFrame;
    if (frame === undefined) return;
    const file = frame.url.split('/').slice(-2).join('/');
    const where = file === '' ? `${frame.functionName || '(anonymous)'}${frame.functionName.startsWith('(') ? '' : ' (native)'}` : `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    byWhere.set(where, (byWhere.get(where) ?? 0) + delta);
    total += delta;
  });
  return [...byWhere.entries()].sort((a, b) => b[1] - a[1]).map(([where, time]) => ({ where, percent: Math.round((1000 * time) / total) / 10 }));
}
