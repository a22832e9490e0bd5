import { InvalidOptionsError, ReservedNameError } from '../errors.js';
import { NOT_STORABLE, isStorableText } from '../store/storable-text.js';

/** Longest durable name: it must fit the id columns with room for `#occurrence`. */
export const MAX_NAME_LENGTH = 200;

/** Checks a durable name: non-empty, bounded, no `#` (it separates occurrences in step ids), not reserved. */
export function assertName(name: string, subject: string, reservedPrefix: string): void {
  if (name.length === 0) throw new InvalidOptionsError(subject, 'name', 'must not be empty');
  if (name.length > MAX_NAME_LENGTH) throw new InvalidOptionsError(subject, 'name', `must be at most ${MAX_NAME_LENGTH} characters`);
  if (!isStorableText(name)) throw new InvalidOptionsError(subject, 'name', NOT_STORABLE);
  if (name.includes('#')) throw new InvalidOptionsError(subject, 'name', 'must not contain "#", which separates occurrences in step ids');
  if (name.toLowerCase().startsWith(reservedPrefix)) throw new ReservedNameError(name, subject, reservedPrefix);
}
