/**
 * Control characters (C0 except the line feed, DEL and C1): in text shown on a terminal, a workflow id, a
 * name or an error message taken from outside could clear the screen, move the cursor, rewrite a line or set
 * the window title. Also the bidirectional controls and the Unicode line and paragraph separators: they
 * reorder or break what is shown, so an id could display as another one.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** `text` with its control characters written as escapes (`\x1b`, `\r`, `\t`, `\u202e`); line feeds kept. */
function printableLines(text: string): string {
  return text.replace(CONTROL, (char) => {
    if (char === '\r') return '\\r';
    if (char === '\t') return '\\t';
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** `text` on one line: control characters and line feeds written as escapes. */
export function printableLine(text: string): string {
  return printableLines(text).replace(/\n/g, '\\n');
}
