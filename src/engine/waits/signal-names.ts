import { InvalidOptionsError, describeCause } from '../../errors.js';
import { NOT_STORABLE, isStorableText } from '../../store/storable-text.js';
import { truncated } from '../../store/codec-errors.js';

/**
 * Checks one signal name.
 * @throws InvalidOptionsError unless a string of 1 to 255 characters
 */
export function assertSignalName(name: unknown, subject: string): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 255) {
    throw new InvalidOptionsError(subject, 'name', `a signal name must be a string of 1 to 255 characters, got ${typeof name === 'string' ? (name.length > 255 ? `${name.length} characters ("${truncated(name, 40)}")` : `""`) : describeCause(name)}`);
  }
  if (!isStorableText(name)) throw new InvalidOptionsError(subject, 'name', `a signal name ${NOT_STORABLE}`);
}

/**
 * Checks the name, or list of names, a wait accepts.
 * @returns the names as a non-empty list without duplicates
 * @throws InvalidOptionsError for a bad name or an empty list
 */
export function signalNames(value: unknown, subject: string): string[] {
  const list: unknown[] = Array.isArray(value) ? (value as unknown[]) : [value];
  if (list.length === 0) throw new InvalidOptionsError(subject, 'name', 'give at least one signal name');
  for (const name of list) assertSignalName(name, subject);
  return [...new Set(list as string[])];
}
