import 'reflect-metadata';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionsError, Tempolite, WorkflowFailure, registerActivity, registerWorkflow, rootCause, silentLogger, workflowContext } from '../../src/index.js';
import { checkConsistency, countRows } from '../helpers/consistency.js';
import { tempDatabase } from '../helpers/temp-db.js';
import { workflowIdArb } from './arbitraries.js';
import { fuzzParameters } from './fuzz-config.js';
import { isStorableText } from '../../src/store/storable-text.js';

const echoId = registerWorkflow('fuzz.ids.echo', async (id: string) => id);

/** Real runs of `count`, by workflow id. */
const runs = new Map<string, number>();
const count = registerActivity('fuzz.ids.count', async (workflowId: string) => {
  runs.set(workflowId, (runs.get(workflowId) ?? 0) + 1);
  return workflowId;
});
/** A step under an explicit id, then a sleep long enough to release the body: the re-entered body must find the step's checkpoint. */
const explicitStep = registerWorkflow('fuzz.ids.explicitStep', async (stepId: string) => {
  const ctx = workflowContext();
  const value = await ctx.withId(stepId).run(() => count(ctx.workflowId));
  await ctx.sleep(30);
  return value;
});
/** Receives one signal of the given name and returns its name and payload. */
const receiver = registerWorkflow('fuzz.ids.receiver', async (name: string) => {
  const received = await workflowContext().waitForSignal<string>(name);
  return `${received.name}:${received.payload}`;
});
/** Text refused as an id or a name: a lone surrogate half, or NUL (see src/store/storable-text.ts). */
const UNSTORABLE = (text: string): boolean => !isStorableText(text);

describe('fuzz: workflow ids', () => {
  const temp = tempDatabase();
  let engine: Tempolite;
  beforeAll(async () => {
    engine = new Tempolite({ database: temp.file, register: [echoId, count, explicitStep, receiver], logger: silentLogger, pollIntervalMs: 20, suspendAfterMs: 10 });
    await engine.start();
  });
  afterAll(async () => {
    await engine.close();
    await temp.cleanup();
  });

  it('any id of 1 to 255 characters (unicode, SQL-looking, quotes) is stored and found again verbatim by getHandle, list and describe; one with NUL or a lone surrogate is refused', async () => {
    const started = new Set<string>();
    await fc.assert(
      fc.asyncProperty(workflowIdArb, async (id) => {
        if (UNSTORABLE(id)) {
          // Not storable as such (UTF-8 has no lone surrogates, PostgreSQL no NUL): refused, nothing written, rather than stored as another id.
          const before = await countRows(temp.file);
          await expect(engine.startWorkflow(echoId, [id], { id })).rejects.toBeInstanceOf(InvalidOptionsError);
          expect(await countRows(temp.file)).toEqual(before);
          return;
        }
        const handle = await engine.startWorkflow(echoId, [id], { id });
        started.add(id);
        expect(handle.workflowId).toBe(id);
        expect(await handle.result()).toBe(id);
        const found = await engine.getHandle<string>(id);
        expect(found.workflowId).toBe(id);
        expect(await found.result()).toBe(id);
        const description = await found.describe();
        expect(description.workflowId).toBe(id);
        expect(description.status).toBe('completed');
        // Starting it again finds the same workflow.
        expect((await engine.startWorkflow(echoId, [id], { id })).runId).toBe(handle.runId);
      }),
      fuzzParameters(200),
    );
    const listed = new Set<string>();
    for (let offset = 0; ; offset += 500) {
      const page = await engine.list({ name: 'fuzz.ids.echo', limit: 500, offset });
      for (const summary of page) listed.add(summary.workflowId);
      if (page.length < 500) break;
    }
    expect([...started].filter((id) => !listed.has(id))).toEqual([]);
    expect(listed.size).toBe(started.size);
    expect(await checkConsistency(temp.file)).toEqual([]);
  });

  it('explicit step ids (withId) of any text: the re-entered body finds the checkpoint, the step ran once, or the id is refused', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(workflowIdArb, async (stepId) => {
        const handle = await engine.startWorkflow(explicitStep, [stepId], { id: `step-${n++}` });
        const outcome = await handle.result().catch((error: unknown) => error);
        // Not storable, or in the form of an automatic id (`name#n`, `tempolite.…`) another call could have: refused.
        if (UNSTORABLE(stepId) || stepId.includes('#') || stepId.startsWith('tempolite.')) {
          expect(outcome).toBeInstanceOf(WorkflowFailure);
          expect((rootCause(outcome) as Error).name).toBe('InvalidOptionsError');
          expect(runs.get(handle.workflowId)).toBeUndefined();
          return;
        }
        expect(outcome).toBe(handle.workflowId);
        expect(runs.get(handle.workflowId)).toBe(1);
        expect((await handle.describe()).steps.map((step) => step.stepId)).toContain(stepId);
      }),
      fuzzParameters(60),
    );
  });

  it('signal names of any text: the signal is received under its name, or the name is refused', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(workflowIdArb, fc.string(), async (name, payload) => {
        let handle;
        try {
          handle = await engine.startWorkflow(receiver, [name], { id: `signal-${n++}` });
          await handle.signal(name, payload);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidOptionsError);
          expect(UNSTORABLE(name)).toBe(true);
          return;
        }
        expect(UNSTORABLE(name)).toBe(false);
        expect(await handle.result()).toBe(`${name}:${payload}`);
      }),
      fuzzParameters(60),
    );
  });

  it('ids over 255 characters, empty or not strings are refused with InvalidOptionsError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ minLength: 256, maxLength: 400 }), fc.constant(''), fc.integer(), fc.constant(null), fc.array(fc.string())), async (id) => {
        if (id === null) return; // null means "no id": a generated one
        await expect(engine.startWorkflow(echoId, ['x'], { id: id as string })).rejects.toBeInstanceOf(InvalidOptionsError);
      }),
      fuzzParameters(50),
    );
  });
});
