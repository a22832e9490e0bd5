import { describe, expect, it } from 'vitest';
import { printableLine, printableLines } from '../../src/client/printable.js';

describe('printable text', () => {
  it('writes control characters as escapes and doubles a backslash that would read as one', () => {
    expect(printableLine('a\u001b[2Jb\r\t\u202e')).toBe('a\\x1b[2Jb\\r\\t\\u202e');
    // The line feed and a backslash followed by "n" must not print alike.
    expect(printableLine('order\n42')).toBe('order\\n42');
    expect(printableLine('order\\n42')).toBe('order\\\\n42');
    expect(printableLine('a\\\u001b')).toBe('a\\\\\\x1b');
    expect(printableLine('a\\\n')).toBe('a\\\\\\n');
    // A backslash that starts no escape is shown as it is.
    expect(printableLine('C:\\Users\\ana')).toBe('C:\\Users\\ana');
    expect(printableLine('trailing\\')).toBe('trailing\\');
  });

  it('keeps line feeds in multi-line text, and tells any two texts apart', () => {
    expect(printableLines('one\ntwo\\n')).toBe('one\ntwo\\\\n');
    const texts = ['a\nb', 'a\\nb', 'a\\\nb', 'a\\\\nb', 'a\u001bb', 'a\\x1bb', 'a\\\\x1bb', 'a\u202eb', 'a\\u202eb', 'a\rb', 'a\\rb', 'a\\b'];
    expect(new Set(texts.map(printableLine)).size).toBe(texts.length);
  });
});
