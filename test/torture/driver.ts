/**
 * The torture driver: runs the torture worker on a fresh SQLite file,
 * SIGKILLs it at seeded random moments (during startup now and then, mostly
 * while workflows run), restarts it, and repeats until it has killed it
 * `kills` times; then lets the last incarnation finish every workflow and
 * closes it gracefully. Work comes in batches generated from the seed: the
 * next batch is released as soon as every workflow of the current one is
 * terminal, so that kills keep landing on work in flight.
 *
 * From outside the driver sends signals (at seeded delays after a batch's
 * release), cancels (once the target's steps are done and it waits), pauses
 * and resumes (resume once the database shows it paused), through the control
 * file that the worker executes exactly once (see control.ts).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { derivedWorkflowId } from '../../src/engine/steps/child-ids.js';
import { consistencyProblems } from '../helpers/consistency.js';
import { appendCommand, type ControlCommand } from './control.js';
import { DbProbe, isTerminalStatus } from './db-probe.js';
import { expectedOutcomes, type Expected } from './oracle.js';
import { generateBatch, type RootSpec } from './plan.js';
import { Prng } from './prng.js';
import { WorkerProcess, describeExit, type WorkerFiles } from './worker-process.js';

/** What to run. */
export interface TortureOptions {
  /** Seeds the workload, the kill schedule and the signal schedule. */
  readonly seed: number;
  /** How many times to SIGKILL the worker before letting it finish. */
  readonly kills: number;
  /** Roots per batch. @default 8 */
  readonly batchSize?: number;
  /** Longest wait after `ready` before a kill, in ms. @default 400 */
  readonly maxKillDelayMs?: number;
  /** How long the last incarnation may take to finish everything, in ms. @default 120_000 */
  readonly finalTimeoutMs?: number;
  /** SQLite durability of the worker's engine. @default 'full' */
  readonly durability?: 'full' | 'normal';
  /** Folder for the files. @default a fresh temp folder */
  readonly dir?: string;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

/** One SIGKILL. */
export interface KillRecord {
  readonly inc: number;
  /** `startup`: the kill was aimed before the engine's `ready`; `running`: after it. */
  readonly phase: 'startup' | 'running';
  readonly delayMs: number;
  /** Whether the worker had printed `ready` when it was killed. */
  readonly wasReady: boolean;
}

/** What a torture run did; the invariants are checked on it afterwards. */
export interface TortureRun {
  readonly seed: number;
  readonly files: WorkerFiles & { readonly dir: string };
  readonly kills: readonly KillRecord[];
  /** Worker processes started (kills + 1 when all went well). */
  readonly incarnations: number;
  readonly roots: readonly RootSpec[];
  readonly batches: number;
  /** Every workflow the oracle expects, by id. */
  readonly expected: ReadonlyMap<string, Expected>;
  /** Signals the driver asked for, in the order asked. */
  readonly signalsSent: readonly { readonly wf: string; readonly name: string; readonly seq: number }[];
  /** Problems found by `consistencyProblems()` (integrity_check included) right after each kill. */
  readonly afterKill: readonly { readonly kill: number; readonly problems: readonly string[] }[];
  /** Workers that died on their own, or did not close cleanly. */
  readonly workerFailures: readonly string[];
  /** Workflows not terminal when the run gave up waiting. */
  readonly unfinished: readonly string[];
  readonly durationMs: number;
}

/** Runs the torture test; check the result with `checkInvariants`. */
export async function runTorture(options: TortureOptions): Promise<TortureRun> {
  const started = Date.now();
  const { seed, kills: killTarget } = options;
  const batchSize = options.batchSize ?? 8;
  const maxKillDelayMs = options.maxKillDelayMs ?? 400;
  const durability = options.durability ?? 'full';
  const log = options.log ?? (() => undefined);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tempolite-torture-'));
  const files = { dir, db: join(dir, 'torture.db'), ledger: join(dir, 'ledger.jsonl'), control: join(dir, 'control.jsonl'), journal: join(dir, 'journal.jsonl'), log: join(dir, 'worker-log.jsonl') };
  for (const file of [files.ledger, files.control, files.journal, files.log]) writeFileSync(file, '');

  const probe = new DbProbe(files.db);
  const stop = new AbortController();
  const roots: RootSpec[] = [];
  const expected = new Map<string, Expected>();
  const signalsSent: { wf: string; name: string; seq: number }[] = [];
  const kills: KillRecord[] = [];
  const afterKill: { kill: number; problems: string[] }[] = [];
  const workerFailures: string[] = [];
  const tasks: Promise<void>[] = [];
  let seq = 0;
  let batch = -1;
  let currentBatchIds: string[] = [];
  let finalPhase = false;

  const send = (command: ControlCommand): void => {
    if (command.type === 'signal') signalsSent.push({ wf: command.wf, name: command.name, seq: command.seq });
    appendCommand(files.control, command);
  };
  /** Polls the database until `condition` holds; false when the run stopped first. */
  const until = async (condition: () => boolean): Promise<boolean> => {
    while (!stop.signal.aborted) {
      try {
        if (condition()) return true;
      } catch {
        // The file may be mid-creation; look again.
      }
      await delay(50, undefined, { signal: stop.signal }).catch(() => undefined);
    }
    return false;
  };
  const sleep = (ms: number): Promise<void> => delay(ms, undefined, { signal: stop.signal }).catch(() => undefined);

  const schedule = (root: RootSpec, releasedAt: number): void => {
    const run = async (): Promise<void> => {
      switch (root.kind) {
        case 'signals': {
          const seqs = root.plan.gens.flat().flatMap((op) => (op.op === 'signals' ? op.seqs : []));
          for (const [i, at] of root.signalDelays.entries()) {
            await sleep(releasedAt + at - Date.now());
            if (stop.signal.aborted) return;
            send({ type: 'signal', wf: root.id, name: 's', seq: seqs[i]! });
          }
          return;
        }
        case 'pause': {
          const go = root.plan.gens.flat().find((op) => op.op === 'go');
          await sleep(releasedAt + (root.pauseDelay ?? 0) - Date.now());
          // Once the body has run (its first step is done), so that the execution after the resume has reason `resume`.
          if (!(await until(() => (probe.progress(root.id)?.completedSteps ?? 0) >= 1))) return;
          send({ type: 'pause', wf: root.id });
          if (!(await until(() => probe.statuses([root.id]).get(root.id) === 'paused'))) return;
          send({ type: 'resume', wf: root.id });
          if (go?.op === 'go') send({ type: 'signal', wf: root.id, name: 'go', seq: go.seq });
          return;
        }
        case 'cancel': {
          const steps = root.plan.gens[0]!.filter((op) => op.op === 'saga' || op.op === 'act').length;
          const ready = await until(() => {
            const progress = probe.progress(root.id);
            return progress?.status === 'waiting' && progress.completedSteps === steps;
          });
          if (ready) send({ type: 'cancel', wf: root.id });
          return;
        }
        case 'cascade': {
          const child = derivedWorkflowId(root.id, 0, 'c0');
          const ready = await until(() => {
            const parent = probe.progress(root.id);
            const progress = probe.progress(child);
            return parent?.status === 'waiting' && progress?.status === 'waiting' && progress.completedSteps === 1;
          });
          if (ready) send({ type: 'cancel', wf: root.id });
          return;
        }
        default:
          return;
      }
    };
    tasks.push(run());
  };

  const release = (): void => {
    batch++;
    const batchRoots = generateBatch(seed, batch, batchSize, { next: () => seq++ });
    currentBatchIds = [];
    for (const root of batchRoots) {
      for (const [id, outcome] of expectedOutcomes(root)) {
        expected.set(id, outcome);
        currentBatchIds.push(id);
      }
    }
    roots.push(...batchRoots);
    send({ type: 'release', batch, roots: batchRoots });
    const releasedAt = Date.now();
    for (const root of batchRoots) schedule(root, releasedAt);
    log(`batch ${batch}: ${batchRoots.length} roots, ${currentBatchIds.length} workflows`);
  };
  const allTerminal = (ids: readonly string[]): boolean => {
    const statuses = probe.statuses(ids);
    return ids.every((id) => isTerminalStatus(statuses.get(id)));
  };

  release();
  // The next batch as soon as this one is done, while kills remain to be made.
  tasks.push(
    (async () => {
      while (!stop.signal.aborted) {
        await sleep(50);
        if (finalPhase || stop.signal.aborted) continue;
        try {
          if (allTerminal(currentBatchIds)) release();
        } catch {
          // Not readable yet.
        }
      }
    })(),
  );

  let inc = 0;
  let unfinished: string[] = [];
  try {
    for (;;) {
      const worker = new WorkerProcess(files, inc, durability);
      inc++;
      if (kills.length < killTarget) {
        const rng = Prng.stream(seed, 'kill', kills.length);
        const phase = rng.chance(0.15) ? 'startup' : 'running';
        const delayMs = phase === 'startup' ? rng.int(0, 900) : rng.int(0, maxKillDelayMs);
        if (phase === 'running') await worker.ready.catch(() => undefined);
        if (!worker.hasExited) await Promise.race([delay(delayMs), worker.exited]);
        const wasReady = worker.isReady;
        if (worker.hasExited) {
          const exit = await worker.exited;
          workerFailures.push(`incarnation ${inc - 1} died on its own (${describeExit(exit)}): ${worker.errorOutput.slice(-1500)}`);
          break;
        }
        await worker.stop('SIGKILL');
        kills.push({ inc: inc - 1, phase, delayMs, wasReady });
        const problems = consistencyProblemsIfPresent(files.db);
        if (problems.length > 0) afterKill.push({ kill: kills.length, problems });
        if (kills.length % 10 === 0) log(`${kills.length} kills`);
        continue;
      }
      finalPhase = true;
      try {
        await worker.ready;
      } catch (error) {
        workerFailures.push(`the last incarnation did not start: ${String(error)}`);
        break;
      }
      const ids = (): string[] => [...expected.keys()];
      const deadline = Date.now() + (options.finalTimeoutMs ?? 120_000);
      while (!allTerminal(ids()) && Date.now() < deadline && !worker.hasExited) await delay(50);
      const statuses = probe.statuses(ids());
      unfinished = ids().filter((id) => !isTerminalStatus(statuses.get(id)));
      if (worker.hasExited) workerFailures.push(`the last incarnation died on its own (${describeExit(await worker.exited)}): ${worker.errorOutput.slice(-1500)}`);
      const closing = worker.stop('SIGTERM');
      const exit = await Promise.race([closing, delay(15_000).then(() => undefined)]);
      if (exit === undefined) {
        workerFailures.push('the last incarnation did not close within 15 s of SIGTERM');
        await worker.stop('SIGKILL');
      } else if (exit.code !== 0) {
        workerFailures.push(`the last incarnation closed with ${describeExit(exit)}: ${worker.errorOutput.slice(-1500)}`);
      }
      break;
    }
  } finally {
    stop.abort();
    await Promise.all(tasks);
  }
  return {
    seed,
    files,
    kills,
    incarnations: inc,
    roots,
    batches: batch + 1,
    expected,
    signalsSent,
    afterKill,
    workerFailures,
    unfinished,
    durationMs: Date.now() - started,
  };
}

function consistencyProblemsIfPresent(file: string): string[] {
  if (!existsSync(file)) return [];
  try {
    return consistencyProblems(file);
  } catch (error) {
    // A kill before the engine created the file leaves nothing to check.
    if (error instanceof Error && /unable to open|does not exist|SQLITE_CANTOPEN/i.test(error.message)) return [];
    return [`cannot check: ${String(error)}`];
  }
}
