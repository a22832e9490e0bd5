/**
 * How the codec stores `Error` values, shared by the validator (so its paths
 * match what is stored) and by the superjson codec.
 *
 * An error is stored as a plain object whose keys are the error's own names
 * (`message`, `cause`, `code`, ...): superjson restores shared references by
 * reading paths on the *decoded* value, so the stored keys must be readable
 * on the revived error too.
 */
import { inspect } from 'node:util';
import { isErrorCode } from '../errors.js';

/** A class whose instances a codec revives with their prototype. */
export type PayloadClass = new (...args: never[]) => unknown;

/** Stored key naming the registered class of an error; reserved for that use. */
export const ERROR_CLASS_KEY = '$class';

/** Built-in error classes revived by `name` without registration. */
export const BUILTIN_ERRORS: ReadonlyMap<string, ErrorConstructor | AggregateErrorConstructor> = new Map<
  string,
  ErrorConstructor | AggregateErrorConstructor
>([
  ['Error', Error],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['EvalError', EvalError],
  ['URIError', URIError],
  ['AggregateError', AggregateError],
]);

const STRUCTURAL_KEYS = new Set(['name', 'message', 'stack', 'cause', ERROR_CLASS_KEY]);

/** Whether a stored key is part of the error's shape rather than one of its own fields. */
function isStructural(key: string, aggregate: boolean): boolean {
  // `errors` is structural only for AggregateError; other errors often carry their own `errors` list.
  return STRUCTURAL_KEYS.has(key) || (aggregate && key === 'errors');
}

/**
 * The fields stored for an error, in stored order: `name`, `message`, `stack`,
 * `cause` (when present), `errors` (AggregateError), then own enumerable fields.
 */
export function errorFields(error: Error): Array<[string, unknown]> {
  const fields: Array<[string, unknown]> = [
    ['name', error.name],
    ['message', error.message],
  ];
  if (error.stack !== undefined) fields.push(['stack', error.stack]);
  if ('cause' in error) fields.push(['cause', error.cause]);
  if (error instanceof AggregateError) fields.push(['errors', error.errors]);
  const aggregate = error instanceof AggregateError;
  for (const [key, value] of Object.entries(error)) {
    // An own `$class` field is listed so that the validator refuses it (it is reserved); it never reaches the codec as data.
    if (!isStructural(key, aggregate) || key === ERROR_CLASS_KEY) fields.push([key, value]);
  }
  return fields;
}

/** Defines a property the way native errors hold `message`/`stack`: own, writable, not enumerable. */
function defineHidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: false, configurable: true });
}

/**
 * Rebuilds an error from its stored fields: a registered class keeps its
 * prototype, a built-in name gets its built-in class, anything else is an
 * `Error` carrying the stored `name`.
 */
export function reviveError(fields: Readonly<Record<string, unknown>>, registered?: PayloadClass): Error {
  const name = typeof fields.name === 'string' ? fields.name : 'Error';
  let error: Error;
  if (registered) {
    // Not calling the user constructor: its signature is unknown and it may have side effects.
    // Starting from a real Error keeps the internal error slot (util.types.isNativeError, toString tag).
    error = new Error();
    Object.setPrototypeOf(error, registered.prototype as object);
  } else if (name === 'AggregateError') {
    error = new AggregateError([]);
  } else {
    const Builtin = (BUILTIN_ERRORS.get(name) as ErrorConstructor | undefined) ?? Error;
    error = new Builtin();
  }
  defineHidden(error, 'message', fields.message);
  if (error.name !== name) defineHidden(error, 'name', name);
  // Without a stored stack, the decoder's own stack would only mislead.
  if ('stack' in fields) defineHidden(error, 'stack', fields.stack);
  else delete error.stack;
  if ('cause' in fields) defineHidden(error, 'cause', fields.cause);
  const aggregate = error instanceof AggregateError;
  if (aggregate && 'errors' in fields) defineHidden(error, 'errors', fields.errors);
  for (const [key, value] of Object.entries(fields)) {
    if (isStructural(key, aggregate)) continue;
    // defineProperty, not assignment: a setter on a registered class must not run on stored data.
    Object.defineProperty(error, key, { value, writable: true, enumerable: true, configurable: true });
  }
  return error;
}

/** Reads a property without letting a throwing getter escape. */
function safeGet(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * A thrown value as an Error: itself, or for a value that is not one an Error describing it, which keeps it on
 * `value` (what a stored copy of the value decodes to, so the live and the stored failure read the same).
 */
export function thrownAsError(value: unknown): Error {
  if (value instanceof Error) return value;
  const wrapped = new Error(`Non-Error value thrown: ${describeValue(value)}`);
  // The wrapper's frames would only mislead; the value was thrown elsewhere.
  wrapped.stack = `${wrapped.name}: ${wrapped.message}`;
  return Object.assign(wrapped, { value });
}

/** A short, human-readable description of any value, for messages and last-resort storage. */
export function describeValue(value: unknown, maxLength = 500): string {
  let text: string;
  try {
    text = inspect(value, { depth: 2, breakLength: Infinity, maxArrayLength: 10, maxStringLength: maxLength });
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return truncated(text, maxLength);
}

/** What `reduceError` keeps besides name, message and cause. */
export interface ReduceOptions {
  /** The error's own fields that `keep` accepts (ids, codes): dropped ones are those that cannot be stored. */
  readonly fields: boolean;
  /** Stack traces, usually the largest part of an error. */
  readonly stacks: boolean;
  /**
   * Longest message kept, per error of the chain (longer ones are cut with `…`). Each wrapper's message
   * repeats its cause's, so a chain over a huge message is that message many times over.
   * @default unlimited
   */
  readonly messageLength?: number;
}

/**
 * Reduces an error to `{ name, message, stack, cause }` as a plain `Error`,
 * plus its own fields that `keep` accepts; the cause is reduced the same way.
 * Used when the error as it is cannot be stored (a field that cannot be
 * encoded, or over the size limit). A non-Error cause is kept when `keep`
 * accepts it, else described.
 */
export function reduceError(error: Error, keep: (value: unknown) => boolean, options: ReduceOptions = { fields: true, stacks: true }, seen = new Set<Error>()): Error {
  seen.add(error);
  const name = safeGet(error, 'name');
  const stack = options.stacks ? safeGet(error, 'stack') : undefined;
  const reduced = new Error(truncated(String(safeGet(error, 'message') ?? ''), options.messageLength));
  defineHidden(reduced, 'name', typeof name === 'string' ? name : 'Error');
  if (typeof stack === 'string') defineHidden(reduced, 'stack', stack);
  else delete reduced.stack;
  // Without fields, Tempolite's own errors keep their ids and counts: small, and what code reads (a revived
  // ActivityFailure needs its stepId). Only the application's fields go.
  const own = !options.fields && isErrorCode(safeGet(error, 'code'));
  if (options.fields || own) {
    for (const key of ownKeys(error)) {
      if (STRUCTURAL_KEYS.has(key)) continue;
      const value = safeGet(error, key);
      // An error a Tempolite error carries (a CompensationFailure's original failure) is reduced as its cause is.
      if (own && value instanceof Error && !seen.has(value)) {
        Object.defineProperty(reduced, key, { value: reduceError(value, keep, options, seen), writable: true, enumerable: true, configurable: true });
        continue;
      }
      if (own && !isSmallField(value)) continue;
      if (keep(value)) Object.defineProperty(reduced, key, { value, writable: true, enumerable: true, configurable: true });
    }
  }
  let hasCause = false;
  try {
    hasCause = 'cause' in error;
  } catch {
    // A proxy that throws on `has` simply has no usable cause.
  }
  if (hasCause) {
    const cause = safeGet(error, 'cause');
    if (cause instanceof Error) {
      // A cause chain that loops back is cut where it loops.
      if (!seen.has(cause)) defineHidden(reduced, 'cause', reduceError(cause, keep, options, seen));
    } else {
      defineHidden(reduced, 'cause', keep(cause) ? cause : describeValue(cause));
    }
  }
  return reduced;
}

/** `text`, cut to `length` characters (and marked so) when longer. */
export function truncated(text: string, length = Infinity): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

/**
 * The ids, names and counts of one of Tempolite's own errors (those with its `code`), without their
 * cause: what an error that has to be stored in its minimal form keeps, so it still comes back as its class.
 */
export function smallOwnFields(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (!isErrorCode(safeGet(error, 'code'))) return fields;
  for (const key of ownKeys(error)) {
    if (STRUCTURAL_KEYS.has(key)) continue;
    const value = safeGet(error, key);
    if (isSmallField(value)) fields[key] = value;
  }
  return fields;
}

/** Ids, names, counts, a deadline: what a Tempolite error keeps when its fields must go. */
function isSmallField(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'boolean' || value instanceof Date || (typeof value === 'string' && value.length <= 1000);
}

/** Own enumerable keys, or none when a proxy refuses to list them. */
function ownKeys(target: object): string[] {
  try {
    return Object.keys(target);
  } catch {
    return [];
  }
}
