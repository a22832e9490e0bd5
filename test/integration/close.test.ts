import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { EngineStateError, Tempolite, activityContext, registerActivity, registerWorkflow, type Logger } from '../../src/index.js';
import { eventually } from '../helpers/eventually.js';
import { checkConsistency } from '../helpers/consistency.js';
import { tempDatabase } from '../helpers/temp-db.js';

const echo = registerActivity('close.echo', async (n: number) => n);
const flow = registerWorkflow('close.flow', async (n: number) => (await echo(n)) + (await echo(n)));

/** Keeps warnings and errors: a graceful close logs neither. */
function recordingLogger(): { logger: Logger; problems: string[] } {
  const problems: string[] = [];
  const keep = (level: string) => (fields: object, message?: string) => {
    const err = (fields as { err?: unknown }).err;
    problems.push(`${level}: ${message ?? ''} ${err instanceof Error ? err.message : ''}`);
  };
  return { problems, logger: { debug: () => undefined, info: () => undefined, warn: keep('warn'), error: keep('error') } };
}

describe('engine.close() while workflows were just started', () => {
  it('claims in flight land before the store closes: nothing runs on a closed database, nothing is logged, nothing is lost', async () => {
    const temp = tempDatabase();
    const { logger, problems } = recordingLogger();
    try {
      let started = 0;
      for (let round = 0; round < 40; round++) {
        const engine = new Tempolite({ database: temp.file, logger, register: [echo, flow], pollIntervalMs: 50 });
        await engine.start();
        // Not awaited to the end: close() comes while claims and entries are under way, at a different point each round.
        for (let i = 0; i <= round % 3; i++, started++) await engine.startWorkflow(flow, [i]);
        for (let k = 0; k < round % 4; k++) await engine.list({ limit: 1 });
        await engine.close();
      }
      expect(problems).toEqual([]);

      const engine = new Tempolite({ database: temp.file, logger, register: [echo, flow], pollIntervalMs: 50 });
      await engine.start();
      try {
        const all = await engine.list({ limit: 1000 });
        expect(all).toHaveLength(started);
        await Promise.all(all.map(async (w) => (await engine.getHandle(w.workflowId)).result()));
        expect(await engine.list({ status: 'completed', limit: 1000 })).toHaveLength(started);
        expect(problems).toEqual([]);
      } finally {
        await engine.close();
      }
    } finally {
      await temp.cleanup();
    }
  });
});

const held = { release: (): void => undefined, reason: undefined as unknown };
const holding = registerActivity('close.holding', async () => {
  const { signal } = activityContext();
  await new Promise<void>((resolve) => {
    held.release = resolve;
    signal.addEventListener('abort', () => {
      held.reason = signal.reason;
      resolve();
    }, { once: true });
  });
  return 'held';
});
const holdingFlow = registerWorkflow('close.holdingFlow', async () => holding());

describe('engine.close() while a caller awaits a result', () => {
  it("aborts the running activity with an EngineStateError, rejects the waiting result() with one, and the next start finishes the workflow", async () => {
    const temp = tempDatabase();
    try {
      held.reason = undefined;
      const engine = new Tempolite({ database: temp.file, register: [holding, holdingFlow], pollIntervalMs: 50, logger: recordingLogger().logger });
      await engine.start();
      const handle = await engine.startWorkflow(holdingFlow, [], { id: 'held-1' });
      const waiting = handle.result().then(
        () => 'resolved',
        (error: unknown) => error,
      );
      await eventually(async () => (await handle.describe()).steps.length === 1, 'the activity to run');
      await engine.close();
      expect(held.reason).toBeInstanceOf(EngineStateError);
      expect(await waiting).toBeInstanceOf(EngineStateError);
      // It says the engine was closed and the workflow goes on, not to start an engine that never ran.
      expect(((await waiting) as Error).message).toMatch(/^The engine (is closing|was closed): nothing recorded is lost/);
      await expect(engine.startWorkflow(holdingFlow, [])).rejects.toThrow(/^The engine was closed/);

      await engine.start();
      try {
        expect(await (await engine.getHandle('held-1')).result()).toBe('held');
      } finally {
        await engine.close();
      }
    } finally {
      await temp.cleanup();
    }
  });
});

describe('client calls once close() has been called', () => {
  it('are refused from its first moment (rejected promises, not thrown), isRunning is false, and nothing is written', async () => {
    const temp = tempDatabase();
    try {
      const engine = new Tempolite({ database: temp.file, register: [holding, holdingFlow, echo, flow], pollIntervalMs: 50, logger: recordingLogger().logger });
      await engine.start();
      const handle = await engine.startWorkflow(holdingFlow, [], { id: 'held-2' });
      await eventually(async () => (await handle.describe()).steps.length === 1, 'the activity to run');
      const closing = engine.close();
      expect(engine.isRunning).toBe(false);
      const calls: Record<string, () => Promise<unknown>> = {
        list: () => engine.list(),
        getHandle: () => engine.getHandle('held-2'),
        describe: () => handle.describe(),
        status: () => handle.status(),
        startWorkflow: () => engine.startWorkflow(flow, [1], { id: 'during-close' }),
        signal: () => engine.signal('held-2', 'go'),
        prune: () => engine.prune({ olderThan: '1d' }),
      };
      for (const [name, call] of Object.entries(calls)) {
        let outcome: unknown;
        try {
          outcome = await call().then(() => 'resolved', (error: unknown) => error);
        } catch (error) {
          outcome = `threw ${String(error)}`;
        }
        expect(outcome, name).toBeInstanceOf(EngineStateError);
        expect((outcome as Error).message, name).toMatch(/^The engine is closing/);
      }
      await closing;
      expect(engine.isRunning).toBe(false);
      expect(await checkConsistency(temp.file)).toEqual([]);

      await engine.start();
      try {
        expect(engine.isRunning).toBe(true);
        await expect(engine.getHandle('during-close')).rejects.toThrow(/during-close/);
        expect(await (await engine.getHandle('held-2')).result()).toBe('held');
      } finally {
        await engine.close();
      }
    } finally {
      await temp.cleanup();
    }
  });
});
