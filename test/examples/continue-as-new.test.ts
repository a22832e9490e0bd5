import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { runPolling } from '../../examples/continue-as-new/polling.js';
import { tempDatabase } from '../helpers/temp-db.js';

describe('examples/continue-as-new', () => {
  const temp = tempDatabase();
  afterEach(() => temp.cleanup());

  it('polls in rounds, continuing as new every N rounds, and returns the final count', async () => {
    const lines: string[] = [];
    const outcome = await runPolling({ database: temp.file, items: 11, roundsPerGeneration: 2, log: (line) => lines.push(line) });
    // 11 items, 2 per page: 6 pages + 1 empty page = 7 rounds; 2 rounds per generation → generations 0..3.
    expect(outcome).toEqual({ seen: 11, generation: 3, executions: 4 });
    expect(lines[0]).toBe('saw 11 items over 4 generations (4 executions, one workflow entity)');
    expect(lines[1]).toContain('generation 3');
  });
});
