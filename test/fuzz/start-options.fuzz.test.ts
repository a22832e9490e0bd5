import 'reflect-metadata';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempoliteError, Tempolite, WorkflowFailure, registerWorkflow, rootCause, silentLogger, workflowContext } from '../../src/index.js';
import { checkConsistency, countRows } from '../helpers/consistency.js';
import { tempDatabase } from '../helpers/temp-db.js';
import { junkArb } from './arbitraries.js';
import { fuzzParameters } from './fuzz-config.js';

const echo = registerWorkflow('fuzz.start.echo', async (n: number) => n + 1);
const starter = registerWorkflow('fuzz.start.starter', async (options: unknown) => {
  const started = await workflowContext().startWorkflow(echo, [1], options as never);
  return started.workflowId;
});

/** Start options: id, queue, priority plausible or junk, sometimes an unknown key; or no object at all. */
const startOptionsArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        id: fc.oneof({ weight: 3, arbitrary: fc.string({ minLength: 0, maxLength: 300 }) }, { weight: 1, arbitrary: junkArb }),
        queue: fc.oneof(fc.constantFrom<unknown>('default', 'side', 'missing', ''), junkArb),
        priority: fc.oneof(fc.integer({ min: -5, max: 5 }), junkArb),
        stray: junkArb,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: junkArb },
);

const isClean = (error: unknown): boolean => error instanceof TempoliteError;

describe('fuzz: start options', () => {
  const temp = tempDatabase();
  let engine: Tempolite;
  beforeAll(async () => {
    engine = new Tempolite({ database: temp.file, register: [echo, starter], logger: silentLogger, pollIntervalMs: 20, queues: { side: { concurrency: 2 } } });
    await engine.start();
  });
  afterAll(async () => {
    await engine.close();
    await temp.cleanup();
  });

  it('engine.startWorkflow(options) refuses with a TempoliteError and writes nothing, or starts a workflow found again by its id', async () => {
    await fc.assert(
      fc.asyncProperty(startOptionsArb, async (options) => {
        const before = await countRows(temp.file);
        let handle;
        try {
          handle = await engine.startWorkflow(echo, [1], options as never);
        } catch (error) {
          if (!isClean(error)) throw new Error(`startWorkflow threw ${String(error)}`, { cause: error });
          expect(await countRows(temp.file)).toEqual(before);
          return;
        }
        const id = (options as { id?: unknown } | null)?.id;
        if (typeof id === 'string') expect(handle.workflowId).toBe(id);
        expect((await engine.getHandle(handle.workflowId)).workflowId).toBe(handle.workflowId);
        expect(await handle.result()).toBe(2);
      }),
      fuzzParameters(150),
    );
    expect(await checkConsistency(temp.file)).toEqual([]);
  });

  it('workflowContext().startWorkflow(options) starts the detached workflow, or the caller fails with a TempoliteError and nothing is half-written', async () => {
    await fc.assert(
      fc.asyncProperty(startOptionsArb, async (options) => {
        let handle;
        try {
          handle = await engine.startWorkflow(starter, [options]);
        } catch (error) {
          // Junk that is no payload (a function, a symbol...) is refused as the caller's input.
          if (!isClean(error)) throw new Error(`startWorkflow threw ${String(error)}`, { cause: error });
          return;
        }
        const outcome = await Promise.race([handle.result().catch((error: unknown) => error), new Promise((resolve) => setTimeout(() => resolve('no result within 10 s'), 10_000))]);
        if (outcome instanceof WorkflowFailure) {
          const cause = rootCause(outcome) as Error;
          expect(cause.name, cause.message).toMatch(/^(InvalidOptionsError|UnknownQueueError|WorkflowIdConflictError)$/);
          return;
        }
        expect(typeof outcome, String(outcome)).toBe('string');
        const detached = await engine.getHandle(outcome as string);
        expect(detached.workflowId).toBe(outcome);
        const id = (options as { id?: unknown } | null)?.id;
        if (typeof id === 'string') expect(detached.workflowId).toBe(id);
        expect(await detached.result()).toBe(2);
      }),
      fuzzParameters(100),
    );
    expect(await checkConsistency(temp.file)).toEqual([]);
  });
});
