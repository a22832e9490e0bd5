import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, Tempolite, activityContext, registerActivity, registerWorkflow, type Logger } from '../../src/index.js';
import { consistencyProblems } from '../helpers/consistency.js';
import { queryRows } from '../helpers/db-rows.js';
import { eventually } from '../helpers/eventually.js';
import { Latch } from '../helpers/latch.js';
import { onPostgres, tempDatabase } from '../helpers/test-store.js';

/** An activity that ignores its AbortSignal: only `release` ends its first run; later runs return at once. */
const deaf = { runs: 0, aborted: 0, entered: new Latch(), release: new Latch() };
const deafActivity = registerActivity(
  'closeTimeout.deaf',
  async (n: number) => {
    deaf.runs++;
    const run = deaf.runs;
    activityContext().signal.addEventListener('abort', () => deaf.aborted++, { once: true });
    if (run === 1) {
      deaf.entered.open();
      await deaf.release.wait();
    }
    return n * 10;
  },
  { retry: { maxAttempts: 1 } },
);
const deafFlow = registerWorkflow('closeTimeout.deafFlow', async (n: number) => (await deafActivity(n)) + 1);

const quick = registerActivity('closeTimeout.quick', async (n: number) => n);
const quickFlow = registerWorkflow('closeTimeout.quickFlow', async (n: number) => (await quick(n)) + (await quick(n)));

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (fields: object, message?: string) => {
    const err = (fields as { err?: unknown }).err;
    lines.push(`${level}: ${message ?? ''}${err instanceof Error ? ` [${err.name}]` : ''}`);
  };
  return { lines, logger: { debug: () => undefined, info: () => undefined, warn: keep('warn'), error: keep('error') } };
}

function resetDeaf(): void {
  deaf.runs = 0;
  deaf.aborted = 0;
  deaf.entered = new Latch();
  deaf.release = new Latch();
}

describe('engine.close({ timeout })', () => {
  it('stops waiting for an activity that ignores its AbortSignal, keeps that lease, drops what it returns later, and the next engine runs it again', async () => {
    const temp = tempDatabase();
    resetDeaf();
    const { logger, lines } = recordingLogger();
    // On PostgreSQL the next engine waits for the kept lease to expire: a short one.
    const options = { database: temp.file, register: [deafActivity, deafFlow], pollIntervalMs: 50, logger, ...(onPostgres ? { leaseMs: 600 } : {}) };
    const engine = new Tempolite(options);
    try {
      await engine.start();
      const handle = await engine.startWorkflow(deafFlow, [4], { id: 'deaf-1' });
      await deaf.entered.wait();
      await engine.close({ timeout: '150ms' });
      expect(engine.isRunning).toBe(false);
      expect(deaf.aborted).toBe(1);
      expect(deaf.runs).toBe(1);
      expect(lines.filter((l) => l.startsWith('warn'))).toEqual([expect.stringContaining('1 workflow(s) did not stop within 150 ms')]);
      // The lease stays with the stopped engine, as a crash leaves it: on PostgreSQL no other worker takes the workflow before it expires.
      const [task] = await queryRows<{ owner: string | null }>(temp.file, `SELECT owner FROM tempolite_task WHERE workflow_id = ?`, handle.workflowId);
      expect(task?.owner).not.toBeNull();

      // What the abandoned run returns now reaches a closed database: nothing is recorded, a warning says so.
      deaf.release.open();
      await eventually(async () => lines.some((l) => l.includes('left running by close() ended')), 'the abandoned run to end');
      // The closed database answers the left-behind body with Tempolite's own error, not the driver's.
      expect(lines.find((l) => l.includes('left running by close() ended'))).toContain('[EngineStateError]');
      expect(lines.filter((l) => l.startsWith('error'))).toEqual([]);
      if (!onPostgres) expect(consistencyProblems(temp.file)).toEqual([]);

      const next = new Tempolite(options);
      await next.start();
      try {
        expect(await (await next.getHandle<number>('deaf-1')).result()).toBe(41);
        expect(deaf.runs).toBe(2);
        const description = await (await next.getHandle('deaf-1')).describe();
        expect(description.executions.map((e) => [e.reason, e.status])).toEqual([
          ['start', 'interrupted'],
          ['recovery', 'completed'],
        ]);
        expect(description.steps[0]?.executions.map((a) => a.status)).toEqual(['interrupted', 'completed']);
      } finally {
        await next.close();
      }
      if (!onPostgres) expect(consistencyProblems(temp.file)).toEqual([]);
    } finally {
      deaf.release.open();
      await engine.close();
      await temp.cleanup();
    }
  });

  it('logs nothing and releases every lease when the workflows stop in time', async () => {
    const temp = tempDatabase();
    const { logger, lines } = recordingLogger();
    const engine = new Tempolite({ database: temp.file, register: [quick, quickFlow], pollIntervalMs: 50, logger });
    try {
      await engine.start();
      const handles = await Promise.all([1, 2, 3].map((n) => engine.startWorkflow(quickFlow, [n])));
      await engine.close({ timeout: '10s' });
      expect(lines).toEqual([]);
      expect(await queryRows(temp.file, `SELECT workflow_id FROM tempolite_task WHERE owner IS NOT NULL`)).toEqual([]);
      await engine.start();
      expect(await Promise.all(handles.map(async (h) => (await engine.getHandle<number>(h.workflowId)).result()))).toEqual([2, 4, 6]);
    } finally {
      await engine.close();
      await temp.cleanup();
    }
  });

  it('a start() called while close() runs starts the engine again once the close is done', async () => {
    const temp = tempDatabase();
    resetDeaf();
    const engine = new Tempolite({ database: temp.file, register: [deafActivity, deafFlow, quick, quickFlow], pollIntervalMs: 50, logger: recordingLogger().logger, ...(onPostgres ? { leaseMs: 600 } : {}) });
    try {
      await engine.start();
      await engine.startWorkflow(deafFlow, [2], { id: 'deaf-restart' });
      await deaf.entered.wait();
      const closing = engine.close({ timeout: '100ms' });
      const starting = engine.start();
      await closing;
      await starting;
      expect(engine.isRunning).toBe(true);
      expect(await (await engine.startWorkflow(quickFlow, [3])).result()).toBe(6);
      deaf.release.open();
      expect(await (await engine.getHandle<number>('deaf-restart')).result()).toBe(21);
    } finally {
      deaf.release.open();
      await engine.close();
      await temp.cleanup();
    }
  });

  it('takes its default from the engine option closeTimeoutMs', async () => {
    const temp = tempDatabase();
    resetDeaf();
    const { logger, lines } = recordingLogger();
    const engine = new Tempolite({ database: temp.file, register: [deafActivity, deafFlow], pollIntervalMs: 50, logger, closeTimeoutMs: 100 });
    try {
      await engine.start();
      await engine.startWorkflow(deafFlow, [1]);
      await deaf.entered.wait();
      await engine.close();
      expect(lines).toEqual([expect.stringContaining('did not stop within 100 ms')]);
    } finally {
      deaf.release.open();
      await engine.close();
      await temp.cleanup();
    }
  });

  it('refuses malformed options with an InvalidOptionsError and goes on running', async () => {
    const temp = tempDatabase();
    const engine = new Tempolite({ database: temp.file, register: [quick, quickFlow], pollIntervalMs: 50, logger: recordingLogger().logger });
    try {
      await engine.start();
      const bad: unknown[] = [{ timeout: 'soon' }, { timeout: 0 }, { timeout: -5 }, { timout: '1s' }, null, 'fast', [], [{ timeout: '1s' }]];
      for (const options of bad) {
        const error: unknown = await engine.close(options as never).catch((e: unknown) => e);
        expect(error, JSON.stringify(options)).toBeInstanceOf(InvalidOptionsError);
        expect((error as InvalidOptionsError).subject).toBe('close()');
      }
      expect(engine.isRunning).toBe(true);
      const handle = await engine.startWorkflow(quickFlow, [5]);
      expect(await handle.result()).toBe(10);
      if (!onPostgres) expect(consistencyProblems(temp.file)).toEqual([]);
      expect(() => new Tempolite({ database: temp.file, closeTimeoutMs: 0 })).toThrow(InvalidOptionsError);
      expect(() => new Tempolite({ database: temp.file, closeTimeoutMs: '1s' as never })).toThrow(/closeTimeoutMs/);
    } finally {
      await engine.close();
      await temp.cleanup();
    }
  });
});
