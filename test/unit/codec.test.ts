import { describe, expect, it } from 'vitest';
import { ActivityFailure, ChildWorkflowFailure, CompensationFailure, ErrorCode, PayloadTooLargeError, SerializationError } from '../../src/errors.js';
import { reviveFailure } from '../../src/engine/revive-failure.js';
import { PayloadEncoder, SuperJsonCodec, type PayloadCodec, type PayloadLocation } from '../../src/store/codec.js';

class Money {
  constructor(
    readonly amount: bigint,
    readonly currency: string,
  ) {}
  get label(): string {
    return `${this.amount} ${this.currency}`;
  }
}

class CardDeclined extends Error {
  readonly code = 'card_declined';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CardDeclined';
  }
}

class NotRegistered {
  readonly x = 1;
}

const where: PayloadLocation = { description: 'input of activity "charge#0"', workflowId: 'order-1', stepId: 'charge#0' };

function encoder(maxPayloadBytes = 1_000_000): PayloadEncoder {
  return new PayloadEncoder(new SuperJsonCodec({ classes: [Money, CardDeclined] }), maxPayloadBytes);
}

function roundTrip(value: unknown, enc = encoder()): unknown {
  return enc.decode(enc.encode(value, where), where);
}

/** The SerializationError thrown by `fn`, failing the test when there is none. */
function serializationErrorOf(fn: () => unknown): SerializationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SerializationError);
    return error as SerializationError;
  }
  throw new Error('expected a SerializationError');
}

function rejection(value: unknown): { path: string; reason: string } {
  const error = serializationErrorOf(() => encoder().encode(value, where));
  return { path: error.path, reason: error.reason };
}

describe('SuperJsonCodec round trips', () => {
  it('keeps plain JSON compact', () => {
    const text = encoder().encode({ a: 1, b: ['x', true, null] }, where);
    expect(text).toBe('{"json":{"a":1,"b":["x",true,null]}}');
  });

  it('round-trips Date, BigInt, RegExp, URL and typed arrays', () => {
    const value = {
      at: new Date('2024-05-01T10:00:00.000Z'),
      big: 12345678901234567890n,
      re: /a\/b+/gi,
      url: new URL('https://example.com/x?q=1'),
      bytes: new Uint8Array([1, 2, 255]),
      floats: new Float64Array([1.5, -2]),
    };
    const back = roundTrip(value) as typeof value;
    expect(back).toEqual(value);
    expect(back.at).toBeInstanceOf(Date);
    expect(back.big).toBe(12345678901234567890n);
    expect(back.re.flags).toBe('gi');
    expect(back.url).toBeInstanceOf(URL);
    expect(back.bytes).toBeInstanceOf(Uint8Array);
  });

  it('round-trips Maps with object keys and Sets, in order', () => {
    const key = { id: 7 };
    const value = {
      map: new Map<unknown, unknown>([
        [key, new Date(0)],
        ['b', new Set([3, 1, 2])],
        [5n, undefined],
      ]),
      set: new Set(['z', 'a', new Map([[1, 2]])]),
    };
    const back = roundTrip(value) as typeof value;
    expect(back).toEqual(value);
    expect([...back.map.keys()]).toEqual([{ id: 7 }, 'b', 5n]);
    expect([...back.set][0]).toBe('z');
  });

  it('round-trips undefined, NaN, ±Infinity and -0 everywhere', () => {
    expect(roundTrip(undefined)).toBeUndefined();
    const back = roundTrip({ u: undefined, list: [undefined, 1], nan: NaN, inf: Infinity, ninf: -Infinity, negZero: -0 }) as Record<
      string,
      unknown
    >;
    expect('u' in back).toBe(true);
    expect(back.u).toBeUndefined();
    expect(back.list).toEqual([undefined, 1]);
    expect(back.nan).toBeNaN();
    expect(back.inf).toBe(Infinity);
    expect(back.ninf).toBe(-Infinity);
    expect(Object.is(back.negZero, -0)).toBe(true);
  });

  it('round-trips nested combinations', () => {
    const value = { orders: [{ id: 1n, lines: new Map([['sku', { qty: 2, at: new Date(5) }]]), tags: new Set(['a']) }] };
    expect(roundTrip(value)).toEqual(value);
  });

  it('revives registered classes with their prototype', () => {
    const back = roundTrip({ total: new Money(15n, 'EUR') }) as { total: Money };
    expect(back.total).toBeInstanceOf(Money);
    expect(back.total.label).toBe('15 EUR');
  });

  it('keeps circular references between plain containers', () => {
    const parent: { name: string; children: unknown[]; lookup?: Map<string, unknown> } = { name: 'p', children: [] };
    const child = { name: 'c', parent };
    parent.children.push(child);
    parent.lookup = new Map([['self', parent]]);
    const back = roundTrip(parent) as typeof parent;
    const backChild = back.children[0] as typeof child;
    expect(backChild.parent).toBe(back);
    expect(back.lookup?.get('self')).toBe(back);
  });

  it('keeps shared references between plain containers', () => {
    const shared = { id: 1, at: new Date(0) };
    const back = roundTrip({ a: shared, list: [shared], byId: new Map([[1, shared]]) }) as {
      a: unknown;
      list: unknown[];
      byId: Map<number, unknown>;
    };
    expect(back.list[0]).toBe(back.a);
    expect(back.byId.get(1)).toBe(back.a);
  });

  it('does not share class registrations between codecs', () => {
    const withMoney = new PayloadEncoder(new SuperJsonCodec({ classes: [Money] }), 10_000);
    const plain = new PayloadEncoder(new SuperJsonCodec(), 10_000);
    const text = withMoney.encode(new Money(1n, 'EUR'), where);
    expect(serializationErrorOf(() => plain.encode(new Money(1n, 'EUR'), where)).reason).toContain('instance of class Money');
    expect(serializationErrorOf(() => plain.decode(text, where)).path).toBe('$');
  });

  it('refuses class registrations it cannot honour', () => {
    expect(() => new SuperJsonCodec({ classes: [Money, class Money {}] })).toThrow(/two classes are named Money/);
    expect(() => new SuperJsonCodec({ classes: [class extends Map {}] })).toThrow(/anonymous/);
    expect(() => new SuperJsonCodec({ classes: [class Registry extends Map {}] })).toThrow(/built-in Map/);
  });
});

describe('PayloadEncoder validation', () => {
  it('names functions with their path', () => {
    const value = { items: [1, 2, { callback: () => 1 }] };
    expect(rejection(value)).toEqual({ path: '$.items[2].callback', reason: 'a function (callback) is not serializable' });
  });

  it('reports where, ids and code on the error', () => {
    const error = serializationErrorOf(() => encoder().encode({ f: Symbol('x') }, where));
    expect(error.code).toBe(ErrorCode.Serialization);
    expect(error.where).toBe(where.description);
    expect(error.workflowId).toBe('order-1');
    expect(error.stepId).toBe('charge#0');
    expect(error.message).toBe('Cannot serialize input of activity "charge#0": a symbol is not serializable at $.f');
  });

  it('refuses symbols as values and as keys', () => {
    expect(rejection([Symbol('s')])).toEqual({ path: '$[0]', reason: 'a symbol is not serializable' });
    expect(rejection({ meta: { [Symbol('secret')]: 1 } })).toEqual({
      path: '$.meta[Symbol(secret)]',
      reason: 'a symbol key is not serializable',
    });
  });

  it('refuses Promises and weak collections', () => {
    expect(rejection({ p: Promise.resolve(1) })).toEqual({ path: '$.p', reason: 'a Promise is not serializable; await it and pass its result' });
    expect(rejection({ w: new WeakMap() })).toEqual({ path: '$.w', reason: 'a WeakMap is not serializable' });
    expect(rejection({ w: new WeakSet() })).toEqual({ path: '$.w', reason: 'a WeakSet is not serializable' });
    expect(rejection({ w: new WeakRef({}) })).toEqual({ path: '$.w', reason: 'a WeakRef is not serializable' });
  });

  it('refuses instances of unregistered classes, naming the class', () => {
    expect(rejection({ order: { customer: new NotRegistered() } })).toEqual({
      path: '$.order.customer',
      reason: "instance of class NotRegistered is not serializable; pass plain data or register the class in the codec's classes",
    });
    class Euro extends Money {}
    expect(rejection([new Euro(1n, 'EUR')]).reason).toContain('instance of class Euro');
    expect(rejection({ b: Buffer.from('x') }).reason).toContain('instance of class Buffer');
    expect(rejection({ m: new (class Registry extends Map {})() }).reason).toContain('instance of class Registry');
  });

  it('uses .get(key), .key(#i) and .item(#i) inside Maps and Sets', () => {
    expect(rejection({ prices: new Map([['eur', () => 1]]) }).path).toBe('$.prices.get("eur")');
    expect(rejection({ prices: new Map([[3n, () => 1]]) }).path).toBe('$.prices.get(3n)');
    expect(rejection({ m: new Map([[{ fn: () => 1 }, 1]]) }).path).toBe('$.m.key(#0).fn');
    expect(rejection({ m: new Map<unknown, unknown>([['a', 1], [{}, () => 1]]) }).path).toBe('$.m.get(#1)');
    expect(rejection({ s: new Set([1, Symbol('x')]) }).path).toBe('$.s.item(#1)');
  });

  it('quotes keys that are not identifiers', () => {
    expect(rejection({ 'a b': { 'x.y': () => 1 } }).path).toBe('$["a b"]["x.y"]');
  });

  it('refuses values superjson would silently change', () => {
    expect(rejection({ at: new Date(NaN) })).toEqual({ path: '$.at', reason: 'an invalid Date would decode as null' });
    // eslint-disable-next-line no-sparse-arrays
    expect(rejection([1, , 3]).path).toBe('$[1]');
    expect(rejection(Object.assign([1], { extra: 2 })).path).toBe('$');
    expect(rejection({ v: new Float64Array([1, NaN]) }).path).toBe('$.v[1]');
    expect(rejection(JSON.parse('{"a":{"__proto__":1}}')).path).toBe('$.a.__proto__');
    expect(rejection({ constructor: 1 }).reason).toContain('prototype pollution');
  });

  it('refuses circular references superjson cannot restore', () => {
    const money = new Money(1n, 'EUR') as Money & { self?: unknown };
    money.self = money;
    expect(rejection({ money })).toEqual({ path: '$.money.self', reason: 'a circular reference through an instance of class Money cannot be restored' });

    const error = new Error('loop');
    error.cause = { back: error };
    expect(rejection(error)).toEqual({ path: '$.cause.back', reason: 'a circular reference through an Error cannot be restored' });

    const set = new Set<unknown>([1]);
    set.add(set);
    expect(rejection({ set }).path).toBe('$.set.item(#1)');

    // Superjson 2 restores the back-reference on only one copy of a shared object.
    const user: Record<string, unknown> = { name: 'ann' };
    const post = { author: user };
    user.posts = [post];
    user.featured = post;
    expect(rejection(user).path).toBe('$.featured');
  });

  it('refuses shared references that would come back reordered', () => {
    const key = { id: 1 };
    expect(rejection({ k: key, m: new Map([[key, 1], [{ id: 2 }, 2]]) }).path).toBe('$.m.key(#0)');
    expect(rejection({ k: key, s: new Set([key, 2]) }).path).toBe('$.s.item(#0)');
    const back = roundTrip({ k: key, s: new Set([2, key]) }) as { k: unknown; s: Set<unknown> };
    expect([...back.s]).toEqual([2, { id: 1 }]);
  });

  it('does not call the codec for a rejected value', () => {
    let calls = 0;
    const codec: PayloadCodec = { encode: () => String(++calls), decode: (text) => text };
    expect(() => new PayloadEncoder(codec, 100).encode({ f: () => 1 }, where)).toThrow(SerializationError);
    expect(calls).toBe(0);
  });

  it('refuses payloads over the limit in UTF-8 bytes', () => {
    const enc = encoder(40);
    const value = 'é'.repeat(20);
    const text = new SuperJsonCodec().encode(value);
    expect(text.length).toBeLessThanOrEqual(40);
    let error: unknown;
    try {
      enc.encode(value, where);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect((error as PayloadTooLargeError).size).toBe(Buffer.byteLength(text, 'utf8'));
    expect((error as PayloadTooLargeError).limit).toBe(40);
    expect((error as PayloadTooLargeError).stepId).toBe('charge#0');
  });

  it('turns corrupt text into a SerializationError at $', () => {
    const enc = encoder();
    for (const text of ['{not json', '{"value":1}', '[]', '{"json":{},"meta":{"values":[["class","Gone"]],"v":1}}']) {
      const error = serializationErrorOf(() => enc.decode(text, where));
      expect(error.path).toBe('$');
      expect(error.reason).toContain('cannot be decoded');
      expect(error.message).toMatch(/^Cannot decode /);
      expect(error.cause).toBeInstanceOf(Error);
    }
  });

  it('rejects a nonsensical size limit', () => {
    expect(() => new PayloadEncoder(new SuperJsonCodec(), 0)).toThrow(/maxPayloadBytes/);
  });
});

describe('PayloadEncoder errors', () => {
  const roundTripError = (thrown: unknown, enc = encoder()): Error => enc.decodeError(enc.encodeError(thrown, where));

  it('keeps name, message, stack and extra fields', () => {
    class Unregistered extends Error {}
    const original = Object.assign(new Unregistered('declined'), { name: 'PaymentRefused', statusCode: 402, details: { at: new Date(1) } });
    const back = roundTripError(original) as typeof original;
    expect(back).toBeInstanceOf(Error);
    expect(back.constructor).toBe(Error);
    expect(back.name).toBe('PaymentRefused');
    expect(back.message).toBe('declined');
    expect(back.stack).toBe(original.stack);
    expect(back.statusCode).toBe(402);
    expect(back.details.at).toEqual(new Date(1));
  });

  it('revives registered error classes with their prototype', () => {
    const back = roundTripError(new CardDeclined('no funds'));
    expect(back).toBeInstanceOf(CardDeclined);
    expect(back.name).toBe('CardDeclined');
    expect((back as CardDeclined).code).toBe('card_declined');
    expect(Object.keys(back)).toEqual(['code']);
  });

  it('keeps the cause chain', () => {
    const root = Object.assign(new RangeError('too big'), { code: 'E_RANGE' });
    const middle = new CardDeclined('declined', { cause: root });
    const top = new Error('charge failed', { cause: middle });
    const back = roundTripError(top);
    const backMiddle = back.cause as CardDeclined;
    expect(backMiddle).toBeInstanceOf(CardDeclined);
    expect(backMiddle.cause).toBeInstanceOf(RangeError);
    expect((backMiddle.cause as typeof root).code).toBe('E_RANGE');
    expect(roundTripError(new Error('x', { cause: { reason: 'plain', at: 1n } })).cause).toEqual({ reason: 'plain', at: 1n });
  });

  it('revives built-in error classes by name', () => {
    for (const Builtin of [TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError]) {
      const back = roundTripError(new Builtin('m'));
      expect(back).toBeInstanceOf(Builtin);
      expect(back.message).toBe('m');
    }
    const aggregate = roundTripError(new AggregateError([new TypeError('a'), 'b'], 'both'));
    expect(aggregate).toBeInstanceOf(AggregateError);
    expect((aggregate as AggregateError).errors[0]).toBeInstanceOf(TypeError);
    expect((aggregate as AggregateError).errors[1]).toBe('b');
  });

  it('keeps errors nested in ordinary payloads', () => {
    const back = roundTrip({ failures: [new TypeError('bad')] }) as { failures: Error[] };
    expect(back.failures[0]).toBeInstanceOf(TypeError);
  });

  it('wraps thrown non-Error values, keeping them on value', () => {
    const fromString = roundTripError('card declined') as Error & { value: unknown };
    expect(fromString).toBeInstanceOf(Error);
    expect(fromString.message).toContain('card declined');
    expect(fromString.value).toBe('card declined');
    const fromObject = roundTripError({ code: 42, at: new Date(0) }) as Error & { value: unknown };
    expect(fromObject.value).toEqual({ code: 42, at: new Date(0) });
  });

  it('reduces errors whose fields cannot be stored, cause included', () => {
    const inner = Object.assign(new TypeError('inner'), { socket: new NotRegistered() });
    const outer = Object.assign(new Error('outer', { cause: inner }), { retry: () => 1 });
    const back = roundTripError(outer);
    expect(back.message).toBe('outer');
    expect(back.stack).toBe(outer.stack);
    expect('retry' in back).toBe(false);
    expect((back.cause as Error).name).toBe('TypeError');
    expect((back.cause as Error).message).toBe('inner');
    expect('socket' in (back.cause as Error)).toBe(false);
  });

  it('never throws, even on cycles, throwing getters and oversize errors', () => {
    const looping = new Error('loop');
    looping.cause = looping;
    expect(roundTripError(looping).message).toBe('loop');

    const hostile = new Error('hostile');
    Object.defineProperty(hostile, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    expect(roundTripError(hostile).message).toBe('hostile');

    const huge = Object.assign(new Error('x'.repeat(5000)), { blob: 'y'.repeat(5000) });
    const enc = encoder(2000);
    const text = enc.encodeError(huge, where);
    const back = enc.decodeError(text);
    expect(back.message.startsWith('xxx')).toBe(true);
    expect(back.message.length).toBeLessThan(1100);

    expect(roundTripError({ fn: () => 1 })).toBeInstanceOf(Error);
  });

  it('over the size limit, an error loses its stacks before its fields: ids and codes survive', () => {
    const inner = Object.assign(new TypeError('inner'), { code: 'E_INNER' });
    inner.stack = `TypeError: inner\n${'    at somewhere (file.js:1:1)\n'.repeat(40)}`;
    const outer = Object.assign(new Error('outer', { cause: inner }), { code: 'E_OUTER', workflowId: 'wf-1' });
    outer.stack = `Error: outer\n${'    at elsewhere (file.js:2:2)\n'.repeat(40)}`;
    const enc = encoder(1000);
    const back = enc.decodeError(enc.encodeError(outer, where)) as Error & { code?: string; workflowId?: string };
    expect(back).toMatchObject({ message: 'outer', code: 'E_OUTER', workflowId: 'wf-1' });
    expect(back.stack).toBeUndefined();
    expect(back.cause).toMatchObject({ name: 'TypeError', message: 'inner', code: 'E_INNER' });
    // With room enough, the stacks stay.
    expect(encoder().decodeError(encoder().encodeError(outer, where)).stack).toBe(outer.stack);
  });

  it('over the size limit because of a huge message, a chain keeps its classes, ids and original failure', () => {
    // Each wrapper repeats its cause's message: the chain is the message several times over.
    const root = new Error('M'.repeat(60_000));
    const failed = new ActivityFailure('wf-1', 'boom#0', 'boom', 1, new Error('boom'));
    const compensation = new CompensationFailure('wf-1', 'book#0', 'book', 2, root, failed);
    const enc = encoder(100_000);
    const back = reviveFailure(enc.decodeError(enc.encodeError(compensation, where)));
    expect(back).toBeInstanceOf(CompensationFailure);
    expect(back).toMatchObject({ workflowId: 'wf-1', stepId: 'book#0', sagaName: 'book', attempts: 2 });
    expect((back as CompensationFailure).originalFailure).toBeInstanceOf(ActivityFailure);
    expect((back as CompensationFailure).originalFailure).toMatchObject({ stepId: 'boom#0', message: failed.message });
    expect((back.cause as Error).message).toBe(`${'M'.repeat(1000)}…`);

    // A limit too small for even that: the minimal form still has the ids, so the class comes back.
    const tiny = encoder(600);
    const minimal = reviveFailure(tiny.decodeError(tiny.encodeError(new ActivityFailure('wf-2', 'big#0', 'big', 3, root), where)));
    expect(minimal).toBeInstanceOf(ActivityFailure);
    expect(minimal).toMatchObject({ workflowId: 'wf-2', stepId: 'big#0', attempts: 3 });
  });

  it("Tempolite's failures wrapped in an application's error come back as their classes", () => {
    const failed = new ActivityFailure('wf-3', 'charge#0', 'charge', 1, new TypeError('declined'));
    const child = new ChildWorkflowFailure('wf-3/ship#0', 'ship', 'failed', 'wf-3', 'ship#0', failed);
    const wrapped = new Error('outer', { cause: new Error('mid', { cause: child }) });
    const back = reviveFailure(encoder().decodeError(encoder().encodeError(wrapped, where)));
    const revivedChild = (back.cause as Error).cause;
    expect(back.constructor).toBe(Error);
    expect(revivedChild).toBeInstanceOf(ChildWorkflowFailure);
    expect(revivedChild).toMatchObject({ workflowId: 'wf-3/ship#0', parentId: 'wf-3' });
    expect((revivedChild as Error).cause).toBeInstanceOf(ActivityFailure);
    expect((revivedChild as Error).cause).toMatchObject({ workflowId: 'wf-3', stepId: 'charge#0' });
    expect(((revivedChild as Error).cause as Error).cause).toBeInstanceOf(TypeError);
  });

  it('returns an Error for undecodable text', () => {
    const back = encoder().decodeError('garbage');
    expect(back).toBeInstanceOf(Error);
    expect(back.message).toContain('could not be decoded');
  });
});

describe('custom codecs', () => {
  /** Wraps another codec in base64, standing in for encryption. */
  class Base64Codec implements PayloadCodec {
    constructor(private readonly inner: SuperJsonCodec) {}
    get classes() {
      return this.inner.classes;
    }
    encode(value: unknown): string {
      return Buffer.from(this.inner.encode(value), 'utf8').toString('base64');
    }
    decode(text: string): unknown {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error('not base64');
      return this.inner.decode(Buffer.from(text, 'base64').toString('utf8'));
    }
  }

  it('plugs into PayloadEncoder', () => {
    const enc = new PayloadEncoder(new Base64Codec(new SuperJsonCodec({ classes: [Money] })), 10_000);
    const value = { total: new Money(3n, 'EUR'), at: new Date(0) };
    const text = enc.encode(value, where);
    expect(text).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const back = enc.decode(text, where) as typeof value;
    expect(back.total).toBeInstanceOf(Money);
    expect(back.at).toEqual(new Date(0));
    expect(enc.decodeError(enc.encodeError(new TypeError('t'), where))).toBeInstanceOf(TypeError);
    expect(serializationErrorOf(() => enc.decode('%%%', where)).path).toBe('$');
  });

  it('wraps codec failures into SerializationError at $', () => {
    const failure = new Error('key unavailable');
    const codec: PayloadCodec = {
      encode: () => {
        throw failure;
      },
      decode: () => null,
    };
    const enc = new PayloadEncoder(codec, 10_000);
    const error = serializationErrorOf(() => enc.encode({ a: 1 }, where));
    expect(error.path).toBe('$');
    expect(error.cause).toBe(failure);
    // Stored all the same, but not in clear: a codec that refuses (an encrypting one without its key) must not leak it.
    const stored = enc.encodeError(new Error('secret message'), where);
    expect(stored).toBe('The error could not be stored: the codec refused it (Error)');
  });
});
