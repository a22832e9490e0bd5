import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { runFanOut } from '../../examples/fan-out/fan-out.js';
import { tempDatabase } from '../helpers/temp-db.js';

describe('examples/fan-out', () => {
  const temp = tempDatabase();
  afterEach(() => temp.cleanup());

  it('fans out one child per address on a concurrency-limited queue and gathers the results', async () => {
    const lines: string[] = [];
    const outcome = await runFanOut({ database: temp.file, addresses: 12, apiLimit: 3, log: (line) => lines.push(line) });
    expect(outcome.results.map((r) => r.address)).toEqual(Array.from({ length: 12 }, (_, i) => `${i + 1} Main Street`));
    expect(outcome.children).toBe(12);
    expect(outcome.maxInFlight).toBeLessThanOrEqual(3);
    expect(lines[0]).toContain('12 addresses geocoded by 12 child workflows');
    expect(lines[1]).toContain('fanout.geocodeOne');
  });
});
