/**
 * In-process wake-ups for callers waiting on a workflow's outcome. Waiters
 * also poll the database, so an outcome recorded by another process is seen
 * too; this only makes the common, same-process case immediate.
 */
export class CompletionHub {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves at the next `notify(workflowId)` or after `timeoutMs`, whichever is first. */
  wait(workflowId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(workflowId);
      if (!set) {
        set = new Set();
        this.waiters.set(workflowId, set);
      }
      const done = (): void => {
        clearTimeout(timer);
        const current = this.waiters.get(workflowId);
        current?.delete(done);
        if (current?.size === 0) this.waiters.delete(workflowId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(done);
    });
  }

  /** Wakes everyone waiting on `workflowId`. */
  notify(workflowId: string): void {
    for (const done of [...(this.waiters.get(workflowId) ?? [])]) done();
  }

  /** Wakes every waiter (engine closing: they fall back to polling). */
  notifyAll(): void {
    for (const id of [...this.waiters.keys()]) this.notify(id);
  }
}
