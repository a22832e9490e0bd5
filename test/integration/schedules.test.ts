import 'reflect-metadata';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Activity, TestClock, Workflow, registerWorkflow, silentLogger, type Logger, type TempoliteOptions } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { onPostgres } from '../helpers/test-store.js';

class Reports {
  static failNext = false;
  @Activity({ name: 'reports.render', retry: { maxAttempts: 1 } }) async render(at: string): Promise<string> {
    if (Reports.failNext) {
      Reports.failNext = false;
      throw new Error('renderer down');
    }
    return `report of ${at}`;
  }
  @Workflow({ name: 'reports.every10s', schedule: '*/10 * * * * *' }) async every10s(scheduledAt: Date): Promise<string> {
    if (!(scheduledAt instanceof Date)) throw new Error(`not a Date: ${String(scheduledAt)}`);
    return this.render(scheduledAt.toISOString());
  }
}

class Morning {
  @Workflow({ name: 'morning.paris', schedule: { cron: '0 9 * * *', timezone: 'Europe/Paris' } }) async paris(scheduledAt: Date): Promise<string> {
    return scheduledAt.toISOString();
  }
}

const perSecond = registerWorkflow('ticks.perSecond', async (scheduledAt: Date) => scheduledAt.getTime(), { schedule: '* * * * * *' });

/** Collects what an engine logs at warn and error. */
function recordingLogger(): Logger & { readonly lines: { level: string; message: string; fields: object }[] } {
  const lines: { level: string; message: string; fields: object }[] = [];
  return {
    ...silentLogger,
    lines,
    warn: (fields, message) => lines.push({ level: 'warn', message: message ?? '', fields }),
    error: (fields, message) => lines.push({ level: 'error', message: message ?? '', fields }),
  };
}

describe('scheduled workflows', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function engineWith(options: TempoliteOptions, file?: string) {
    const started = await startEngine(options, file);
    cleanups.push(started.dispose);
    return started;
  }
  async function idsOf(engine: { list: (o: { name: string }) => Promise<{ workflowId: string }[]> }, name: string): Promise<string[]> {
    return (await engine.list({ name })).map((w) => w.workflowId).sort();
  }

  it('starts one workflow per tick with the tick as its argument, makes up for ticks a clock jump passed, and not for ticks while no engine ran', async () => {
    const clock = new TestClock(new Date('2026-12-02T05:59:55.500Z'));
    const { engine, file } = await engineWith({ register: [Reports], clock });
    clock.advance('5s');
    await eventually(async () => (await idsOf(engine, 'reports.every10s')).length === 1, 'the first tick');
    const first = await engine.getHandle<string>('reports.every10s@2026-12-02T06:00:00.000Z');
    expect(await first.result()).toBe('report of 2026-12-02T06:00:00.000Z');
    expect((await first.describe()).input).toEqual([new Date('2026-12-02T06:00:00.000Z')]);

    clock.advance('30s');
    const ids = ['06:00:00', '06:00:10', '06:00:20', '06:00:30'].map((t) => `reports.every10s@2026-12-02T${t}.000Z`);
    await eventually(async () => (await idsOf(engine, 'reports.every10s')).length === 4, 'three more ticks');
    expect(await idsOf(engine, 'reports.every10s')).toEqual(ids);

    // Down from 06:00:30.5 to 06:00:50.5: those two ticks are not started later.
    await engine.close();
    clock.advance('20s');
    const again = await engineWith({ register: [Reports], clock }, file);
    clock.advance('10s');
    await eventually(async () => (await idsOf(again.engine, 'reports.every10s')).length === 5, 'the tick after the restart');
    expect((await idsOf(again.engine, 'reports.every10s')).at(-1)).toBe('reports.every10s@2026-12-02T06:01:00.000Z');
    for (const id of await idsOf(again.engine, 'reports.every10s')) await (await again.engine.getHandle(id)).result();
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a tick whose workflow fails does not stop the schedule', async () => {
    const clock = new TestClock(new Date('2026-12-02T05:59:59.000Z'));
    const { engine } = await engineWith({ register: [Reports], clock });
    Reports.failNext = true;
    clock.advance('1s');
    await eventually(async () => (await idsOf(engine, 'reports.every10s')).length === 1, 'the first tick');
    await expect((await engine.getHandle('reports.every10s@2026-12-02T06:00:00.000Z')).result()).rejects.toThrow(/renderer down/);
    clock.advance('10s');
    await eventually(async () => (await idsOf(engine, 'reports.every10s')).length === 2, 'the next tick');
    expect(await (await engine.getHandle('reports.every10s@2026-12-02T06:00:10.000Z')).result()).toBe('report of 2026-12-02T06:00:10.000Z');
  });

  it('reads the pattern in its time zone', async () => {
    const clock = new TestClock(new Date('2026-12-02T07:59:59.000Z'));
    const { engine } = await engineWith({ register: [Morning], clock });
    clock.advance('2s');
    // 09:00 in Paris is 08:00 UTC in December.
    await eventually(async () => (await idsOf(engine, 'morning.paris')).length === 1, 'the morning tick');
    expect(await idsOf(engine, 'morning.paris')).toEqual(['morning.paris@2026-12-02T08:00:00.000Z']);
  });

  it('after a jump past more than 100 ticks, the latest 100 start and a warning says what was skipped', async () => {
    const clock = new TestClock(new Date('2026-12-02T06:00:00.000Z'));
    const logger = recordingLogger();
    const { engine } = await engineWith({ register: [perSecond], clock, logger });
    clock.advance('1h');
    await eventually(async () => (await engine.list({ name: 'ticks.perSecond', limit: 1000 })).length === 100, '100 starts');
    await eventually(() => logger.lines.some((l) => l.level === 'warn'), 'the warning');
    const ids = (await engine.list({ name: 'ticks.perSecond', limit: 1000 })).map((w) => w.workflowId).sort();
    expect([ids[0], ids.at(-1)]).toEqual(['ticks.perSecond@2026-12-02T06:58:21.000Z', 'ticks.perSecond@2026-12-02T07:00:00.000Z']);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.fields)).toEqual([
      { workflowName: 'ticks.perSecond', skippedFrom: '2026-12-02T06:00:01.000Z', startingFrom: '2026-12-02T06:58:21.000Z' },
    ]);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it.skipIf(onPostgres)('a tick whose start meets a locked database is started once the lock is free, not skipped', async () => {
    const clock = new TestClock(new Date('2026-12-02T05:59:59.000Z'));
    const logger = recordingLogger();
    const { engine, file } = await engineWith({ register: [Reports], clock, logger, busyTimeoutMs: 20 });
    const other = new Database(file);
    cleanups.push(async () => other.close());
    other.exec('BEGIN IMMEDIATE');
    clock.advance('1s');
    await eventually(() => logger.lines.some((l) => l.message.startsWith('starting a scheduled workflow failed; trying again')), 'a refused start');
    other.exec('ROLLBACK');
    await eventually(async () => (await idsOf(engine, 'reports.every10s')).length === 1, 'the tick, started after all');
    expect(await (await engine.getHandle('reports.every10s@2026-12-02T06:00:00.000Z')).result()).toBe('report of 2026-12-02T06:00:00.000Z');
  });

  it('a close right after a jump still starts every tick the jump passed', async () => {
    const clock = new TestClock(new Date('2026-12-02T06:00:00.500Z'));
    const { engine, file } = await engineWith({ register: [Reports], clock });
    clock.advance('10m');
    await engine.close();
    const again = await engineWith({ register: [Reports], clock, workers: false }, file);
    expect(await idsOf(again.engine, 'reports.every10s')).toHaveLength(60);
  });

  it.runIf(onPostgres)('engines sharing a PostgreSQL database start each tick once between them, without an error', async () => {
    const clock = new TestClock(new Date('2026-12-02T05:59:55.000Z'));
    const logger = recordingLogger();
    const a = await engineWith({ register: [Reports], clock, logger });
    const b = await engineWith({ register: [Reports], clock, logger }, a.file);
    clock.advance('25s');
    await eventually(async () => (await idsOf(a.engine, 'reports.every10s')).length === 3, 'three ticks');
    for (const id of await idsOf(b.engine, 'reports.every10s')) await (await b.engine.getHandle(id)).result();
    expect(await idsOf(b.engine, 'reports.every10s')).toEqual(['06:00:00', '06:00:10', '06:00:20'].map((t) => `reports.every10s@2026-12-02T${t}.000Z`));
    expect(logger.lines).toEqual([]);
    expect(await checkConsistency(a.file)).toEqual([]);
  });
});
