/**
 * A promise that never settles. A workflow body that awaits it is abandoned:
 * once the engine drops its references, the body's continuation is garbage
 * collected, which is how a suspended workflow leaves memory without running
 * its `catch` or `finally` blocks.
 */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}
