import { setMaxListeners } from 'node:events';

/**
 * An AbortController whose signal takes any number of listeners without Node's
 * MaxListenersExceededWarning: one listener per step in flight of a workflow, or
 * per workflow a worker holds, is the design, not a leak (each is removed when
 * its work ends).
 */
export function sharedAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
