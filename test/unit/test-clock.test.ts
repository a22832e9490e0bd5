import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, SystemClock, TestClock, type Duration } from '../../src/index.js';

describe('TestClock', () => {
  it('stands still until advanced, and releases the sleeps that became due, earliest first', async () => {
    const clock = new TestClock(new Date('2030-01-01T00:00:00Z'));
    const start = clock.now();
    expect(start).toBe(Date.parse('2030-01-01T00:00:00Z'));
    const order: string[] = [];
    const day = clock.sleep(86_400_000).then(() => order.push('day'));
    const hour = clock.sleep(3_600_000).then(() => order.push('hour'));
    const month = clock.sleep(30 * 86_400_000).then(() => order.push('month'));
    expect(clock.pendingSleeps).toBe(3);
    clock.advance('2d');
    await Promise.all([day, hour]);
    expect(order).toEqual(['hour', 'day']);
    expect(clock.now()).toBe(start + 2 * 86_400_000);
    expect(clock.pendingSleeps).toBe(1);
    clock.advanceTo(new Date('2030-03-01T00:00:00Z'));
    await month;
    expect(order).toEqual(['hour', 'day', 'month']);
  });

  it('ends a sleep early when its signal aborts, and resolves at once for nothing left to wait', async () => {
    const clock = new TestClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(1000, controller.signal);
    controller.abort();
    await sleeping;
    expect(clock.pendingSleeps).toBe(0);
    await clock.sleep(0);
    await clock.sleep(-5);
    expect(clock.now()).toBe(0);
  });

  it('calls advance listeners after the jump, until they unsubscribe; going back leaves it in place', () => {
    const clock = new TestClock(1000);
    const seen: number[] = [];
    const stop = clock.onAdvance(() => seen.push(clock.now()));
    clock.advance(10);
    expect(clock.advanceTo(500)).toBe(1010);
    stop();
    clock.advance(10);
    expect(seen).toEqual([1010]);
  });

  it('refuses bad amounts and times', () => {
    const clock = new TestClock(0);
    expect(() => clock.advance(-1)).toThrow(InvalidOptionsError);
    expect(() => clock.advance('soon' as Duration)).toThrow(InvalidOptionsError);
    expect(() => clock.advanceTo(new Date('nope'))).toThrow(InvalidOptionsError);
    expect(() => new TestClock(Number.NaN)).toThrow(InvalidOptionsError);
  });

  it('refuses what is not a time, or past what a Date holds, naming the method called', () => {
    const clock = new TestClock(1000);
    const untyped = clock as unknown as { advanceTo(time: unknown): number };
    for (const time of ['x', undefined, null, {}, '2030-01-01']) expect(() => untyped.advanceTo(time)).toThrow(InvalidOptionsError);
    expect(() => new TestClock('2030-01-01' as unknown as Date)).toThrow(InvalidOptionsError);
    expect(() => clock.advanceTo(8.7e15)).toThrow(InvalidOptionsError);
    expect(() => new TestClock(-8.7e15)).toThrow(InvalidOptionsError);
    const tooFar = (() => {
      try {
        clock.advance(Number.MAX_SAFE_INTEGER);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(tooFar).toMatchObject({ subject: 'TestClock', path: 'advance()' });
    expect(clock.now()).toBe(1000);
    expect(clock.advanceTo(8.64e15)).toBe(8.64e15);
    expect(new Date(clock.now()).toISOString()).toBe('+275760-09-13T00:00:00.000Z');
    expect(() => clock.onAdvance('poke' as unknown as () => void)).toThrow(InvalidOptionsError);
  });

  it('runs every advance listener when one throws, then throws the first error', () => {
    const clock = new TestClock(0);
    const ran: string[] = [];
    clock.onAdvance(() => {
      ran.push('first');
      throw new Error('first listener broke');
    });
    clock.onAdvance(() => ran.push('second'));
    const sleeping = clock.sleep(5);
    expect(() => clock.advance(10)).toThrow('first listener broke');
    expect(ran).toEqual(['first', 'second']);
    expect(clock.now()).toBe(10);
    expect(clock.pendingSleeps).toBe(0);
    return sleeping;
  });

  it('leaves the system clock as it was: real time, no jumps', async () => {
    const clock = new SystemClock();
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(50);
    expect('onAdvance' in clock).toBe(false);
    const before = Date.now();
    await clock.sleep(5);
    expect(Date.now() - before).toBeGreaterThanOrEqual(4);
  });

  it("SystemClock: a sleep longer than setTimeout's limit (2^31 - 1 ms) waits, and still ends on abort", async () => {
    const clock = new SystemClock();
    const stop = new AbortController();
    const order: string[] = [];
    const month = clock.sleep(30 * 86_400_000, stop.signal).then(() => order.push('month'));
    // Node would fire the overflowing timer after 1 ms: the short sleep must still come first.
    await clock.sleep(30).then(() => order.push('30ms'));
    stop.abort();
    await month;
    expect(order).toEqual(['30ms', 'month']);
  });
});
