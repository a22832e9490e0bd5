import { InvalidOptionsError } from '../errors.js';
import { refuseUnknownKeys } from '../engine/option-keys.js';
import { isStorableText, NOT_STORABLE } from '../store/storable-text.js';

/** Options of `handle.signal()` and `engine.signal()`. */
export interface SignalOptions {
  /**
   * Makes the send idempotent: when the workflow has a signal with this key already (consumed or not, also
   * once it has finished), nothing is stored and the call resolves `false`. A webhook's delivery id, so a
   * delivery made twice is received once. 1 to 255 characters.
   * @default none: every send is stored
   */
  idempotencyKey?: string | undefined;
}

/**
 * Checks `signal()`'s options.
 * @returns the idempotency key, if any
 * @throws InvalidOptionsError for an unknown key or a malformed `idempotencyKey`
 */
export function signalKey(options: unknown, subject: string): string | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InvalidOptionsError(subject, 'options', 'must be an object such as { idempotencyKey: "evt-1" }');
  const given = options as Record<string, unknown>;
  refuseUnknownKeys(subject, given, ['idempotencyKey']);
  const key = given.idempotencyKey;
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || key.length === 0 || key.length > 255) {
    throw new InvalidOptionsError(subject, 'idempotencyKey', `must be a string of 1 to 255 characters, got ${typeof key === 'string' ? `${key.length} characters` : typeof key}`);
  }
  if (!isStorableText(key)) throw new InvalidOptionsError(subject, 'idempotencyKey', `an idempotency key ${NOT_STORABLE}`);
  return key;
}
