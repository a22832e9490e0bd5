import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../src/index.js';
import { positiveDurationMs, toMilliseconds } from '../../src/engine/duration.js';

const parse = (value: unknown): number => toMilliseconds(value, 'sleep()', 'duration');

describe('durations', () => {
  it('reads milliseconds and one-unit strings', () => {
    expect(parse(0)).toBe(0);
    expect(parse(1500)).toBe(1500);
    expect(parse(0.2)).toBe(1); // never shorter than asked
    expect(parse('500ms')).toBe(500);
    expect(parse('10s')).toBe(10_000);
    expect(parse('10m')).toBe(600_000);
    expect(parse('2h')).toBe(7_200_000);
    expect(parse('2d')).toBe(172_800_000);
    expect(parse('1w')).toBe(604_800_000);
    expect(parse('1.5h')).toBe(5_400_000);
    expect(parse('30d')).toBe(30 * 86_400_000);
  });

  it.each([
    ['', 'empty'],
    ['10', 'no unit'],
    ['10x', 'unknown unit'],
    ['-1s', 'negative'],
    ['1h30m', 'two units'],
    [' 5s', 'leading space'],
    ['5 s', 'inner space'],
    ['5S', 'upper-case unit'],
    ['1e3ms', 'exponent'],
    ['.5s', 'no leading digit'],
    [-1, 'negative number'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'infinity'],
    [null, 'null'],
    [undefined, 'undefined'],
    [{ ms: 5 }, 'object'],
    ['99999999999999999999w', 'too long'],
  ])('refuses %j (%s) with InvalidOptionsError naming the option', (value, _why) => {
    let caught: unknown;
    try {
      parse(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidOptionsError);
    expect((caught as InvalidOptionsError).path).toBe('duration');
    expect((caught as InvalidOptionsError).subject).toBe('sleep()');
  });
});

describe('positiveDurationMs (activity and workflow timeouts)', () => {
  it('rounds fractions up alike for numbers and strings, refuses zero, negatives and a deadline past what a Date holds', () => {
    expect([positiveDurationMs(0.5, 's', 'timeout'), positiveDurationMs('0.5ms', 's', 'timeout'), positiveDurationMs('1w', 's', 'timeout')]).toEqual([1, 1, 604_800_000]);
    for (const [value, reason] of [
      [0, /at least 1 ms/],
      [-1, /at least 1 ms/],
      [Number.NaN, /must be at least 1 ms, got NaN/],
      // Not "≥ 0" as for a sleep: the message names the limit a timeout has.
      [Infinity, /must be a finite number of milliseconds, at least 1, got Infinity/],
      ['0ms', /at least 1 ms/],
      [Number.MAX_SAFE_INTEGER, /too long a timeout/],
      ['10000000w', /too long a timeout/],
    ] as const) {
      expect(() => positiveDurationMs(value, 's', 'timeout'), String(value)).toThrow(reason);
    }
  });
});
