import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { runWorkersExample } from '../../examples/workers/invoices.js';
import { checkConsistency } from '../helpers/consistency.js';
import { tempDatabase } from '../helpers/temp-db.js';
import { onPostgres } from '../helpers/test-store.js';

// PostgreSQL only: several processes on one database is what the PostgreSQL store is for.
describe.runIf(onPostgres)('examples/workers', () => {
  const temp = tempDatabase();
  afterEach(() => temp.cleanup());

  it('one process starts 1,000 workflows, three worker processes run them all', { timeout: 180_000 }, async () => {
    const lines: string[] = [];
    const outcome = await runWorkersExample({ database: temp.file, invoices: 1000, workers: 3, log: (line) => lines.push(line) });
    expect(outcome.issued).toBe(1000);
    expect(Object.keys(outcome.byWorker).sort()).toEqual(['worker-1', 'worker-2', 'worker-3']);
    expect(Object.values(outcome.byWorker).reduce((sum, n) => sum + n, 0)).toBe(1000);
    expect(lines[0]).toBe('1000 invoice workflows started; 3 worker processes run them');
    expect(lines[1]).toMatch(/^1000 invoices issued in [\d.]+ s \(\d+\/s\): worker-1 \d+, worker-2 \d+, worker-3 \d+$/);
    expect(await checkConsistency(temp.file)).toEqual([]);
  });
});
