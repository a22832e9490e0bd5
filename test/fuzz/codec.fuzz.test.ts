import 'reflect-metadata';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PayloadTooLargeError, SerializationError, SuperJsonCodec, Tempolite, WorkflowFailure, registerActivity, registerWorkflow, rootCause, silentLogger } from '../../src/index.js';
import { PayloadEncoder } from '../../src/store/codec.js';
import { checkConsistency, countRows } from '../helpers/consistency.js';
import { tempDatabase } from '../helpers/temp-db.js';
import { payloadArb } from './arbitraries.js';
import { fuzzParameters } from './fuzz-config.js';
import { payloadDifference } from './payload-equality.js';

const where = { description: 'fuzzed payload', workflowId: 'fuzz' };
const isCleanRefusal = (error: unknown): boolean => error instanceof SerializationError || error instanceof PayloadTooLargeError;

describe('fuzz: payloads round-trip through the codec or are refused cleanly', () => {
  const encoder = new PayloadEncoder(new SuperJsonCodec(), 64 * 1024);

  it('PayloadEncoder: decode(encode(v)) equals v, or encode throws SerializationError / PayloadTooLargeError', () => {
    fc.assert(
      fc.property(payloadArb, (value) => {
        let text: string;
        try {
          text = encoder.encode(value, where);
        } catch (error) {
          if (!isCleanRefusal(error)) throw new Error(`encode threw ${String(error)}`, { cause: error });
          return;
        }
        const back = encoder.decode(text, where);
        const difference = payloadDifference(value, back);
        if (difference !== undefined) throw new Error(`accepted but changed: ${difference} (stored ${text.slice(0, 300)})`);
      }),
      fuzzParameters(1500),
    );
  });

  it('PayloadEncoder: a thrown value is always stored, and comes back as an Error with its name and message', () => {
    fc.assert(
      fc.property(payloadArb, (thrown) => {
        const error = encoder.decodeError(encoder.encodeError(thrown, where));
        expect(error).toBeInstanceOf(Error);
        if (thrown instanceof Error && typeof thrown.message === 'string') {
          expect(error.message.startsWith(thrown.message.slice(0, 900))).toBe(true);
          expect(error.name).toBe(thrown.name);
        }
      }),
      fuzzParameters(500),
    );
  });
});

const echoStep = registerActivity('fuzz.codec.echoStep', async (value: unknown) => value, { retry: { maxAttempts: 1 } });
const echo = registerWorkflow('fuzz.codec.echo', async (value: unknown) => echoStep(value));

/** Values handed to the workflows below by key: outputs that need not be encodable as inputs. */
const values = new Map<number, unknown>();
const produce = registerActivity('fuzz.codec.produce', async (key: number, mode: 'return' | 'throw') => {
  if (mode === 'throw') throw values.get(key);
  return values.get(key);
}, { retry: { maxAttempts: 1 } });
const output = registerWorkflow('fuzz.codec.output', async (key: number, where: 'body' | 'activity' | 'throwing activity' | 'throwing body') => {
  if (where === 'body') return values.get(key);
  if (where === 'throwing body') throw values.get(key);
  return produce(key, where === 'activity' ? 'return' : 'throw');
});

describe('fuzz: payloads through a real engine', () => {
  const temp = tempDatabase();
  let engine: Tempolite;
  beforeAll(async () => {
    engine = new Tempolite({ database: temp.file, register: [echo, echoStep, produce, output], logger: silentLogger, pollIntervalMs: 20, maxPayloadBytes: 64 * 1024 });
    await engine.start();
  });
  afterAll(async () => {
    await engine.close();
    await temp.cleanup();
  });

  it('a workflow input that goes through an activity and back out equals the value, or startWorkflow refuses it and writes nothing', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(payloadArb, async (value) => {
        const id = `codec-${n++}`;
        const before = await countRows(temp.file);
        let handle;
        try {
          handle = await engine.startWorkflow(echo, [value], { id });
        } catch (error) {
          if (!isCleanRefusal(error)) throw new Error(`startWorkflow threw ${String(error)}`, { cause: error });
          expect(await countRows(temp.file)).toEqual(before);
          return;
        }
        const back = await handle.result().catch((error: unknown) => error);
        if (back instanceof WorkflowFailure) throw new Error(`accepted input, but the workflow failed: ${back.message}`);
        const difference = payloadDifference([value], [back]);
        if (difference !== undefined) throw new Error(`accepted but changed: ${difference}`);
      }),
      fuzzParameters(60),
    );
    expect(await checkConsistency(temp.file)).toEqual([]);
  });

  it('a value returned or thrown by a body or an activity ends the workflow cleanly: completed with an equal value, or a WorkflowFailure (root cause a SerializationError when a result cannot be stored)', async () => {
    let key = 0;
    await fc.assert(
      fc.asyncProperty(payloadArb, fc.constantFrom('body' as const, 'activity' as const, 'throwing activity' as const, 'throwing body' as const), async (value, mode) => {
        values.set(++key, value);
        const handle = await engine.startWorkflow(output, [key, mode]);
        const outcome = await handle.result().then(
          (result) => ({ ok: true as const, result }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        const encodable = (() => {
          try {
            new PayloadEncoder(new SuperJsonCodec(), 64 * 1024).encode(value, where);
            return true;
          } catch {
            return false;
          }
        })();
        if (mode === 'body' || mode === 'activity') {
          if (outcome.ok) {
            // An async function returning a promise returns what it resolves to.
            const returned = value instanceof Promise ? ((await value) as unknown) : value;
            const difference = payloadDifference([returned], [outcome.result]);
            if (difference !== undefined) throw new Error(`returned but changed: ${difference}`);
            return;
          }
          expect(encodable).toBe(false);
          expect(outcome.error).toBeInstanceOf(WorkflowFailure);
          expect((rootCause(outcome.error) as Error).name).toMatch(/^(SerializationError|PayloadTooLargeError)$/);
          return;
        }
        // Thrown: the workflow fails with a WorkflowFailure, whatever was thrown (a value that cannot be stored is described instead).
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expect(outcome.error).toBeInstanceOf(WorkflowFailure);
      }),
      fuzzParameters(80),
    );
    expect(await checkConsistency(temp.file)).toEqual([]);
  });
});
