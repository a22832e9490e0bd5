/**
 * The ledger against the database: real executions against recorded ones.
 *
 * Kill attribution is exact rather than bounded by the total number of kills:
 * every ledger line names the incarnation (worker process) that wrote it and
 * every attempt row names, through its execution's owner, the incarnation
 * that recorded it. For each attempt (workflow, generation, step, kind,
 * attempt number) the recording incarnation ran it once; any other
 * incarnation that ran it must have been SIGKILLed before recording it, i.e.
 * a kill hit while that attempt was in flight. So executions of an attempt =
 * 1 + the kills that hit it, and never more.
 */
import { SuperJsonCodec } from '../../src/index.js';
import type { DbSnapshot } from './db-snapshot.js';
import { SIDE_FAILURE } from './flow.js';
import type { LedgerLine } from './ledger.js';
import type { Expected } from './oracle.js';

/** Counts for the report. */
export interface LedgerStats {
  /** Real executions of activities, saga transactions and compensations (ledger `start` lines). */
  readonly executions: number;
  /** Distinct attempts recorded in the database. */
  readonly attempts: number;
  /** Executions beyond one per attempt: each one attributed to a kill that hit the attempt in flight. */
  readonly reexecutions: number;
  /** Side effects run again because a kill came before their value was recorded. */
  readonly sideEffectReruns: number;
  /** The most executions of one attempt. */
  readonly maxPerAttempt: number;
}

const keyOf = (l: { kind: string; wf: string; gen: number; step: string; att: number }): string => `${l.kind}|${l.wf}|${l.gen}|${l.step}|${l.att}`;

function countBy<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Executions per attempt ≤ 1 + kills that hit it in flight; every recorded
 * attempt really ran, in the incarnation that recorded it, with the recorded
 * outcome; no attempt ran twice in one incarnation; interrupted attempts are
 * exactly those a kill cut short.
 */
export function checkAttempts(lines: readonly LedgerLine[], snapshot: DbSnapshot, killed: ReadonlySet<number>): { problems: string[]; stats: Omit<LedgerStats, 'sideEffectReruns'> } {
  const problems: string[] = [];
  const starts = new Map<string, Map<number, number>>();
  const ends = new Map<string, Map<number, string[]>>();
  for (const line of lines) {
    if (line.kind === 'side') continue;
    const key = keyOf(line);
    if (line.ev === 'start') countBy(starts.get(key) ?? starts.set(key, new Map()).get(key)!, line.inc);
    else (ends.get(key) ?? ends.set(key, new Map()).get(key)!).set(line.inc, [...(ends.get(key)?.get(line.inc) ?? []), line.ev]);
  }
  const rows = new Map<string, DbSnapshot['attempts'][number][]>();
  for (const row of snapshot.attempts) (rows.get(keyOf(row)) ?? rows.set(keyOf(row), []).get(keyOf(row))!).push(row);

  let executions = 0;
  let reexecutions = 0;
  let maxPerAttempt = 0;
  for (const key of new Set([...starts.keys(), ...rows.keys()])) {
    const ran = starts.get(key) ?? new Map<number, number>();
    const recorded = rows.get(key) ?? [];
    for (const [inc, n] of ran) if (n > 1) problems.push(`${key}: ran ${n} times in incarnation ${inc}`);
    const total = [...ran.values()].reduce((a, b) => a + b, 0);
    executions += total;
    maxPerAttempt = Math.max(maxPerAttempt, total);
    const finals = recorded.filter((r) => r.status === 'completed' || r.status === 'failed');
    if (finals.length !== 1) {
      problems.push(`${key}: ${finals.length} final attempt rows (statuses ${recorded.map((r) => r.status).join(',') || 'none'}), ${total} executions in the ledger`);
      continue;
    }
    const final = finals[0]!;
    if (final.inc === undefined || !ran.has(final.inc)) {
      problems.push(`${key}: recorded ${final.status} by incarnation ${String(final.inc)}, which never ran it (ran in ${[...ran.keys()].join(',') || 'none'})`);
      continue;
    }
    const outcome = ends.get(key)?.get(final.inc) ?? [];
    const wanted = final.status === 'completed' ? 'ok' : 'fail';
    if (outcome.length !== 1 || outcome[0] !== wanted) problems.push(`${key}: recorded ${final.status} but incarnation ${final.inc} ended it with ${outcome.join(',') || 'nothing'}`);
    for (const inc of ran.keys()) {
      if (inc === final.inc) continue;
      reexecutions++;
      if (!killed.has(inc)) problems.push(`${key}: also ran in incarnation ${inc}, which was not killed`);
    }
    for (const row of recorded) {
      if (row === final) continue;
      if (row.status !== 'interrupted') problems.push(`${key}: a second attempt row with status ${row.status}`);
      else if (row.inc === undefined || !killed.has(row.inc) || !ran.has(row.inc)) problems.push(`${key}: interrupted in incarnation ${String(row.inc)}, which was not killed while running it`);
    }
  }
  return { problems, stats: { executions, attempts: rows.size, reexecutions, maxPerAttempt } };
}

/**
 * Side effects: one execution row each; the value recorded (a failing one's in
 * its error) is the one the recording incarnation produced; other incarnations that produced one were
 * killed before it was recorded; completed workflows return the recorded values.
 */
export function checkSideEffects(lines: readonly LedgerLine[], snapshot: DbSnapshot, killed: ReadonlySet<number>): { problems: string[]; reruns: number } {
  const problems: string[] = [];
  const codec = new SuperJsonCodec();
  const produced = new Map<string, Map<number, string[]>>();
  for (const line of lines) {
    if (line.kind !== 'side') continue;
    const key = `${line.wf}|${line.gen}|${line.step}`;
    const byInc = produced.get(key) ?? produced.set(key, new Map()).get(key)!;
    byInc.set(line.inc, [...(byInc.get(line.inc) ?? []), line.value ?? '']);
  }
  let reruns = 0;
  const seen = new Set<string>();
  for (const row of snapshot.sideEffects) {
    if (row.name !== 'torture.side' && row.name !== 'torture.sideFail') continue;
    const key = `${row.wf}|${row.gen}|${row.step}`;
    seen.add(key);
    if (row.executions !== 1) problems.push(`${key}: ${row.executions} execution rows`);
    const byInc = produced.get(key) ?? new Map<number, string[]>();
    for (const [inc, values] of byInc) if (values.length > 1) problems.push(`${key}: produced ${values.length} values in incarnation ${inc}`);
    const value = recordedValue(row, codec);
    const mine = row.inc === undefined ? undefined : byInc.get(row.inc);
    if (mine?.[0] !== value) problems.push(`${key}: recorded ${String(value)}, but incarnation ${String(row.inc)} produced ${mine?.join(',') ?? 'nothing'}`);
    for (const inc of byInc.keys()) {
      if (inc === row.inc) continue;
      reruns++;
      if (!killed.has(inc)) problems.push(`${key}: also produced in incarnation ${inc}, which was not killed`);
    }
  }
  for (const key of produced.keys()) if (!seen.has(key)) problems.push(`${key}: produced but never recorded`);
  return { problems, reruns };
}

/**
 * What a side effect's row holds of the value its run made: the value itself, or for `torture.sideFail` the part
 * of its recorded error's message after {@link SIDE_FAILURE} (undefined when it recorded no failure).
 */
export function recordedValue(row: DbSnapshot['sideEffects'][number], codec: SuperJsonCodec): unknown {
  if (row.name !== 'torture.sideFail') return row.output === null ? undefined : codec.decode(row.output);
  if (row.error === null) return undefined;
  const message = (codec.decode(row.error) as { message?: unknown }).message;
  return typeof message === 'string' && message.startsWith(SIDE_FAILURE) ? message.slice(SIDE_FAILURE.length) : undefined;
}

/**
 * Compensations: each compensated saga step has exactly one completed
 * compensation attempt, they completed in the order the oracle says (reverse
 * completion order per compensation phase), and saga steps not to be
 * compensated never ran a compensation.
 */
export function checkCompensations(lines: readonly LedgerLine[], snapshot: DbSnapshot, expected: ReadonlyMap<string, Expected>): string[] {
  const problems: string[] = [];
  const completedBy = new Map<string, number>();
  for (const row of snapshot.attempts) {
    if (row.kind !== 'comp' || row.status !== 'completed') continue;
    const key = `${row.wf}|${row.gen}:${row.step}`;
    if (completedBy.has(key)) problems.push(`${key}: two completed compensation attempts`);
    completedBy.set(key, row.inc ?? -1);
  }
  const order = new Map<string, string[]>();
  const ranAny = new Set<string>();
  for (const line of lines) {
    if (line.kind !== 'comp') continue;
    const key = `${line.wf}|${line.gen}:${line.step}`;
    ranAny.add(key);
    if (line.ev === 'ok' && completedBy.get(key) === line.inc) order.set(line.wf, [...(order.get(line.wf) ?? []), `${line.gen}:${line.step}`]);
  }
  for (const outcome of expected.values()) {
    const want = outcome.compensationOrder;
    const got = order.get(outcome.id) ?? [];
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${outcome.id}: compensations completed in order [${got.join(', ')}], expected [${want.join(', ')}]`);
    for (const [key, step] of outcome.steps) {
      if (step.kind !== 'saga') continue;
      const ran = ranAny.has(`${outcome.id}|${key}`);
      if ((step.status === 'completed' || step.status === 'failed') && ran) problems.push(`${outcome.id} ${key}: compensated although it should not be`);
      if (step.status === 'compensated' && !completedBy.has(`${outcome.id}|${key}`)) problems.push(`${outcome.id} ${key}: no completed compensation`);
    }
  }
  return problems;
}
