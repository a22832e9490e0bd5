import 'reflect-metadata';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuperJsonCodec, SystemClock, TempoliteError, TestClock, Tempolite, registerWorkflow, silentLogger, tsyringeContainer } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { tempDatabase } from '../helpers/temp-db.js';
import { junkArb } from './arbitraries.js';
import { fuzzParameters } from './fuzz-config.js';

const echo = registerWorkflow('fuzz.options.echo', async (n: number) => n + 1);

/** An option's value: a plausible one, or (`withJunk`) now and then junk. */
type OptionArb = <T>(plausible: fc.Arbitrary<T>) => fc.Arbitrary<unknown>;
const junkOrPlausible: OptionArb = (plausible) => fc.oneof({ weight: 8, arbitrary: plausible }, { weight: 1, arbitrary: junkArb });
const plausibleOnly: OptionArb = (plausible) => plausible;

/**
 * Engine options: every known key (each present or absent), with `option`'s values. The database is always a
 * temp file or junk, never a stray path.
 */
function engineOptions(option: OptionArb): fc.Arbitrary<Record<string, unknown>> {
  const queueArb = fc.record(
    {
      concurrency: option(fc.integer({ min: 1, max: 8 })),
      workerConcurrency: option(fc.integer({ min: 1, max: 8 })),
      rateLimit: option(fc.record({ limit: option(fc.integer({ min: 1, max: 50 })), intervalMs: option(fc.integer({ min: 1, max: 100 })) }, { requiredKeys: [] })),
    },
    { requiredKeys: [] },
  );
  return fc.record(
    {
      durability: option(fc.constantFrom('full', 'normal')),
      busyTimeoutMs: option(fc.integer({ min: 0, max: 10_000 })),
      queues: option(fc.dictionary(fc.oneof({ weight: 4, arbitrary: fc.constantFrom('default', 'side') }, { weight: 1, arbitrary: fc.string({ maxLength: 3 }) }), option(queueArb), { maxKeys: 3 })),
      register: option(fc.constantFrom([echo], [echo, 5, null, 'x'], [], [echo, echo])),
      container: option(fc.constant(tsyringeContainer())),
      codec: option(fc.constant(new SuperJsonCodec())),
      maxPayloadBytes: option(fc.integer({ min: 1, max: 100_000 })),
      leaseMs: option(fc.integer({ min: 1_000, max: 60_000 })),
      pollIntervalMs: option(fc.integer({ min: 10, max: 1_000 })),
      suspendAfterMs: option(fc.integer({ min: 0, max: 10_000 })),
      clock: option(fc.constantFrom(new SystemClock(), new TestClock())),
      logger: option(fc.constant(silentLogger)),
      workerId: option(fc.string({ minLength: 1, maxLength: 64 })),
      workers: option(fc.constant(true)).filter((value) => value !== false),
      migrate: option(fc.boolean()),
    },
    { requiredKeys: [] },
  );
}

/**
 * Junk in any of the 15 keys, sometimes an unknown key; and in a quarter of the cases plausible values only, so
 * that running engines are reached too (with junk allowed everywhere, a case without any is the exception).
 */
const engineOptionsArb = fc.oneof(
  { weight: 3, arbitrary: engineOptions(junkOrPlausible).chain((options) => fc.oneof({ weight: 8, arbitrary: fc.constant(options) }, { weight: 1, arbitrary: junkArb.map((unknown) => ({ ...options, unknownOption: unknown })) })) },
  { weight: 1, arbitrary: engineOptions(plausibleOnly) },
);

/** A temp file, memory, or junk that is no path (a junk string would create a file wherever the tests run). */
const databaseArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant<unknown>('temp') },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(':memory:', '', undefined) },
  { weight: 1, arbitrary: junkArb.filter((value) => typeof value !== 'string') },
);

const isClean = (error: unknown): boolean => error instanceof TempoliteError;

describe('fuzz: engine options are validated or work', () => {
  const temps: { cleanup: () => unknown }[] = [];
  // An absent `database` is the default `./tempolite.db`: in a folder of its own, not in the checkout.
  const home = process.cwd();
  const cwd = mkdtempSync(join(tmpdir(), 'tempolite-fuzz-cwd-'));
  beforeAll(() => process.chdir(cwd));
  afterAll(async () => {
    process.chdir(home);
    for (const temp of temps) await temp.cleanup();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('new Tempolite(options) and start() throw a TempoliteError, or the engine runs a workflow', async () => {
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(engineOptionsArb, databaseArb, async (fuzzed, database) => {
        const temp = tempDatabase();
        temps.push(temp);
        const options = { ...fuzzed, database: database === 'temp' ? temp.file : database };
        if (!('logger' in fuzzed)) Object.assign(options, { logger: silentLogger });
        let engine: Tempolite;
        try {
          engine = new Tempolite(options as never);
        } catch (error) {
          if (!isClean(error)) throw new Error(`new Tempolite threw ${String(error)}`, { cause: error });
          return;
        }
        try {
          try {
            await engine.start();
          } catch (error) {
            if (!isClean(error)) throw new Error(`start() threw ${String(error)}`, { cause: error });
            return;
          }
          let handle;
          try {
            handle = await engine.startWorkflow(echo, [1]);
          } catch (error) {
            // Acceptable refusals of an accepted engine: the workflow is not in `register`, or 1 byte is too small a payload limit.
            if (!isClean(error)) throw new Error(`startWorkflow threw ${String(error)}`, { cause: error });
            return;
          }
          const outcome = await Promise.race([handle.result(), new Promise((resolve) => setTimeout(() => resolve('no result within 10 s'), 10_000))]);
          expect(outcome).toBe(2);
          ran++;
        } finally {
          await engine.close();
        }
        if (database === 'temp') expect(await checkConsistency(temp.file)).toEqual([]);
      }),
      fuzzParameters(80),
    );
    // The accepting path was exercised too, not only refusals.
    expect(ran).toBeGreaterThan(0);
  });
});
