import type { TortureRun } from './driver.js';
import type { InvariantResult, TortureStats } from './invariants.js';

/** The report of a torture run: seed, kills, workflows, numbers, and a pass/fail line per invariant. */
export function formatReport(run: TortureRun, invariants: readonly InvariantResult[], stats: TortureStats): string {
  const startupKills = run.kills.filter((k) => !k.wasReady).length;
  const lines = [
    `seed ${run.seed}`,
    `kills ${run.kills.length} (${startupKills} before the engine was ready), incarnations ${run.incarnations}`,
    `workflows ${stats.workflows} (${run.roots.length} roots in ${run.batches} batches), signals ${stats.signals}`,
    `executions ${stats.executions} of ${stats.attempts} attempts; ${stats.reexecutions} re-executed after a kill in flight; ` +
      `${stats.interruptedAttempts} attempts recorded interrupted; ${stats.recoveries} recovery executions; ${stats.sideEffectReruns} side effects re-run before recording`,
    `duration ${(run.durationMs / 1000).toFixed(1)} s, files in ${run.files.dir}`,
    ...invariants.flatMap((invariant) => [
      `${invariant.ok ? 'PASS' : 'FAIL'}  ${invariant.name} — ${invariant.detail}`,
      ...invariant.problems.map((problem) => `      ${problem}`),
    ]),
    invariants.every((invariant) => invariant.ok) ? 'PASS  all invariants' : `FAIL  ${invariants.filter((invariant) => !invariant.ok).length} invariant(s) failed; rerun with --seed ${run.seed}`,
  ];
  return lines.join('\n');
}
