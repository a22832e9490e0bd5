import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { onPostgres } from '../helpers/test-store.js';
import { runTorture } from './driver.js';
import { checkInvariants } from './invariants.js';
import { randomSeed } from './prng.js';
import { formatReport } from './report.js';

/**
 * The short torture run of `npm test`: a few SIGKILLs of a real worker
 * process on a SQLite file, then every invariant. The seed is fixed in CI
 * (`TORTURE_SEED` overrides it) and random locally; a failure prints it, and
 * `npm run torture -- --seed N --kills 5` replays that workload and schedule.
 * The long run is `npm run torture -- --kills 200`.
 */
const seed = process.env.TORTURE_SEED !== undefined ? Number(process.env.TORTURE_SEED) >>> 0 : process.env.CI ? 30 : randomSeed();

describe.skipIf(onPostgres)('torture: SIGKILL and restart a worker at random moments', () => {
  let dir: string | undefined;
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it(`every invariant holds after 6 kills (seed ${seed})`, async () => {
    const run = await runTorture({ seed, kills: 6, batchSize: 6, finalTimeoutMs: 30_000 });
    const { invariants, stats } = await checkInvariants(run);
    const report = formatReport(run, invariants, stats);
    const failed = invariants.filter((invariant) => !invariant.ok);
    if (failed.length === 0) dir = run.files.dir;
    expect(failed, report).toEqual([]);
    expect(run.kills).toHaveLength(6);
    // The kills did hit work in flight: recoveries happened.
    expect(stats.recoveries, report).toBeGreaterThan(0);
  });
});
