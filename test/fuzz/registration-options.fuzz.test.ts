import 'reflect-metadata';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Activity,
  InvalidOptionsError,
  Saga,
  SideEffect,
  TempoliteError,
  Tempolite,
  Workflow,
  WorkflowFailure,
  registerActivity,
  registerSaga,
  registerSideEffect,
  registerWorkflow,
  rootCause,
  silentLogger,
  workflowContext,
} from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { tempDatabase } from '../helpers/temp-db.js';
import { junkArb, retryPolicyArb } from './arbitraries.js';
import { fuzzParameters } from './fuzz-config.js';

type Kind = 'workflow' | 'activity' | 'sideEffect' | 'saga';
const isClean = (error: unknown): boolean => error instanceof TempoliteError;

/** Names: ordinary, reserved, with `#`, empty, too long, unicode, or not a string. */
const nameArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('tempolite.x', 'a#0', '', ' ', 'x'.repeat(201), 'x'.repeat(200), '😀', 'a\ud800') },
  { weight: 1, arbitrary: junkArb },
);

/** Registration options: the allowed keys with plausible or junk values, sometimes an unknown key, or not an object at all. */
const optionsArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      {
        name: nameArb,
        retry: retryPolicyArb,
        compensationRetry: retryPolicyArb,
        queue: fc.oneof(fc.constantFrom<unknown>('default', 'side', 'missing'), junkArb),
        compensate: fc.oneof(fc.constantFrom<unknown>('undo', 'missing', 'run', 'constructor', 'toString'), junkArb),
        stray: junkArb,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: junkArb },
);

let sequence = 0;

/** Registers `kind` through a decorator on a fresh class or through its twin; returns what `register` takes and how to call it. */
function register(kind: Kind, via: 'decorator' | 'twin', name: unknown, options: unknown): { include: unknown; call: () => Promise<unknown> } {
  const n = sequence++;
  if (via === 'twin') {
    const fn = async (x: number): Promise<number> => x + 1;
    const opts = options as never;
    switch (kind) {
      case 'workflow': {
        const wf = registerWorkflow(name as string, fn, opts);
        return { include: wf, call: () => Promise.resolve(wf) };
      }
      case 'activity':
        return wrap(registerActivity(name as string, fn, opts), n);
      case 'sideEffect':
        return wrap(registerSideEffect(name as string, fn), n);
      case 'saga':
        return wrap(registerSaga(name as string, { run: fn, compensate: async () => undefined }, opts), n);
    }
  }
  const decorators: Record<Kind, (o: never) => MethodDecorator> = {
    workflow: Workflow as never,
    activity: Activity as never,
    sideEffect: SideEffect as never,
    saga: Saga as never,
  };
  class Fuzzed {
    async target(x: number): Promise<number> {
      return x + 1;
    }
    async undo(): Promise<void> {}
    @Workflow({ name: `fuzz.reg.host.${n}` })
    async host(): Promise<number> {
      return (this as Fuzzed).target(1);
    }
  }
  const descriptor = Object.getOwnPropertyDescriptor(Fuzzed.prototype, 'target')!;
  const decorated = decorators[kind](options as never)(Fuzzed.prototype, 'target', descriptor) as PropertyDescriptor | undefined;
  Object.defineProperty(Fuzzed.prototype, 'target', decorated ?? descriptor);
  return { include: Fuzzed, call: () => Promise.resolve(Fuzzed) };
}

/** A workflow that calls a registered step function. */
function wrap(step: (x: number) => Promise<number>, n: number): { include: unknown[]; call: () => Promise<unknown> } {
  const host = registerWorkflow(`fuzz.reg.wrap.${n}`, async () => step(1));
  return { include: [host, step], call: () => Promise.resolve(host) };
}

describe('fuzz: decorator and twin options are validated or work', () => {
  const temps: { cleanup: () => unknown }[] = [];
  afterAll(async () => {
    for (const temp of temps) await temp.cleanup();
  });

  it('registering, then starting an engine with register: [it], throws a TempoliteError or runs it', async () => {
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<Kind>('workflow', 'activity', 'sideEffect', 'saga'), fc.constantFrom('decorator', 'twin' as const), nameArb, optionsArb, async (kind, via, name, options) => {
        let registered: { include: unknown; call: () => Promise<unknown> };
        try {
          registered = register(kind, via, name, options);
        } catch (error) {
          if (!isClean(error)) throw new Error(`registering threw ${String(error)}`, { cause: error });
          return;
        }
        const temp = tempDatabase();
        temps.push(temp);
        const include = Array.isArray(registered.include) ? registered.include : [registered.include];
        const engine = new Tempolite({ database: temp.file, register: include, logger: silentLogger, pollIntervalMs: 20, queues: { side: {} } });
        try {
          try {
            await engine.start();
          } catch (error) {
            if (!isClean(error)) throw new Error(`start() threw ${String(error)}`, { cause: error });
            return;
          }
          const target = await registered.call();
          const handle =
            typeof target === 'function' && 'durableName' in target
              ? await engine.startWorkflow(target as never, [1] as never)
              : await engine.startWorkflow(target as never, (kind === 'workflow' ? 'target' : 'host') as never, (kind === 'workflow' ? [1] : []) as never);
          const outcome = await Promise.race([handle.result(), new Promise((resolve) => setTimeout(() => resolve('no result within 10 s'), 10_000))]);
          expect(outcome).toBe(2);
          ran++;
        } finally {
          await engine.close();
        }
        expect(await checkConsistency(temp.file)).toEqual([]);
      }),
      fuzzParameters(120),
    );
    expect(ran).toBeGreaterThan(0);
  });

  it('withRetry(policy) inside a workflow: the step runs, or the workflow fails with an InvalidOptionsError', async () => {
    let failures = 0;
    const flaky = registerActivity('fuzz.reg.flaky', async () => {
      failures++;
      if (failures % 2 === 1) throw new Error('flaky');
      return 'ok';
    });
    const retrying = registerWorkflow('fuzz.reg.retrying', async (policy: unknown) => workflowContext().withRetry(policy as never).run(() => flaky()));
    const temp = tempDatabase();
    temps.push(temp);
    const engine = new Tempolite({ database: temp.file, register: [flaky, retrying], logger: silentLogger, pollIntervalMs: 20 });
    await engine.start();
    try {
      await fc.assert(
        fc.asyncProperty(retryPolicyArb, async (policy) => {
          let handle;
          try {
            handle = await engine.startWorkflow(retrying, [policy]);
          } catch (error) {
            if (!isClean(error)) throw new Error(`startWorkflow threw ${String(error)}`, { cause: error });
            return;
          }
          const outcome = await Promise.race([handle.result().catch((error: unknown) => error), new Promise((resolve) => setTimeout(() => resolve('no result within 10 s'), 10_000))]);
          if (outcome === 'ok') return;
          expect(outcome).toBeInstanceOf(WorkflowFailure);
          const cause = rootCause(outcome);
          // Either the policy was refused (the stored error comes back by name), or it allowed too few attempts for the flaky step.
          if ((cause as Error).name !== InvalidOptionsError.name) expect(cause).toMatchObject({ message: 'flaky' });
        }),
        fuzzParameters(60),
      );
    } finally {
      await engine.close();
    }
    expect(await checkConsistency(temp.file)).toEqual([]);
  });
});
