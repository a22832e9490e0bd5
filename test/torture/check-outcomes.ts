/**
 * Every workflow against the oracle, read the way a user reads it: through an
 * engine's handles (`status()`, `result()`, `describe()`), plus its step rows.
 */
import { Tempolite, WorkflowFailure, rootCause, silentLogger, SuperJsonCodec } from '../../src/index.js';
import type { DbSnapshot } from './db-snapshot.js';
import { isTerminalStatus } from './db-probe.js';
import { SIDE_FAILURE, type Carried } from './flow.js';
import { recordedValue } from './check-ledger.js';
import type { Expected } from './oracle.js';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The engine's own steps the oracle predicts: detached starts and version markers. */
const TRACKED_ENGINE_STEPS: ReadonlySet<string> = new Set(['tempolite.startWorkflow', 'tempolite.version']);

/** Every expected workflow exists and is terminal, and no other workflow exists. */
export function checkTerminal(expected: ReadonlyMap<string, Expected>, snapshot: DbSnapshot): string[] {
  const problems: string[] = [];
  for (const id of expected.keys()) {
    const status = snapshot.workflows.get(id)?.status;
    if (!isTerminalStatus(status)) problems.push(`${id}: ${status ?? 'missing'}`);
  }
  for (const id of snapshot.workflows.keys()) if (!expected.has(id)) problems.push(`${id}: exists but no plan started it`);
  return problems;
}

/**
 * What a workflow's side effects named `name` recorded, in generation and call order: `torture.side`'s values,
 * `torture.sideFail`'s error messages.
 */
function recordedSides(snapshot: DbSnapshot, id: string, name: 'torture.side' | 'torture.sideFail'): unknown[] {
  const codec = new SuperJsonCodec();
  const index = (step: string): number => Number(step.slice(step.lastIndexOf('#') + 1));
  return snapshot.sideEffects
    .filter((s) => s.wf === id && s.name === name)
    .sort((a, b) => a.gen - b.gen || index(a.step) - index(b.step))
    .map((s) => {
      const value = recordedValue(s, codec);
      return name === 'torture.sideFail' && value !== undefined ? `${SIDE_FAILURE}${String(value)}` : value;
    });
}

/**
 * Status, result or root cause, steps, executions and generation of every
 * workflow as the oracle computed them from the seed.
 */
export async function checkOutcomes(database: string, expected: ReadonlyMap<string, Expected>, snapshot: DbSnapshot): Promise<string[]> {
  const problems: string[] = [];
  // An engine that registers nothing: it runs nothing, and serves handles.
  const engine = new Tempolite({ database, register: [], logger: silentLogger });
  await engine.start();
  try {
    for (const want of expected.values()) {
      const row = snapshot.workflows.get(want.id);
      if (!row) continue; // reported by checkTerminal
      const say = (what: string): void => void problems.push(`${want.id}: ${what}`);
      if (row.name !== want.name) say(`runs ${row.name}, expected ${want.name}`);
      if (want.queue !== undefined && row.queue !== want.queue) say(`ran on queue ${row.queue}, expected ${want.queue}`);
      if (row.generation !== want.generation) say(`ended in generation ${row.generation}, expected ${want.generation}`);
      const handle = await engine.getHandle<Carried>(want.id);
      const status = await handle.status();
      if (status !== want.status) say(`status ${status}, expected ${want.status}`);
      if (want.status === 'completed' && status === 'completed') {
        const output = await handle.result();
        if (!same(output.trace, want.trace)) say(`returned trace ${JSON.stringify(output.trace)}, expected ${JSON.stringify(want.trace)}`);
        for (const [name, returned] of [['torture.side', output.sides], ['torture.sideFail', output.sideErrors]] as const) {
          const recorded = recordedSides(snapshot, want.id, name);
          if (!same(returned, recorded)) say(`returned ${name} results ${JSON.stringify(returned)}, recorded ${JSON.stringify(recorded)}`);
        }
      } else if (want.cause !== undefined && isTerminalStatus(status) && status !== 'completed') {
        const error = await handle.result().then(
          () => undefined,
          (e: unknown) => e,
        );
        const cause = rootCause(error) as { name?: unknown; message?: unknown };
        if (!(error instanceof WorkflowFailure)) say(`result() threw ${String(error)}, not a WorkflowFailure`);
        else if (cause.name !== want.cause.name || (want.cause.message !== undefined && cause.message !== want.cause.message)) {
          say(`root cause ${String(cause.name)}: ${String(cause.message)}, expected ${want.cause.name}: ${want.cause.message ?? '(any)'}`);
        }
      }
      const steps = snapshot.steps.filter((s) => s.wf === want.id && (s.name.startsWith('torture.') || TRACKED_ENGINE_STEPS.has(s.name)));
      const got = new Map(steps.map((s) => [`${s.gen}:${s.step}`, `${s.table}/${s.status}`]));
      const wanted = new Map([...want.steps].map(([key, step]) => [key, `${step.kind}/${step.status}`]));
      if (!same([...got].sort(), [...wanted].sort())) say(`steps ${JSON.stringify([...got].sort())}, expected ${JSON.stringify([...wanted].sort())}`);
      const description = await handle.describe();
      if (want.failedExecutions !== undefined) {
        const failed = description.executions.filter((e) => e.status === 'failed').length;
        if (failed !== want.failedExecutions) say(`${failed} failed executions, expected ${want.failedExecutions}`);
      }
      if (want.resumed && !description.executions.some((e) => e.reason === 'resume')) say('paused and resumed, but no execution has reason "resume"');
    }
  } finally {
    await engine.close();
  }
  return problems;
}
