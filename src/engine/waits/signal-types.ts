import type { Duration } from '../duration.js';

/** A signal a workflow received. */
export interface ReceivedSignal<T = unknown> {
  readonly timedOut: false;
  /** Which signal came (one of the names waited for). */
  readonly name: string;
  /** What its sender passed. */
  readonly payload: T;
}

/** No signal came before the timeout. */
export interface SignalTimeout {
  readonly timedOut: true;
}

/** What `waitForSignal` returns with a timeout: a signal, or the timeout. Narrow on `timedOut`. */
export type SignalResult<T = unknown> = ReceivedSignal<T> | SignalTimeout;

/** Options of `workflowContext().waitForSignal()`. */
export interface WaitForSignalOptions {
  /**
   * How long to wait (milliseconds, or a string like `'3d'`), from the first
   * time the body reaches this wait; after a crash the remaining time is
   * honoured. `0` takes a signal already buffered or times out at once.
   * @default no timeout: waits until a signal comes
   */
  timeout?: Duration | undefined;
}
