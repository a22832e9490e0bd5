/**
 * Lone UTF-16 surrogate halves, and NUL. Strings are stored as UTF-8, where a
 * lone half becomes U+FFFD: an id or name holding one would be stored as
 * another one, and the workflow, step or signal never found again under the
 * one given. PostgreSQL's text cannot hold NUL at all (SQLite can): refused on
 * both, so an id that works in development works in production.
 */
const LONE_SURROGATE = /\p{Cs}/u;

/** Why text is refused as an id or a name, for InvalidOptionsError reasons. */
export const NOT_STORABLE = 'must be well-formed Unicode without NUL: it holds a lone surrogate half (stored as U+FFFD) or a NUL character (which PostgreSQL cannot store)';

/** Whether `text` comes back from the database exactly as given (well-formed UTF-16, no NUL). */
export function isStorableText(text: string): boolean {
  return !LONE_SURROGATE.test(text) && !text.includes('\u0000');
}
