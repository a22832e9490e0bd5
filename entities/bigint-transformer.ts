import type { ValueTransformer } from 'typeorm';

/**
 * Maps `bigint` epoch-millisecond columns to JS numbers.
 *
 * PostgreSQL drivers return `bigint` as a string (it may exceed 2^53), SQLite
 * returns a number; epoch milliseconds stay far below 2^53, so `Number()` is exact.
 * `null` stays `null` so optional timestamps keep meaning "not yet".
 */
export const bigintTransformer: ValueTransformer = {
  to(value: number | null | undefined): number | null | undefined {
    return value;
  },
  from(value: string | number | null | undefined): number | null | undefined {
    if (value === null || value === undefined) return value;
    return typeof value === 'number' ? value : Number(value);
  },
};
