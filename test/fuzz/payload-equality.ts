/**
 * Deep equality for payloads as the codec promises to keep them: primitives by
 * `Object.is` (NaN, -0), Dates by time, RegExp and URL by text, Maps and Sets
 * in order, typed arrays by type and content, Errors by class, name, message,
 * cause and own fields (an unregistered error class comes back as an Error
 * carrying its name, as documented), plain objects (null prototype or not) by own keys.
 * Returns the path of the first difference, or undefined when equal.
 */
export function payloadDifference(a: unknown, b: unknown, path = '$', seen = new Map<unknown, unknown>()): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path}: ${describe(a)} ≠ ${describe(b)}`;
  if (seen.get(a) === b) return undefined;
  seen.set(a, b);
  const protoA: unknown = Object.getPrototypeOf(a);
  const protoB: unknown = Object.getPrototypeOf(b);
  const plain = (p: unknown): boolean => p === Object.prototype || p === null;
  // An error of an unregistered class comes back as an Error carrying its name (documented); errors compare by their fields.
  const errors = a instanceof Error && b instanceof Error;
  if (!errors && !(plain(protoA) && plain(protoB)) && protoA !== protoB) return `${path}: prototype ${name(a)} ≠ ${name(b)}`;
  if (a instanceof Date) return a.getTime() === (b as Date).getTime() ? undefined : `${path}: date`;
  if (a instanceof RegExp || a instanceof URL) return String(a) === String(b) ? undefined : `${path}: ${String(a)} ≠ ${String(b)}`;
  if (ArrayBuffer.isView(a)) {
    const x = [...(a as unknown as Iterable<unknown>)];
    const y = [...(b as unknown as Iterable<unknown>)];
    return x.length === y.length && x.every((v, i) => Object.is(v, y[i])) ? undefined : `${path}: typed array`;
  }
  if (a instanceof Map) {
    const x = [...a];
    const y = [...(b as Map<unknown, unknown>)];
    if (x.length !== y.length) return `${path}: map size ${x.length} ≠ ${y.length}`;
    for (let i = 0; i < x.length; i++) {
      const d = payloadDifference(x[i]![0], y[i]![0], `${path}.key(#${i})`, seen) ?? payloadDifference(x[i]![1], y[i]![1], `${path}.get(#${i})`, seen);
      if (d) return d;
    }
    return undefined;
  }
  if (a instanceof Set) {
    const x = [...a];
    const y = [...(b as Set<unknown>)];
    if (x.length !== y.length) return `${path}: set size ${x.length} ≠ ${y.length}`;
    for (let i = 0; i < x.length; i++) {
      const d = payloadDifference(x[i], y[i], `${path}.item(#${i})`, seen);
      if (d) return d;
    }
    return undefined;
  }
  if (a instanceof Error) {
    const e = b as Error;
    for (const key of ['name', 'message'] as const) if (a[key] !== e[key]) return `${path}.${key}: ${describe(a[key])} ≠ ${describe(e[key])}`;
    if (('cause' in a) !== ('cause' in e)) return `${path}.cause: present on one side only`;
    const d = payloadDifference(a.cause, e.cause, `${path}.cause`, seen);
    if (d) return d;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`;
  // `name`, `message`, `stack`, `cause` of an error are its shape (compared above), whether enumerable or not.
  const structural = (key: string): boolean => a instanceof Error && ['name', 'message', 'stack', 'cause'].includes(key);
  const keysA = Object.keys(a).filter((k) => !structural(k));
  const keysB = Object.keys(b).filter((k) => !structural(k));
  if (keysA.length !== keysB.length || keysA.some((k) => !Object.prototype.hasOwnProperty.call(b, k))) return `${path}: keys ${JSON.stringify(keysA)} ≠ ${JSON.stringify(keysB)}`;
  for (const key of keysA) {
    const d = payloadDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}[${JSON.stringify(key)}]`, seen);
    if (d) return d;
  }
  return undefined;
}

function name(value: object): string {
  const ctor: unknown = (Object.getPrototypeOf(value) as { constructor?: unknown } | null)?.constructor;
  return typeof ctor === 'function' ? ctor.name : 'null-prototype';
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
