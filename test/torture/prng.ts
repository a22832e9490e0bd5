/**
 * A small seeded PRNG (mulberry32) with independent streams, so that the
 * workload, the kill schedule and the signal schedule of a torture run are
 * each reproducible from the printed seed whatever the timing did to the others.
 */
export class Prng {
  private state: number;

  /** @param seed any 32-bit unsigned integer */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A generator for stream `name` (and `index`) of `seed`, independent of every other stream. */
  static stream(seed: number, name: string, index = 0): Prng {
    let h = (seed ^ 0x9e3779b9) >>> 0;
    for (const ch of `${name}#${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35) >>> 0;
    return new Prng(h ^ (h >>> 13));
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
}

/** A random 32-bit seed, for runs not given one. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 4294967296) >>> 0;
}
