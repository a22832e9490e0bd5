import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, Tempolite, registerWorkflow } from '../../src/index.js';

const flow = registerWorkflow('options.nested.flow', async () => 1);

/** A typo inside a queue, or a stray value in `register`, would otherwise be ignored without a word. */
describe('nested engine options', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a misspelt queue key', { queues: { a: { concurency: 1 } } }, 'queues.a.concurency'],
    ['a queue that is not an object', { queues: { a: 5 } }, 'queues.a'],
    ['a misspelt rate limit key', { queues: { a: { rateLimit: { limit: 1, interval: 10 } } } }, 'queues.a.rateLimit.interval'],
    ['a rate limit that is not an object', { queues: { a: { rateLimit: [1, 10] } } }, 'queues.a.rateLimit'],
    ['a number in register', { register: [flow, 42] }, 'register[1]'],
    ['null in register', { register: [null] }, 'register[0]'],
    ['a null durability', { durability: null }, 'durability'],
    ['a null poll interval', { pollIntervalMs: null }, 'pollIntervalMs'],
    ['a null logger', { logger: null }, 'logger'],
  ])('%s is an InvalidOptionsError naming it', (_, options, path) => {
    let error: unknown;
    try {
      new Tempolite({ database: ':memory:', ...options });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ code: 'TEMPOLITE_INVALID_OPTIONS', path });
  });

  it('an option given as undefined takes its default', () => {
    expect(() => new Tempolite({ database: ':memory:', register: [flow], durability: undefined, pollIntervalMs: undefined, logger: undefined })).not.toThrow();
  });

  it('every documented queue key is accepted', () => {
    expect(() => new Tempolite({ database: ':memory:', register: [flow], queues: { a: { concurrency: 2, workerConcurrency: 1, rateLimit: { limit: 5, intervalMs: 1000 } }, b: {} } })).not.toThrow();
  });
});
