/**
 * In-process wake-ups for callers waiting on a workflow's outcome. Waiters
 * also poll the database, so an outcome recorded by another process is seen
 * too; this only makes the common, same-process case immediate.
 */
export class CompletionHub {
  private readonly waiters = new Map<string, Set<(output?: string) => void>>();

  /**
   * Resolves at the next `notify(workflowId)`, after `timeoutMs` or when `stop` aborts, whichever is first:
   * with the encoded output when the notice says the workflow completed, else `undefined`.
   */
  wait(workflowId: string, timeoutMs: number, stop?: AbortSignal): Promise<string | undefined> {
    return new Promise((resolve) => {
      if (stop?.aborted) return resolve(undefined);
      let set = this.waiters.get(workflowId);
      if (!set) {
        set = new Set();
        this.waiters.set(workflowId, set);
      }
      const done = (output?: string): void => {
        clearTimeout(timer);
        stop?.removeEventListener('abort', onStop);
        const current = this.waiters.get(workflowId);
        current?.delete(done);
        if (current?.size === 0) this.waiters.delete(workflowId);
        resolve(output);
      };
      const onStop = (): void => done();
      const timer = setTimeout(() => done(), timeoutMs);
      stop?.addEventListener('abort', onStop, { once: true });
      set.add(done);
    });
  }

  /**
   * Wakes everyone waiting on `workflowId`.
   * @param output the encoded output, when the workflow completed and its row is committed: waiters need not read it back
   */
  notify(workflowId: string, output?: string): void {
    for (const done of [...(this.waiters.get(workflowId) ?? [])]) done(output);
  }

  /** Wakes every waiter (engine closing: they fall back to polling). */
  notifyAll(): void {
    for (const id of [...this.waiters.keys()]) this.notify(id);
  }
}
