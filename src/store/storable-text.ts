/**
 * Lone UTF-16 surrogate halves. Strings are stored as UTF-8, where a lone half
 * becomes U+FFFD: an id or name holding one would be stored as another one,
 * and the workflow, step or signal never found again under the one given.
 */
const LONE_SURROGATE = /\p{Cs}/u;

/** Why text is refused as an id or a name, for InvalidOptionsError reasons. */
export const NOT_STORABLE = 'must be well-formed Unicode: it holds a lone surrogate half, which the database would store as U+FFFD';

/** Whether `text` comes back from the database exactly as given (it is well-formed UTF-16). */
export function isStorableText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}
