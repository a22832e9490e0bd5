import { InvalidOptionsError } from '../errors.js';

/**
 * Refuses a key of `options` that is not in `known`: in plain JavaScript a
 * misspelt option would otherwise be ignored without a word.
 * @param prefix path of `options` inside the caller's options (`queues.a`), for the error's `path`
 * @throws InvalidOptionsError naming the key and the allowed ones
 */
export function refuseUnknownKeys(subject: string, options: object, known: readonly string[], prefix?: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new InvalidOptionsError(subject, prefix === undefined ? key : `${prefix}.${key}`, `unknown option; allowed: ${known.join(', ')}`);
  }
}
