/**
 * The invariants checked at the end of every torture run, each a pass/fail
 * with the problems found.
 */
import { existsSync, readFileSync } from 'node:fs';
import { consistencyProblems } from '../helpers/consistency.js';
import { checkAttempts, checkCompensations, checkSideEffects, type LedgerStats } from './check-ledger.js';
import { checkOutcomes, checkTerminal } from './check-outcomes.js';
import { readCommands, readJournal } from './control.js';
import { readSnapshot, type DbSnapshot } from './db-snapshot.js';
import type { TortureRun } from './driver.js';
import { readLedger } from './ledger.js';
import type { WorkerLogLine } from './worker-log.js';

/** One invariant's verdict. */
export interface InvariantResult {
  readonly name: string;
  readonly ok: boolean;
  /** The first problems found (empty when ok). */
  readonly problems: readonly string[];
  /** A short summary of what was checked. */
  readonly detail: string;
}

/** Numbers for the report. */
export interface TortureStats extends LedgerStats {
  readonly workflows: number;
  readonly recoveries: number;
  readonly interruptedAttempts: number;
  readonly signals: number;
}

function result(name: string, problems: readonly string[], detail: string): InvariantResult {
  return { name, ok: problems.length === 0, problems: problems.slice(0, 20), detail };
}

/** Exactly one completed attempt per completed step, read from the rows. */
function oneSuccessPerStep(snapshot: DbSnapshot): string[] {
  const problems: string[] = [];
  const completed = new Map<string, number>();
  for (const a of snapshot.attempts) if (a.status === 'completed') completed.set(`${a.kind}|${a.wf}|${a.gen}|${a.step}`, (completed.get(`${a.kind}|${a.wf}|${a.gen}|${a.step}`) ?? 0) + 1);
  for (const s of snapshot.steps) {
    const at = (kind: string): number => completed.get(`${kind}|${s.wf}|${s.gen}|${s.step}`) ?? 0;
    if (s.table === 'activity' && (s.status === 'completed' ? at('act') !== 1 : at('act') !== 0)) problems.push(`${s.wf} ${s.gen}:${s.step} (${s.status}): ${at('act')} completed attempts`);
    if (s.table === 'saga') {
      const transactionDone = ['completed', 'compensating', 'compensated', 'compensation_failed'].includes(s.status);
      if (at('txn') !== (transactionDone ? 1 : 0)) problems.push(`${s.wf} ${s.gen}:${s.step} (${s.status}): ${at('txn')} completed transactions`);
      if (at('comp') !== (s.status === 'compensated' ? 1 : 0)) problems.push(`${s.wf} ${s.gen}:${s.step} (${s.status}): ${at('comp')} completed compensations`);
    }
  }
  for (const s of snapshot.sideEffects) if (s.executions !== 1) problems.push(`${s.wf} ${s.gen}:${s.step}: ${s.executions} side-effect executions`);
  return problems;
}

/** Every signal the driver asked for is stored once and consumed once; nothing else is stored. */
function signalsOnce(run: TortureRun, snapshot: DbSnapshot): string[] {
  const problems: string[] = [];
  const stored = new Map<string, DbSnapshot['signals'][number][]>();
  for (const row of snapshot.signals) {
    const seq = row.payload === null ? undefined : (JSON.parse(row.payload) as { json?: { seq?: number } }).json?.seq;
    const key = `${row.wf}|${row.name}|${String(seq)}`;
    stored.set(key, [...(stored.get(key) ?? []), row]);
  }
  const sent = new Set<string>();
  for (const signal of run.signalsSent) {
    const key = `${signal.wf}|${signal.name}|${signal.seq}`;
    sent.add(key);
    const rows = stored.get(key) ?? [];
    if (rows.length !== 1) problems.push(`${key}: stored ${rows.length} times`);
    else if (rows[0]!.consumedStep === null) problems.push(`${key}: never consumed`);
  }
  for (const key of stored.keys()) if (!sent.has(key)) problems.push(`${key}: stored but never sent`);
  return problems;
}

/** Checks every invariant on a finished run. */
export async function checkInvariants(run: TortureRun): Promise<{ invariants: InvariantResult[]; stats: TortureStats }> {
  const { files } = run;
  const snapshot = readSnapshot(files.db);
  const ledger = readLedger(files.ledger);
  const killed = new Set(run.kills.map((k) => k.inc));
  const attempts = checkAttempts(ledger.lines, snapshot, killed);
  const sides = checkSideEffects(ledger.lines, snapshot, killed);
  const finalProblems = consistencyProblems(files.db);
  const isIntegrity = (p: string): boolean => p.startsWith('integrity_check');
  const afterKill = (integrity: boolean): string[] =>
    run.afterKill.flatMap(({ kill, problems }) => problems.filter((p) => isIntegrity(p) === integrity).map((p) => `after kill ${kill}: ${p}`));
  const commands = readCommands(files.control);
  const journal = readJournal(files.journal);
  const logLines = existsSync(files.log)
    ? readFileSync(files.log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as WorkerLogLine)
    : [];
  const stuck = [
    ...run.unfinished.map((id) => `${id}: not terminal when the run gave up`),
    ...(snapshot.tasks > 0 ? [`${snapshot.tasks} task rows left`] : []),
    ...(snapshot.runningExecutions > 0 ? [`${snapshot.runningExecutions} executions still running`] : []),
    ...(snapshot.runningAttempts > 0 ? [`${snapshot.runningAttempts} attempts still running`] : []),
  ];

  const invariants = [
    result('every workflow terminal, none stuck in running/pending', [...checkTerminal(run.expected, snapshot), ...stuck], `${run.expected.size} workflows`),
    result('every outcome matches the oracle (status, output or root cause, steps)', await checkOutcomes(files.db, run.expected, snapshot), `${run.roots.length} roots`),
    result('each completed step has exactly one successful execution recorded', [...oneSuccessPerStep(snapshot), ...(ledger.torn > 0 ? [`${ledger.torn} torn ledger lines`] : [])], `${snapshot.steps.length} steps`),
    result(
      'ledger executions per attempt ≤ 1 + kills that hit it in flight',
      attempts.problems,
      `${attempts.stats.executions} executions of ${attempts.stats.attempts} attempts, ${attempts.stats.reexecutions} re-executions each attributed to a kill, at most ${attempts.stats.maxPerAttempt} per attempt`,
    ),
    result('side effects recorded once, value of the recording run', sides.problems, `${snapshot.sideEffects.length} side effects, ${sides.reruns} re-run before being recorded`),
    result('every completed saga compensation ran once, in reverse order', checkCompensations(ledger.lines, snapshot, run.expected), `${snapshot.attempts.filter((a) => a.kind === 'comp' && a.status === 'completed').length} compensations`),
    result('signals: none lost, none delivered twice', signalsOnce(run, snapshot), `${run.signalsSent.length} signals`),
    result('PRAGMA integrity_check ok after every kill and at the end', [...afterKill(true), ...finalProblems.filter(isIntegrity)], `${run.kills.length + 1} checks`),
    result('consistencyProblems() empty after every kill and at the end', [...afterKill(false), ...finalProblems.filter((p) => !isIntegrity(p))], `${run.kills.length + 1} checks`),
    result(
      'control commands executed, each once',
      [
        ...(journal.length !== commands.length ? [`${commands.length} commands, ${journal.length} journal lines`] : []),
        ...journal.filter((j, index) => j.i !== index).map((j) => `journal line for command ${j.i} out of order`),
        ...journal.filter((j) => j.error !== undefined).map((j) => `command ${j.i} (${commands[j.i]?.type ?? '?'}): ${j.error}`),
      ],
      `${commands.length} commands`,
    ),
    result(
      'workers: no unexpected exit, no engine error logged',
      [...run.workerFailures, ...logLines.filter((l) => l.level === 'error').map((l) => `incarnation ${l.inc}: ${l.message} ${l.error ?? ''}`)],
      `${run.incarnations} incarnations, ${logLines.filter((l) => l.level === 'warn').length} warnings`,
    ),
  ];
  return {
    invariants,
    stats: {
      ...attempts.stats,
      sideEffectReruns: sides.reruns,
      workflows: snapshot.workflows.size,
      recoveries: snapshot.recoveries,
      interruptedAttempts: snapshot.interruptedAttempts,
      signals: snapshot.signals.length,
    },
  };
}
