/**
 * Turns a value (a description, a summary, a payload) into plain JSON data
 * for scripts and the dashboard: errors become `{ name, message, code?, ...ids, cause? }`,
 * BigInt becomes a string, Map an object (or `[key, value]` pairs when a key
 * is not a string), Set and typed arrays arrays, cycles `"[Circular]"`.
 * Dates become ISO strings, as `JSON.stringify` writes them.
 */
export function toPlain(value: unknown): unknown {
  return plain(value, new WeakSet());
}

/** `JSON.stringify(toPlain(value))`, indented when `pretty`. */
export function stringifyPlain(value: unknown, pretty = false): string {
  return JSON.stringify(toPlain(value), null, pretty ? 2 : undefined) ?? 'null';
}

function plain(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof RegExp || value instanceof URL) return String(value);
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (value instanceof Error) return errorOf(value, seen);
    if (value instanceof Map) {
      const entries = [...(value as Map<unknown, unknown>).entries()];
      return entries.every(([key]) => typeof key === 'string')
        ? Object.fromEntries(entries.map(([key, item]) => [key, plain(item, seen)]))
        : entries.map(([key, item]) => [plain(key, seen), plain(item, seen)]);
    }
    if (value instanceof Set) return [...(value as Set<unknown>)].map((item) => plain(item, seen));
    if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
    if (Array.isArray(value)) return value.map((item) => plain(item, seen));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const converted = plain(item, seen);
      if (converted !== undefined) out[key] = converted;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function errorOf(error: Error, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  for (const [key, item] of Object.entries(error)) {
    if (key === 'cause' || key === 'stack') continue;
    const converted = plain(item, seen);
    if (converted !== undefined) out[key] = converted;
  }
  if (error.cause !== undefined) out.cause = plain(error.cause, seen);
  return out;
}
