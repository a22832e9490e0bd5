import { inspect } from 'node:util';
import { InvalidOptionsError } from '../errors.js';
import { NOT_STORABLE, isStorableText } from '../store/storable-text.js';

const SUBJECT = 'the Tempolite engine';

/** The methods each option that plugs an object in must have. */
const SHAPES: Readonly<Record<'clock' | 'logger' | 'container' | 'codec', readonly string[]>> = {
  clock: ['now', 'sleep'],
  logger: ['debug', 'info', 'warn', 'error'],
  container: ['resolve'],
  codec: ['encode', 'decode'],
};

/** Longest worker id: it is stored as the owner of leases and executions (64 characters). */
const MAX_WORKER_ID = 64;

/**
 * A short description of any option value for an error message; never throws
 * (unlike `String(value)` on a null-prototype object or a symbol in a template).
 */
export function describeOptionValue(value: unknown): string {
  try {
    return inspect(value, { depth: 1, breakLength: Infinity, maxStringLength: 60, maxArrayLength: 5 });
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function read(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * Checks the options that plug objects into the engine (`clock`, `logger`,
 * `container`, `codec`) for the methods the engine calls, and `workerId`,
 * so that a wrong one fails at construction instead of as a TypeError later.
 * @throws InvalidOptionsError
 */
export function validatePluggableOptions(options: object): void {
  for (const [key, methods] of Object.entries(SHAPES)) {
    const value = read(options, key);
    if (value === undefined) continue;
    const expected = `an object with the methods ${methods.join(', ')}`;
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) throw new InvalidOptionsError(SUBJECT, key, `must be ${expected}, got ${describeOptionValue(value)}`);
    const missing = methods.filter((method) => typeof read(value, method) !== 'function');
    if (missing.length > 0) throw new InvalidOptionsError(SUBJECT, key, `must be ${expected}; these are not functions: ${missing.join(', ')}`);
  }
  const clock = read(options, 'clock');
  if (clock != null && read(clock, 'onAdvance') !== undefined && typeof read(clock, 'onAdvance') !== 'function') {
    throw new InvalidOptionsError(SUBJECT, 'clock.onAdvance', 'must be a function when present');
  }
  const codec = read(options, 'codec');
  if (codec != null && read(codec, 'classes') !== undefined && !Array.isArray(read(codec, 'classes'))) {
    throw new InvalidOptionsError(SUBJECT, 'codec.classes', 'must be an array of classes when present');
  }
  const workerId = read(options, 'workerId');
  if (workerId !== undefined && (typeof workerId !== 'string' || workerId.length === 0 || workerId.length > MAX_WORKER_ID)) {
    throw new InvalidOptionsError(SUBJECT, 'workerId', `must be a string of 1 to ${MAX_WORKER_ID} characters, got ${describeOptionValue(workerId)}`);
  }
  if (typeof workerId === 'string' && !isStorableText(workerId)) throw new InvalidOptionsError(SUBJECT, 'workerId', NOT_STORABLE);
}
