import 'reflect-metadata';
import fc from 'fast-check';
import { SuperJSON } from 'superjson';
import { describe, expect, it } from 'vitest';
import { SerializationError, SuperJsonCodec } from '../../src/index.js';
import { PayloadEncoder } from '../../src/store/codec.js';
import { plainJsonText } from '../../src/store/json-fast-path.js';
import { payloadArb } from '../fuzz/arbitraries.js';
import { fuzzParameters } from '../fuzz/fuzz-config.js';

const superjson = new SuperJSON();

describe('the codec fast path for plain JSON', () => {
  it('takes plain values, and stores them exactly as superjson does', () => {
    const shared = { deep: [1, 'two', { three: null, four: true }] };
    for (const value of [0, 1.5, -7, 'text', '', true, false, null, [], {}, [1, [2, [3]]], { a: { b: { c: 'd' } } }, shared, [shared.deep]]) {
      const plain = plainJsonText(value);
      expect(plain).toBe(JSON.stringify(value));
      expect(new SuperJsonCodec().encode(value)).toBe(superjson.stringify(value));
    }
  });

  it('leaves to superjson whatever needs meta or the validator', () => {
    const shared = { x: 1 };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    class Point {
      x = 1;
    }
    // eslint-disable-next-line no-sparse-arrays
    const holes = [1, , 3];
    const withExtra = Object.assign([1], { extra: 2 });
    const deep = Array.from({ length: 100 }).reduce<unknown>((inner) => [inner], 0);
    const values = [undefined, -0, NaN, Infinity, 1n, Symbol('s'), () => 1, new Date(0), new Map(), new Set(), /r/, new Point(), Object.create(null),
      { u: undefined }, [undefined], [shared, shared], cyclic, holes, withExtra, JSON.parse('{"__proto__":1}'), { constructor: 1 }, { [Symbol('k')]: 1 }, deep, new Error('e')];
    values.forEach((value, i) => expect(plainJsonText(value), `value #${i}`).toBeUndefined());
  });

  it('agrees with superjson on every fuzzed payload it takes, and round-trips through the encoder', () => {
    const encoder = new PayloadEncoder(new SuperJsonCodec(), 1024 * 1024);
    const where = { description: 'fuzzed payload' };
    fc.assert(
      fc.property(fc.oneof(payloadArb, fc.jsonValue()), (value) => {
        const plain = plainJsonText(value);
        if (plain === undefined) return;
        const text = encoder.encode(value, where);
        expect(text).toBe(superjson.stringify(value));
        expect(encoder.decode(text, where)).toEqual(value);
      }),
      fuzzParameters(1000),
    );
  });
});

describe('values the fast path must not take on', () => {
  it('a throwing getter still fails as a SerializationError with its path; a throwing proxy is left to the general path', () => {
    const encoder = new PayloadEncoder(new SuperJsonCodec(), 1024);
    const getter = {
      get broken(): number {
        throw new Error('no');
      },
    };
    const trap = new Proxy({}, {
      ownKeys: () => {
        throw new Error('trap');
      },
    });
    expect(plainJsonText({ getter })).toBeUndefined();
    expect(plainJsonText([trap])).toBeUndefined();
    expect(() => encoder.encode({ getter }, { description: 'value' })).toThrow(SerializationError);
  });
});

describe('the encoder and codecs that are not the default one', () => {
  it('calls a subclass of SuperJsonCodec that overrides encode, plain values included', () => {
    class Wrapped extends SuperJsonCodec {
      override encode(value: unknown): string {
        return `wrapped:${super.encode(value)}`;
      }
      override decode(text: string): unknown {
        return super.decode(text.replace(/^wrapped:/, ''));
      }
    }
    const encoder = new PayloadEncoder(new Wrapped(), 1024);
    const text = encoder.encode({ plain: [1, 'two'] }, { description: 'value' });
    expect(text).toBe('wrapped:{"json":{"plain":[1,"two"]}}');
    expect(encoder.decode(text, { description: 'value' })).toEqual({ plain: [1, 'two'] });
  });
});
