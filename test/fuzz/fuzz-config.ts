import type { Parameters } from 'fast-check';

/** The seed fast-check uses under CI (`process.env.CI`); locally each run draws a random one. */
export const CI_FUZZ_SEED = 20_251_122;

/**
 * fast-check parameters of every fuzz property: a fixed seed in CI, a random
 * one locally (`FUZZ_SEED` fixes it, `FUZZ_SCALE=10` runs ten times more
 * cases). On failure fast-check reports the seed, the path and the shrunk
 * counterexample; rerun with `FUZZ_SEED` to replay it.
 */
export function fuzzParameters<T>(numRuns: number): Parameters<T> {
  const scale = Number(process.env.FUZZ_SCALE ?? 1);
  const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : process.env.CI ? CI_FUZZ_SEED : undefined;
  return { numRuns: Math.max(1, Math.round(numRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1))), ...(seed !== undefined ? { seed } : {}) };
}
