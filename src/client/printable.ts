/**
 * Control characters (C0 except the line feed, DEL and C1): in text shown on a terminal, a workflow id, a
 * name or an error message taken from outside could clear the screen, move the cursor, rewrite a line or set
 * the window title.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

/** `text` with its control characters written as escapes (`\x1b`, `\r`, `\t`); line feeds kept. */
function printableLines(text: string): string {
  return text.replace(CONTROL, (char) => {
    if (char === '\r') return '\\r';
    if (char === '\t') return '\\t';
    return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** `text` on one line: control characters and line feeds written as escapes. */
export function printableLine(text: string): string {
  return printableLines(text).replace(/\n/g, '\\n');
}
