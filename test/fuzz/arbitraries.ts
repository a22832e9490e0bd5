/**
 * fast-check arbitraries shared by the fuzz tests: payload values (what the
 * codec keeps and what it must refuse), workflow ids, and "anything, often
 * nearly right" option values.
 */
import fc from 'fast-check';

/** A class the codec does not know: its instances must be refused. */
class Unregistered {
  constructor(readonly x = 1) {}
}

/** An error subclass with an own field. */
class CodedError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'CodedError';
  }
}

const errorArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.tuple(fc.constantFrom(Error, TypeError, RangeError, SyntaxError), fc.string(), fc.option(fc.jsonValue(), { nil: undefined })).map(([Kind, message, cause]) =>
    cause === undefined ? new Kind(message) : new Kind(message, { cause }),
  ),
  fc.tuple(fc.string(), fc.string()).map(([message, code]) => new CodedError(message, code)),
  fc.array(fc.string(), { maxLength: 3 }).map((messages) => new AggregateError(messages.map((m) => new Error(m)), 'many')),
);

/** Values the codec must either keep exactly or refuse with a SerializationError. */
const specialArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(undefined, null, NaN, -0, Infinity, -Infinity, '', '\u0000', 'a\ud800b', '\udfff', new Date(Number.NaN), /a+b/giu, new URL('https://example.com/a?b=c#d')),
  errorArb,
  fc.func(fc.integer()),
  fc.string().map((description) => Symbol(description)),
  fc.constant(new Unregistered()),
  fc.constant(Promise.resolve(1)),
  fc.constant(new WeakMap()),
  fc.constant<unknown>(Object.create(null)),
  fc.object({ maxDepth: 2 }).map((o) => Object.assign(o, { self: o })),
  fc.array(fc.integer(), { maxLength: 3 }).map((items) => {
    const looped: unknown[] = [...items];
    looped.push(looped);
    return looped;
  }),
  fc.object({ maxDepth: 1 }).map((shared) => ({ a: shared, b: [shared], c: new Map([['k', shared]]) })),
  fc.anything({ maxDepth: 1 }).map((shared) => new Set([shared, 1, shared])),
  fc.array(fc.double(), { maxLength: 4 }).map((items) => Float32Array.from(items)),
  fc.array(fc.double(), { maxLength: 4 }).map((items) => Float64Array.from(items)),
  fc.tuple(fc.anything({ maxDepth: 1 }), fc.anything({ maxDepth: 1 })).map(([k, v]) => new Map<unknown, unknown>([[k, v], [NaN, k]])),
  fc.constant<unknown>({ ['__proto__']: 1 }),
  fc.record({ $class: fc.string(), message: fc.string() }).map((fields) => Object.assign(new Error('with $class'), fields)),
);

/**
 * Payload values: arbitrary JSON-and-beyond values (BigInt, Date, Map, Set,
 * typed arrays, sparse arrays, null prototypes, boxed values, unicode), the
 * special cases above, and containers of them.
 */
export const payloadArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.anything({
      maxDepth: 3,
      maxKeys: 5,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
      withBoxedValues: true,
      withObjectString: true,
      withUnicodeString: true,
    }),
  },
  { weight: 2, arbitrary: specialArb },
  { weight: 1, arbitrary: fc.array(specialArb, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string(), specialArb, { maxKeys: 3 }) },
);

/** Code units that are lone surrogate halves. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

/** Workflow ids: 1 to 255 UTF-16 code units of unicode, SQL-looking text, quotes, NUL, lone surrogates, padding. */
export const workflowIdArb: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 255 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }),
    fc.constantFrom(
      "'; DROP TABLE tempolite_workflow_entity; --",
      '" OR ""="',
      "' OR '1'='1",
      '%',
      '_',
      '\\',
      '\u0000',
      'a\u0000b',
      ' ',
      ' padded ',
      '\n\t',
      '/',
      'x/y#0',
      'NULL',
      '😀',
      'e\u0301',
      'x'.repeat(255),
    ),
    fc
      .array(fc.oneof(fc.constantFrom("'", '"', '--', ';', '%', '_', '\\', '/*', '*/', '\u0000', '`', '[', ']', 'SELECT', ' '), fc.string({ maxLength: 5 })), { minLength: 1, maxLength: 12 })
      .map((parts) => parts.join('')),
    fc.tuple(fc.string({ maxLength: 10 }), loneSurrogate, fc.string({ maxLength: 10 })).map(([a, s, b]) => a + s + b),
  )
  .filter((id) => id.length >= 1 && id.length <= 255);

/** Any value, with a bias towards the nearly right: numbers at the edges, empty and odd strings, objects of junk. */
export const junkArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(undefined, null, 0, -1, 1, 0.5, NaN, Infinity, -0, 2 ** 53, '', 'x', '1', true, false, [], {}, Object.create(null)),
  fc.integer({ min: -10, max: 1_000_000 }),
  fc.double(),
  fc.string({ maxLength: 20 }),
  fc.anything({ maxDepth: 2, withNullPrototype: true, withBoxedValues: true, withBigInt: true }),
  fc.func(fc.anything({ maxDepth: 1 })),
);

/** Retry policy objects: valid fields, junk fields, unknown fields, or not an object at all. */
export const retryPolicyArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      maxAttempts: fc.oneof(fc.integer({ min: 1, max: 5 }), junkArb),
      initialIntervalMs: fc.oneof(fc.integer({ min: 0, max: 20 }), junkArb),
      backoffCoefficient: fc.oneof(fc.double({ min: 1, max: 3, noNaN: true }), junkArb),
      maxIntervalMs: fc.oneof(fc.integer({ min: 0, max: 100 }), junkArb),
      nonRetryableErrors: fc.oneof(fc.array(fc.string(), { maxLength: 2 }), junkArb),
      extra: junkArb,
    },
    { requiredKeys: [] },
  ),
  junkArb,
);
