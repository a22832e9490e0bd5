/**
 * Control characters (C0 except the line feed, DEL and C1): in text shown on a terminal, a workflow id, a
 * name or an error message taken from outside could clear the screen, move the cursor, rewrite a line or set
 * the window title. Also the bidirectional controls and the Unicode line and paragraph separators: they
 * reorder or break what is shown, so an id could display as another one.
 */
const CONTROL = '\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069';
// A backslash that would read as the start of an escape once escapes are written is doubled: without it, an id
// holding a backslash and an `n` would display as the one holding a line feed.
const KEEP_LINE_FEEDS = new RegExp(`[${CONTROL}]|\\\\(?=[\\\\nrtxu${CONTROL}])`, 'g');
const ONE_LINE = new RegExp(`[${CONTROL}\\n]|\\\\(?=[\\\\nrtxu\\n${CONTROL}])`, 'g');

function escape(char: string): string {
  if (char === '\\') return '\\\\';
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  if (char === '\t') return '\\t';
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with its control characters written as escapes (`\x1b`, `\r`, `\t`, `\u202e`), and a backslash that
 * would read as one doubled; line feeds kept.
 */
export function printableLines(text: string): string {
  return text.replace(KEEP_LINE_FEEDS, escape);
}

/** `text` on one line: as `printableLines`, line feeds written as `\n` too. */
export function printableLine(text: string): string {
  return text.replace(ONE_LINE, escape);
}
