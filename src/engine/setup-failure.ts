/**
 * Errors that say the engine cannot run a workflow as it is deployed, not that the workflow failed: its
 * class cannot be created by the container (a missing `@injectable()`, a class that is not a Nest provider),
 * or a stored payload cannot be decoded (another codec, a wrong key). As a `NonDeterminismError`, such an
 * error pauses the workflow for the fix and a `resume()`, instead of failing it for good.
 */
const SETUP_FAILURES = new WeakSet<object>();

/** Marks `error` as a deployment problem (see above) and returns it. */
export function asSetupFailure<T>(error: T): T {
  if (typeof error === 'object' && error !== null) SETUP_FAILURES.add(error);
  return error;
}

/** Whether `error` was marked by `asSetupFailure`. */
export function isSetupFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && SETUP_FAILURES.has(error);
}
