import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, Tempolite, describeCause } from '../../src/index.js';

/** Counterexamples the fuzz tests found (test/fuzz/), kept as plain cases. */
describe('engine options found by fuzzing', () => {
  it.each<[string, unknown]>([
    ['clock', {}],
    ['clock', 5],
    ['logger', 5],
    ['logger', { warn: () => undefined }],
    ['container', {}],
    ['codec', { encode: 5 }],
    ['workerId', ''],
    ['workerId', 'x'.repeat(65)],
    ['workerId', 'bad\ud800'],
    ['busyTimeoutMs', Object.create(null)],
    ['durability', Object.create(null)],
  ])('%s: %o is an InvalidOptionsError at construction, not a TypeError later', (key, value) => {
    const options: Record<string, unknown> = { database: ':memory:', [key]: value };
    expect(() => new Tempolite(options)).toThrow(InvalidOptionsError);
  });

  it('a queue name with a lone surrogate is refused: it would be stored as another name', () => {
    expect(() => new Tempolite({ database: ':memory:', queues: { 'q\udc00': {} } })).toThrow(InvalidOptionsError);
  });

  it('describeCause never throws, whatever it is given', () => {
    const hostile = { toString: () => { throw new Error('no'); } };
    for (const value of [Object.create(null), hostile, Symbol('s'), 1n, undefined]) expect(typeof describeCause(value)).toBe('string');
  });
});
