/**
 * The long torture run: `npm run torture -- --kills 200 --seed N`.
 * Prints the seed, the kills, the workflows and a pass/fail line per
 * invariant; exits non-zero when one fails.
 *
 * Flags: --kills (default 200), --seed (default random), --batch (roots per
 * batch, default 8), --max-delay (ms after ready before a kill, default 400),
 * --durability full|normal, --keep (keep the files even when all passed).
 */
import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runTorture } from './driver.js';
import { checkInvariants } from './invariants.js';
import { randomSeed } from './prng.js';
import { formatReport } from './report.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '200' },
    seed: { type: 'string' },
    batch: { type: 'string', default: '8' },
    'max-delay': { type: 'string', default: '400' },
    durability: { type: 'string', default: 'full' },
    keep: { type: 'boolean', default: false },
  },
});

function integer(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`--${name} must be a non-negative integer, got ${String(text)}`);
    process.exit(2);
  }
  return value;
}

const seed = values.seed === undefined ? randomSeed() : integer('seed', values.seed) >>> 0;
if (values.durability !== 'full' && values.durability !== 'normal') {
  console.error(`--durability must be full or normal, got ${String(values.durability)}`);
  process.exit(2);
}
const durability = values.durability;
// Every flag checked before the first line: a bad one never looks like a run that started.
const kills = integer('kills', values.kills);
const batchSize = integer('batch', values.batch);
const maxKillDelayMs = integer('max-delay', values['max-delay']);
console.log(`torture: seed ${seed}, ${kills} kills, durability ${durability}`);
const run = await runTorture({
  seed,
  kills,
  batchSize,
  maxKillDelayMs,
  durability,
  log: (line) => console.log(`  ${line}`),
});
const { invariants, stats } = await checkInvariants(run);
console.log(formatReport(run, invariants, stats));
const ok = invariants.every((invariant) => invariant.ok);
if (ok && !values.keep) rmSync(run.files.dir, { recursive: true, force: true });
process.exitCode = ok ? 0 : 1;
