/**
 * The payload validator: walks a value before it is encoded and names the
 * first thing that would not survive a superjson round trip.
 *
 * Superjson itself drops functions and symbols silently, turns unknown class
 * instances into plain objects and invalid Dates into `null`; failing here
 * with a path is the only way users learn about it before data is lost.
 *
 * Path notation, from the root `$`:
 * - `.name` for an identifier-like key, `["odd key"]` (JSON-quoted) otherwise
 * - `[2]` for an array index
 * - `.get("eur")` for the value of a Map entry whose key is a string, number,
 *   bigint (`7n`), boolean, null or undefined; `.get(#1)` when the key is an
 *   object, `#1` being the entry's 0-based insertion index
 * - `.key(#1)` for the key of Map entry #1 itself
 * - `.item(#2)` for the Set element at 0-based insertion index 2
 * - errors and registered class instances use their field names: `.cause`, `.code`
 */
import { ERROR_CLASS_KEY, errorFields, type PayloadClass } from './codec-errors.js';

/** Why a value cannot be encoded, and where inside it. */
export interface PayloadProblem {
  /** Path inside the value, e.g. `$.items[2].callback`. */
  readonly path: string;
  /** Why the value at that path cannot be encoded. */
  readonly reason: string;
}

const TYPED_ARRAYS: ReadonlySet<unknown> = new Set([
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array,
]);

/** Keys superjson refuses as a guard against prototype pollution. */
const REFUSED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Where an occurrence sits: superjson re-inserts Set elements and Map keys when restoring references. */
type Slot = 'set-item' | 'map-key' | undefined;

interface Occurrence {
  readonly path: string;
  /** Number of superjson path segments: it picks the shortest path as the one to keep. */
  readonly depth: number;
  readonly slot: Slot;
  /** Last entry of its Set or Map: re-inserting it at the end changes nothing. */
  readonly last: boolean;
}

interface Tracked {
  readonly occurrences: Occurrence[];
  /** Holds a circular reference somewhere below it (superjson stores `null` there and patches it later). */
  containsCut: boolean;
}

interface Frame {
  readonly value: object;
  /** Set for containers superjson cannot patch through (errors, class instances). */
  readonly opaque?: string;
}

class Problem extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const NOT_REGISTERED = "is not serializable; pass plain data or register the class in the codec's classes";

/**
 * Returns the first part of `value` that the codec could not round-trip, or
 * `undefined` when the whole value is fine.
 *
 * @param classes classes registered in the codec; their exact instances are accepted
 */
export function findUnserializable(value: unknown, classes: ReadonlySet<PayloadClass>): PayloadProblem | undefined {
  const walker = new Walker(classes);
  try {
    walker.visit(value, '$', 0, undefined, false);
    walker.checkSharedReferences();
    return undefined;
  } catch (error) {
    if (error instanceof Problem) return { path: error.path, reason: error.reason };
    if (error instanceof RangeError) return { path: '$', reason: 'the value is nested too deeply' };
    throw error;
  }
}

class Walker {
  private readonly tracked = new Map<unknown, Tracked>();
  private readonly stack: Frame[] = [];
  private readonly inProgress = new Set<object>();

  constructor(private readonly classes: ReadonlySet<PayloadClass>) {}

  visit(value: unknown, path: string, depth: number, slot: Slot, last: boolean): void {
    switch (typeof value) {
      case 'function':
        throw new Problem(path, `a function (${value.name || 'anonymous'}) is not serializable`);
      case 'symbol':
        throw new Problem(path, 'a symbol is not serializable');
      case 'number':
        // Superjson tracks NaN by identity like an object, so it takes part in shared-reference restoring.
        if (Number.isNaN(value)) this.track(value, { path, depth, slot, last });
        return;
      case 'object':
        if (value !== null) this.visitObject(value, path, depth, slot, last);
        return;
      default:
        return;
    }
  }

  private visitObject(value: object, path: string, depth: number, slot: Slot, last: boolean): void {
    if (this.inProgress.has(value)) return this.circular(path, slot);
    const occurrence = { path, depth, slot, last };
    if (this.tracked.has(value)) return this.track(value, occurrence);
    this.track(value, occurrence);

    const proto: unknown = Object.getPrototypeOf(value);
    if (Array.isArray(value) && proto === Array.prototype) {
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) throw new Problem(`${path}[${i}]`, 'a sparse array hole would decode as null; fill it with undefined or null');
      }
      if (Object.keys(value).length !== value.length) throw new Problem(path, 'an array with non-index properties loses them');
      this.within({ value }, () => value.forEach((item, i) => this.visit(item, `${path}[${i}]`, depth + 1, undefined, false)));
    } else if (proto === Object.prototype || proto === null) {
      this.visitFields(value, path, depth, { value }, () => Object.entries(value));
    } else if (proto === Map.prototype) {
      const map = value as Map<unknown, unknown>;
      this.within({ value }, () => {
        let i = 0;
        for (const [key, item] of map) {
          this.visit(key, `${path}.key(#${i})`, depth + 2, 'map-key', i === map.size - 1);
          this.visit(item, `${path}.get(${mapKeyLabel(key, i)})`, depth + 2, undefined, false);
          i++;
        }
      });
    } else if (proto === Set.prototype) {
      const set = value as Set<unknown>;
      this.within({ value }, () => {
        let i = 0;
        for (const item of set) {
          this.visit(item, `${path}.item(#${i})`, depth + 1, 'set-item', i === set.size - 1);
          i++;
        }
      });
    } else if (proto === Date.prototype) {
      if (Number.isNaN((value as Date).getTime())) throw new Problem(path, 'an invalid Date would decode as null');
    } else if (proto === RegExp.prototype || proto === URL.prototype) {
      return;
    } else if (TYPED_ARRAYS.has(value.constructor)) {
      checkTypedArray(value as Float64Array, path);
    } else if (value instanceof Error) {
      this.visitFields(value, path, depth, { value, opaque: 'an Error' }, () => errorFields(value), ERROR_CLASS_KEY);
    } else if (this.classes.has(value.constructor as PayloadClass)) {
      const name = className(value);
      this.visitFields(value, path, depth, { value, opaque: `an instance of class ${name}` }, () => Object.entries(value));
    } else {
      throw new Problem(path, unsupportedReason(value));
    }
  }

  /** Visits the fields of an object-like container, refusing keys superjson cannot store. */
  private visitFields(
    value: object,
    path: string,
    depth: number,
    frame: Frame,
    fields: () => Array<[string, unknown]>,
    reservedKey?: string,
  ): void {
    const symbolKey = Object.getOwnPropertySymbols(value).find((key) => Object.prototype.propertyIsEnumerable.call(value, key));
    if (symbolKey !== undefined) throw new Problem(`${path}[${String(symbolKey)}]`, 'a symbol key is not serializable');
    let entries: Array<[string, unknown]>;
    try {
      entries = fields();
    } catch (error) {
      throw new Problem(path, `reading its properties threw: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.within(frame, () => {
      for (const [key, item] of entries) {
        const itemPath = path + formatKey(key);
        if (REFUSED_KEYS.has(key)) throw new Problem(itemPath, `the property name "${key}" is refused (prototype pollution guard)`);
        if (key === reservedKey) throw new Problem(itemPath, `the property name "${key}" is reserved on errors`);
        this.visit(item, itemPath, depth + 1, undefined, false);
      }
    });
  }

  private within(frame: Frame, walk: () => void): void {
    this.stack.push(frame);
    this.inProgress.add(frame.value);
    walk();
    this.inProgress.delete(frame.value);
    this.stack.pop();
  }

  private track(value: unknown, occurrence: Occurrence): void {
    const entry = this.tracked.get(value);
    if (entry) entry.occurrences.push(occurrence);
    else this.tracked.set(value, { occurrences: [occurrence], containsCut: false });
  }

  /**
   * Superjson stores a circular reference as `null` and patches it back on
   * decode by walking from the root. That patch cannot pass through a revived
   * error or class instance, and re-inserting into a Set or Map key reorders it.
   */
  private circular(path: string, slot: Slot): void {
    if (slot === 'set-item') throw new Problem(path, 'a circular reference as a Set element cannot be restored');
    if (slot === 'map-key') throw new Problem(path, 'a circular reference as a Map key cannot be restored');
    const opaque = this.stack.find((frame) => frame.opaque !== undefined);
    if (opaque) throw new Problem(path, `a circular reference through ${opaque.opaque} cannot be restored`);
    for (const frame of this.stack) {
      const entry = this.tracked.get(frame.value);
      if (entry) entry.containsCut = true;
    }
  }

  /**
   * Superjson keeps one copy of a shared value (the one at the shortest path)
   * and puts it back at the others after decoding. Three cases lose data:
   * a copy that holds a circular reference (its patch lands on the copy that
   * gets replaced), a Set element or Map key that is not the last entry
   * (re-inserted at the end), and a NaN Map key (superjson deletes the entry).
   */
  checkSharedReferences(): void {
    for (const [value, { occurrences, containsCut }] of this.tracked) {
      const [first, second] = occurrences;
      if (!first || !second) continue;
      if (containsCut) {
        throw new Problem(
          second.path,
          `a value that contains a circular reference is also referenced at ${first.path}; it cannot be restored in both places`,
        );
      }
      const kept = occurrences.reduce((best, next) => (next.depth < best.depth ? next : best));
      for (const occurrence of occurrences) {
        if (occurrence === kept || occurrence.slot === undefined) continue;
        if (occurrence.slot === 'map-key' && Number.isNaN(value)) {
          throw new Problem(occurrence.path, `NaN is also at ${kept.path}; as a Map key it would come back without its entry`);
        }
        if (occurrence.last) continue;
        const where = occurrence.slot === 'set-item' ? 'inside a Set' : 'as a Map key';
        throw new Problem(
          occurrence.path,
          `the same value is also at ${kept.path}; a shared reference ${where} would come back reordered`,
        );
      }
    }
  }
}

function checkTypedArray(array: Float64Array, path: string): void {
  if (!(array instanceof Float32Array || array instanceof Float64Array)) return;
  const index = array.findIndex((n) => !Number.isFinite(n) || Object.is(n, -0));
  if (index >= 0) throw new Problem(`${path}[${index}]`, `${String(array[index])} in a ${array.constructor.name} would not survive JSON`);
}

function className(value: object): string {
  const ctor: unknown = (Object.getPrototypeOf(value) as { constructor?: unknown } | null)?.constructor;
  return typeof ctor === 'function' && ctor.name ? ctor.name : 'anonymous';
}

function unsupportedReason(value: object): string {
  if (value instanceof Promise) return 'a Promise is not serializable; await it and pass its result';
  for (const weak of [WeakMap, WeakSet, WeakRef]) {
    if (value instanceof weak) return `a ${weak.name} is not serializable`;
  }
  return `instance of class ${className(value)} ${NOT_REGISTERED}`;
}

function formatKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function mapKeyLabel(key: unknown, index: number): string {
  switch (typeof key) {
    case 'string':
      return JSON.stringify(key);
    case 'number':
      return Object.is(key, -0) ? '-0' : String(key);
    case 'bigint':
      return `${key}n`;
    case 'boolean':
    case 'undefined':
      return String(key);
    default:
      return key === null ? 'null' : `#${index}`;
  }
}
