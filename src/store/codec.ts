/**
 * The payload codec: how workflow inputs, outputs, step results and errors
 * become text in the database, and come back.
 *
 * Two layers: a {@link PayloadCodec} only turns values into text (users may
 * wrap it, e.g. to encrypt); the {@link PayloadEncoder} around it validates
 * first, so a bad value fails with a path before anything is written, and
 * enforces the size limit.
 */
import { SuperJSON } from 'superjson';
import { InvalidOptionsError, PayloadTooLargeError, SerializationError, describeCause } from '../errors.js';
import { findUnserializable } from './codec-check.js';
import { asSetupFailure } from '../engine/setup-failure.js';
import { plainJsonText } from './json-fast-path.js';
import {
  BUILTIN_ERRORS,
  ERROR_CLASS_KEY,
  describeValue,
  errorFields,
  reduceError,
  smallOwnFields,
  thrownAsError,
  truncated,
  reviveError,
  type PayloadClass,
} from './codec-errors.js';

export type { PayloadClass } from './codec-errors.js';
export type { PayloadProblem } from './codec-check.js';
export { findUnserializable } from './codec-check.js';

/** Turns payload values into text and back. Pluggable (e.g. to encrypt). */
export interface PayloadCodec {
  /** Encodes a value that the validator accepted. May throw; the encoder reports it. */
  encode(value: unknown): string;
  /** Decodes text written by `encode`. Throws when the text is not its own. */
  decode(text: string): unknown;
  /**
   * Classes whose instances this codec revives with their prototype. The
   * validator accepts their instances and refuses other classes; a wrapping
   * codec should forward its inner codec's list.
   */
  readonly classes?: ReadonlyArray<PayloadClass> | undefined;
}

/** Options of {@link SuperJsonCodec}. */
export interface SuperJsonCodecOptions {
  /**
   * Classes whose instances round-trip with their prototype. Names must be
   * unique: they are what gets stored. Only own enumerable fields are stored
   * (not `#private` ones), and decoding does not run the constructor.
   */
  readonly classes?: ReadonlyArray<PayloadClass> | undefined;
}

/** Built-ins the codec already handles (or cannot): registering them would override their handling. */
const UNREGISTRABLE: ReadonlyArray<abstract new (...args: never[]) => unknown> = [
  Array, Map, Set, Date, RegExp, URL, Promise, WeakMap, WeakSet, WeakRef, ArrayBuffer, DataView,
  Object.getPrototypeOf(Int8Array) as abstract new () => unknown, Boolean, Number, String,
];

/**
 * Default codec: superjson, so Date, BigInt, Map, Set, RegExp, URL, typed arrays,
 * undefined, NaN/±Infinity, -0 and Error survive, as do circular and shared
 * references between plain objects, arrays, Maps and Sets.
 */
export class SuperJsonCodec implements PayloadCodec {
  /** The registered classes, in registration order. */
  readonly classes: ReadonlyArray<PayloadClass>;
  // An own instance, not the global one, so two engines never share registrations.
  private readonly superjson = new SuperJSON();

  constructor(options: SuperJsonCodecOptions = {}) {
    const classes = [...(options.classes ?? [])];
    const errorClasses = new Map<string, PayloadClass>();
    const seen = new Set<string>();
    classes.forEach((cls, i) => {
      const path = `classes[${i}]`;
      if (typeof cls !== 'function' || typeof cls.prototype !== 'object') {
        throw new InvalidOptionsError('SuperJsonCodec', path, 'is not a class');
      }
      if (!cls.name) throw new InvalidOptionsError('SuperJsonCodec', path, 'an anonymous class cannot be registered: its name is what gets stored');
      if (seen.has(cls.name)) throw new InvalidOptionsError('SuperJsonCodec', path, `two classes are named ${cls.name}; names must be unique`);
      seen.add(cls.name);
      // Every class extends Object, so Object itself is the only one refused on that account.
      const builtin = (cls as unknown) === Object ? Object : UNREGISTRABLE.find((b) => cls === b || cls.prototype instanceof b);
      if (builtin) throw new InvalidOptionsError('SuperJsonCodec', path, `${cls.name} is or extends the built-in ${builtin.name}, which cannot be registered`);
      if (cls.prototype instanceof Error || (cls as unknown) === Error) {
        // Built-in errors are revived by name already; superjson's class handling would drop `message` and `stack`.
        if (BUILTIN_ERRORS.get(cls.name) !== cls) errorClasses.set(cls.name, cls);
      } else {
        this.superjson.registerClass(cls, cls.name);
      }
    });
    // A custom transformer outranks superjson's built-in Error handling, which keeps neither stack nor extra fields.
    // Superjson types the stored form as pure JSON, but it walks it, so a Date or Map inside an error survives.
    this.superjson.registerCustom<Error, Record<string, never>>(
      {
        isApplicable: (value: unknown): value is Error => value instanceof Error,
        serialize: (error) => storedError(error, errorClasses) as Record<string, never>,
        deserialize: (fields: Record<string, unknown>) => {
          const name = fields[ERROR_CLASS_KEY];
          // An error whose class is no longer registered still decodes, as a plain Error with its name.
          return reviveError(fields, typeof name === 'string' ? errorClasses.get(name) : undefined);
        },
      },
      'error',
    );
    this.classes = Object.freeze(classes);
  }

  /** Encodes with superjson; compact JSON (`{"json":...}`) when the value is plain JSON. */
  encode(value: unknown): string {
    const plain = plainJsonText(value);
    return plain === undefined ? this.superjson.stringify(value) : plainDocument(plain);
  }

  /** Decodes superjson text; throws when the text is not a superjson document. */
  decode(text: string): unknown {
    const document: unknown = JSON.parse(text);
    if (typeof document !== 'object' || document === null || Array.isArray(document) || !('json' in document)) {
      throw new Error('the text is not a superjson document (no "json" field)');
    }
    // Without meta the document's json is the value: superjson would return it unchanged.
    if (!('meta' in document)) return document.json;
    // inPlace: the parsed document is ours alone, no need for superjson to copy it.
    return this.superjson.deserialize(document as Parameters<SuperJSON['deserialize']>[0], { inPlace: true });
  }
}

/** What superjson stores for plain JSON: the value under `json`, no meta. */
function plainDocument(json: string): string {
  return `{"json":${json}}`;
}

/** The plain object stored for an error; superjson walks it, so nested values keep their types. */
function storedError(error: Error, errorClasses: ReadonlyMap<string, PayloadClass>): Record<string, unknown> {
  const stored: Record<string, unknown> = Object.fromEntries(errorFields(error));
  const ctor = (error as { constructor?: unknown }).constructor;
  if (typeof ctor === 'function' && errorClasses.get(ctor.name) === ctor) stored[ERROR_CLASS_KEY] = ctor.name;
  return stored;
}

/** Where a payload belongs, for error messages. */
export interface PayloadLocation {
  /** What the payload is, e.g. `input of activity "charge#0" in workflow "order-1"`. */
  readonly description: string;
  /** Workflow the payload belongs to, copied onto the thrown error. */
  readonly workflowId?: string;
  /** Step the payload belongs to, copied onto the thrown error. */
  readonly stepId?: string;
}

/** Kept short so a last-resort error record always fits. */
const MINIMAL_MESSAGE_LENGTH = 1000;
/** Each message of a chain cut to this before the chain goes: a small `maxPayloadBytes` still keeps the root cause. */
const SHORT_MESSAGE_LENGTH = 200;

/** Validates, encodes and size-checks payloads; decodes them back. */
export class PayloadEncoder {
  private readonly classes: ReadonlySet<PayloadClass>;
  /** The default codec's text for plain JSON is known without calling it. */
  private readonly superjson: boolean;

  /**
   * @param codec turns values into text and back
   * @param maxPayloadBytes largest accepted encoded payload, in UTF-8 bytes
   */
  constructor(
    private readonly codec: PayloadCodec,
    private readonly maxPayloadBytes: number,
  ) {
    if (!(maxPayloadBytes > 0) || (!Number.isSafeInteger(maxPayloadBytes) && maxPayloadBytes !== Infinity)) {
      throw new InvalidOptionsError('the engine', 'maxPayloadBytes', `must be a positive whole number of bytes, got ${String(maxPayloadBytes)}`);
    }
    this.classes = new Set(codec.classes ?? []);
    // Exactly the default class: a subclass may override `encode` (to encrypt, say) and must be called.
    this.superjson = Object.getPrototypeOf(codec) === SuperJsonCodec.prototype;
  }

  /**
   * Encodes a payload.
   * @throws SerializationError with the path of the first part that would not round-trip, or when the codec fails
   * @throws PayloadTooLargeError when the text exceeds `maxPayloadBytes` UTF-8 bytes
   */
  encode(value: unknown, where: PayloadLocation): string {
    // Plain JSON always round-trips: the validator's walk would find nothing.
    const plain = plainJsonText(value);
    if (plain === undefined) {
      const problem = findUnserializable(value, this.classes);
      if (problem) throw serializationError(where, problem.path, problem.reason);
    }
    let text: unknown;
    try {
      text = plain !== undefined && this.superjson ? plainDocument(plain) : this.codec.encode(value);
    } catch (cause) {
      throw serializationError(where, '$', `the codec failed: ${describeCause(cause)}`, cause);
    }
    if (typeof text !== 'string') throw serializationError(where, '$', `the codec returned ${typeof text} instead of a string`);
    // A UTF-16 unit is at most 3 UTF-8 bytes: short text needs no count.
    const size = text.length * 3 <= this.maxPayloadBytes ? 0 : Buffer.byteLength(text, 'utf8');
    if (size > this.maxPayloadBytes) {
      throw new PayloadTooLargeError(where.description, size, this.maxPayloadBytes, where.workflowId, where.stepId);
    }
    return text;
  }

  /**
   * Decodes a stored payload.
   * @throws SerializationError when the text cannot be decoded (corrupt row, or written by another codec)
   */
  decode(text: string, where: PayloadLocation | (() => PayloadLocation)): unknown {
    try {
      return this.codec.decode(text);
    } catch (cause) {
      // A function: the hot path need not build the description of a payload that decodes.
      throw asSetupFailure(serializationError(typeof where === 'function' ? where() : where, '$', `the stored text cannot be decoded (corrupt row or different codec): ${describeCause(cause)}`, cause, true));
    }
  }

  /**
   * Encodes a thrown value; never throws. An error that cannot be stored as
   * it is loses, in this order until it fits: the fields that cannot be
   * encoded, its stacks, its other own fields; last comes name and a
   * truncated message. A non-Error thrown value is stored as itself, or as
   * its description when it cannot be stored.
   */
  encodeError(error: unknown, where: PayloadLocation): string {
    const keep = (value: unknown): boolean => findUnserializable(value, this.classes) === undefined;
    const minimal = minimalForm(error);
    // Lazy: a reduced form walks the cause chain, wasted work when the error stores as is. Ids and codes
    // outlive stacks (the bulk of an error) because code reads them.
    const reduced = (fields: boolean, stacks: boolean, messageLength?: number) => (): unknown =>
      reduceError(error as Error, keep, { fields, stacks, ...(messageLength === undefined ? {} : { messageLength }) });
    const candidates =
      error instanceof Error
        ? [() => error, reduced(true, true), reduced(true, false), reduced(false, false), reduced(false, false, MINIMAL_MESSAGE_LENGTH), reduced(false, false, SHORT_MESSAGE_LENGTH), () => minimal]
        : [() => error, () => describeValue(error), () => minimal];
    for (const candidate of candidates) {
      try {
        return this.encode(candidate(), where);
      } catch {
        // Try the next, smaller form.
      }
    }
    try {
      // A few hundred bytes over the limit beat losing the failure altogether.
      return this.codec.encode(minimal);
    } catch (refusal) {
      // The codec refuses even a plain Error (an encrypting one without its key): nothing of the error may be stored
      // in clear, so only what happened is. decodeError shows this text as the failure.
      return `The error could not be stored: the codec refused it (${refusal instanceof Error ? refusal.name : typeof refusal})`;
    }
  }

  /**
   * Decodes a stored thrown value; always returns an Error. A non-Error value
   * is wrapped in an Error describing it, which keeps it on `value`.
   */
  decodeError(text: string): Error {
    let value: unknown;
    try {
      value = this.codec.decode(text);
    } catch (cause) {
      return new Error(`The stored error could not be decoded: ${describeValue(text, 200)}`, { cause });
    }
    return thrownAsError(value);
  }
}

function serializationError(where: PayloadLocation, path: string, reason: string, cause?: unknown, decoding = false): SerializationError {
  return new SerializationError(where.description, path, reason, where.workflowId, where.stepId, { ...(cause === undefined ? {} : { cause }), decoding });
}

/** Name and a truncated message only: what is left when nothing richer can be stored. */
function minimalForm(error: unknown): unknown {
  if (!(error instanceof Error)) return describeValue(error, MINIMAL_MESSAGE_LENGTH);
  let name = 'Error';
  let message = '';
  try {
    name = String(error.name);
    message = String(error.message);
  } catch {
    // Throwing getters leave the defaults.
  }
  const minimal = Object.assign(new Error(truncated(message, MINIMAL_MESSAGE_LENGTH)), smallOwnFields(error));
  minimal.name = name;
  delete minimal.stack;
  return minimal;
}
