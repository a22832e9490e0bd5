import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { Tempolite, TestClock, registerActivity, registerSaga, registerWorkflow, silentLogger } from '../../src/index.js';
import { consistencyProblems } from '../helpers/consistency.js';
import { eventually } from '../helpers/eventually.js';
import { onPostgres, tempDatabase } from '../helpers/test-store.js';

/** What "the code" passes: changed between the two engines, as a deployment would. */
const deployed = { seat: '12A', failFirst: true };
const calls: string[] = [];

const book = registerSaga(
  'deploy.book',
  {
    run: async (seat: string) => {
      calls.push(`book ${seat}`);
      if (deployed.failFirst) throw new Error('busy');
      return `bk-${seat}`;
    },
    compensate: async (seat: string, booking: string) => {
      calls.push(`cancel ${seat} ${booking}`);
    },
  },
  { retry: { maxAttempts: 3, initialIntervalMs: 60_000 } },
);
const fetchPage = registerActivity(
  'deploy.fetch',
  async (page: string) => {
    calls.push(`fetch ${page}`);
    if (deployed.failFirst) throw new Error('down');
    return `page-${page}`;
  },
  { retry: { maxAttempts: 3, initialIntervalMs: 60_000 } },
);
const trip = registerWorkflow('deploy.trip', async () => {
  const booking = await book(deployed.seat);
  const page = await fetchPage(deployed.seat);
  throw new Error(`fail after ${booking} ${page}`);
});

describe('a step under way when the code changes its arguments', () => {
  it('goes on with the arguments of its first attempt, and its compensation gets the same ones', async () => {
    const temp = tempDatabase();
    const clock = new TestClock();
    const options = { database: temp.file, register: [book, fetchPage, trip], clock, pollIntervalMs: 20, logger: silentLogger };
    deployed.seat = '12A';
    deployed.failFirst = true;
    calls.length = 0;
    const first = new Tempolite(options);
    try {
      await first.start();
      const handle = await first.startWorkflow(trip, [], { id: 'deploy-1' });
      await eventually(async () => (await handle.status()) === 'waiting', 'the saga step to wait in its backoff');
      await first.close();
      expect(calls).toEqual(['book 12A']);

      // The next deployment passes another seat; the step recorded with 12A must not book 14C.
      deployed.seat = '14C';
      deployed.failFirst = false;
      const second = new Tempolite(options);
      await second.start();
      try {
        clock.advance('61s');
        const later = await second.getHandle('deploy-1');
        await eventually(async () => (await later.describe()).steps.some((s) => s.name === 'deploy.fetch'), 'the next step');
        // The activity is new in this deployment's run: it takes the arguments the code passes now.
        expect(calls.slice(0, 3)).toEqual(['book 12A', 'book 12A', 'fetch 14C']);
        await expect(later.result()).rejects.toThrow();
        expect(calls.at(-1)).toBe('cancel 12A bk-12A');
        const saga = (await later.describe()).steps.find((s) => s.name === 'deploy.book');
        expect(saga?.input).toEqual(['12A']);
        expect(saga?.output).toBe('bk-12A');
      } finally {
        await second.close();
      }
      if (!onPostgres) expect(consistencyProblems(temp.file)).toEqual([]);
    } finally {
      await first.close();
      await temp.cleanup();
    }
  });

  it('an activity retried after a deployment runs with its recorded arguments', async () => {
    const temp = tempDatabase();
    const clock = new TestClock();
    const flow = registerWorkflow('deploy.fetchFlow', async () => fetchPage(deployed.seat));
    const options = { database: temp.file, register: [fetchPage, flow], clock, pollIntervalMs: 20, logger: silentLogger };
    deployed.seat = 'a';
    deployed.failFirst = true;
    calls.length = 0;
    const first = new Tempolite(options);
    try {
      await first.start();
      const handle = await first.startWorkflow(flow, [], { id: 'deploy-2' });
      await eventually(async () => (await handle.status()) === 'waiting', 'the activity to wait in its backoff');
      await first.close();
      deployed.seat = 'b';
      deployed.failFirst = false;
      const second = new Tempolite(options);
      await second.start();
      try {
        clock.advance('61s');
        expect(await (await second.getHandle<string>('deploy-2')).result()).toBe('page-a');
        expect(calls).toEqual(['fetch a', 'fetch a']);
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
      await temp.cleanup();
    }
  });
});
