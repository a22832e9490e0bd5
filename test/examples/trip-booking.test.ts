import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { TripBooking, runTripBooking } from '../../examples/trip-booking/main.js';
import { formatRunTree, rootCause } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { tempDatabase } from '../helpers/temp-db.js';

describe('examples/trip-booking', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('books flight and hotel, fails on the car, cancels hotel then flight; the tree shows both kinds of executions', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const d = await runTripBooking(temp.file);

    expect(d.status).toBe('compensated');
    expect(rootCause(d.error)).toMatchObject({ name: 'NoCarAvailable', message: 'no car left in Lisbon' });
    const flight = d.steps.find((s) => s.name === 'trip.flight')!;
    const hotel = d.steps.find((s) => s.name === 'trip.hotel')!;
    expect(TripBooking.calls).toEqual([
      'book flight Porto → Lisbon',
      'book hotel in Lisbon for 3 nights',
      'book car in Lisbon',
      'book car in Lisbon',
      `cancel hotel ${(hotel.output as { ref: string }).ref}`,
      `cancel flight ${(flight.output as { ref: string }).ref}`,
    ]);
    expect(d.steps.map((s) => [s.name, s.status])).toEqual([
      ['trip.flight', 'compensated'],
      ['trip.hotel', 'compensated'],
      ['trip.car', 'failed'],
    ]);

    const tree = formatRunTree(d);
    console.log(tree);
    expect(tree).toContain('Workflow trip-ana-lisbon · trip.book · compensated');
    expect(tree).toMatch(/Execution #1 · start · failed .*NoCarAvailable: no car left in Lisbon/);
    expect(tree).toMatch(/Execution #2 · compensate · completed/);
    expect(tree).toMatch(/Saga trip\.hotel#0 · compensated · 1 attempt · 1 compensation attempt/);
    expect(tree).toMatch(/compensation 1 · completed/);
    // Under the compensation execution, the hotel comes before the flight: the order they were undone in.
    const phase = tree.slice(tree.indexOf('Execution #2'));
    expect(phase.indexOf('trip.hotel#0')).toBeGreaterThan(0);
    expect(phase.indexOf('trip.hotel#0')).toBeLessThan(phase.indexOf('trip.flight#0'));
    expect(await checkConsistency(temp.file)).toEqual([]);
  });
});
