/**
 * A write that a body went on from before its commit: a quick step's result is
 * handed to the body at once, so that when the body ends right after it, the
 * step and the execution's end share one commit. A write that must not become
 * durable without it (the execution's end) calls `check()` inside its own
 * transaction: it goes on only if the guarded write ran in that same
 * transaction (a group commit runs its writes in order) or in one that
 * committed before.
 */
export class WriteGuard {
  /** The outcome of the latest pass of the guarded statements: a rolled-back pass runs again, and only the last one counts. */
  private pass: { readonly ran: true } | { readonly ran: false; readonly error?: unknown } = { ran: false };
  /** A followed write that did not commit: final. */
  private lost: { readonly error: unknown } | undefined;

  /** Runs the guarded statements (synchronously, inside the store's transaction). */
  run<T>(statements: () => T): T {
    this.pass = { ran: false };
    try {
      const value = statements();
      this.pass = { ran: true };
      return value;
    } catch (error) {
      this.pass = { ran: false, error };
      throw error;
    }
  }

  /** As `run`, for a store whose statements are asynchronous (PostgreSQL). */
  async runAsync<T>(statements: () => Promise<T>): Promise<T> {
    this.pass = { ran: false };
    try {
      const value = await statements();
      this.pass = { ran: true };
      return value;
    } catch (error) {
      this.pass = { ran: false, error };
      throw error;
    }
  }

  /** Watches a write the guarded outcome needs (the start and the end of the step): its failure fails the guard. */
  follow(write: Promise<unknown>): void {
    write.then(undefined, (error: unknown) => this.lose(error));
  }

  /** A write the guarded outcome needs did not commit (what `follow` records). */
  lose(error: unknown): void {
    this.lost ??= { error };
  }

  /**
   * Throws (the guarded write's own error when there is one) unless the
   * guarded write ran in this transaction or in one that committed.
   */
  check(): void {
    if (this.lost !== undefined) throw this.lost.error;
    if (this.pass.ran) return;
    throw 'error' in this.pass ? this.pass.error : new Error('A write this one depends on has not been written.');
  }
}

/** Runs `statements` under `guard` when there is one. */
export function guarded<T>(guard: WriteGuard | undefined, statements: () => T): T {
  return guard === undefined ? statements() : guard.run(statements);
}

/** Runs `statements` under `guard` when there is one (asynchronous statements). */
export function guardedAsync<T>(guard: WriteGuard | undefined, statements: () => Promise<T>): Promise<T> {
  return guard === undefined ? statements() : guard.runAsync(statements);
}

/** Checks every guard a write depends on (see `WriteGuard.check`). */
export function checkGuards(guards: readonly WriteGuard[] | undefined): void {
  if (guards !== undefined) for (const guard of guards) guard.check();
}
