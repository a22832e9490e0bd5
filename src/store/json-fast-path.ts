/**
 * The codec's fast path: most payloads are plain JSON (numbers, strings,
 * plain objects and arrays), which superjson stores as `{"json": ...}` with no
 * meta. Recognising them in one cheap walk lets the encoder skip both the
 * validator's walk and superjson's own, which were the biggest engine costs
 * of a small step.
 */

/** Deeper values take the general path, whose walk reports problems with a path. */
const MAX_DEPTH = 64;

/** Keys superjson refuses (prototype pollution guard): such a value takes the general path, which reports them. */
const REFUSED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * `JSON.stringify(value)` when `value` is plain JSON that superjson would
 * store without meta: finite numbers other than -0, strings, booleans, null,
 * and arrays and plain objects of those, each object met once (a shared or
 * circular reference is meta). `undefined` for anything else.
 */
export function plainJsonText(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return isPlainScalar(value) ? JSON.stringify(value) : undefined;
  try {
    return isPlainTree(value, 0, new Set<object>()) ? JSON.stringify(value) : undefined;
  } catch {
    // A getter or a proxy that throws: the general path reports it with its path.
    return undefined;
  }
}

function isPlainScalar(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object':
      return value === null;
    default:
      return false;
  }
}

function isPlainTree(value: object, depth: number, seen: Set<object>): boolean {
  if (depth > MAX_DEPTH || seen.has(value)) return false;
  seen.add(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    const array = value as unknown[];
    // Extra fields on an array are refused by the validator: the general path reports them.
    if (Object.keys(array).length !== array.length) return false;
    for (let i = 0; i < array.length; i++) {
      // A hole is not `null` to superjson: the general path decides what it becomes.
      if (!(i in array) || !isPlainItem(array[i], depth, seen)) return false;
    }
    return true;
  }
  if (proto !== Object.prototype || Object.getOwnPropertySymbols(value).length > 0) return false;
  for (const key of Object.keys(value)) {
    if (REFUSED_KEYS.has(key) || !isPlainItem((value as Record<string, unknown>)[key], depth, seen)) return false;
  }
  return true;
}

function isPlainItem(item: unknown, depth: number, seen: Set<object>): boolean {
  return typeof item === 'object' && item !== null ? isPlainTree(item, depth + 1, seen) : isPlainScalar(item);
}
