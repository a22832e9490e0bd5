import { describe, expect, it } from 'vitest';
import { ResultTimeoutError } from '../../src/errors.js';
import type { WorkflowRow } from '../../src/store/rows.js';
import { ResultWaits, type Ended } from '../../src/engine/result-waits.js';

/** A watch the test ends by hand, counting how many were started and stopped. */
function watches() {
  const started: { id: string; stop: AbortSignal; end: (ended: Ended) => void; fail: (error: Error) => void }[] = [];
  const waits = new ResultWaits(
    (id, stop) =>
      new Promise<Ended | undefined>((resolve, reject) => {
        started.push({ id, stop, end: resolve, fail: reject });
        stop.addEventListener('abort', () => resolve(undefined), { once: true });
      }),
  );
  return { waits, started };
}

const ended: Ended = { row: { id: 'w', status: 'completed' } as WorkflowRow };

describe('ResultWaits', () => {
  it('shares one watch among the waits on a workflow, and settles them all with what it found', async () => {
    const { waits, started } = watches();
    const all = Promise.all([waits.wait('w', {}), waits.wait('w', { timeoutMs: 60_000 }), waits.wait('w', { signal: new AbortController().signal })]);
    const other = waits.wait('v', {});
    expect(started.map((s) => s.id)).toEqual(['w', 'v']);
    started[0]!.end(ended);
    expect(await all).toEqual([ended, ended, ended]);
    started[1]!.fail(new Error('gone'));
    await expect(other).rejects.toThrow('gone');
    // An ended watch is forgotten: the next wait starts a new one.
    const again = waits.wait('w', {});
    expect(started).toHaveLength(3);
    started[2]!.end(ended);
    expect(await again).toBe(ended);
  });

  it('stops the watch once its last wait gave up, not before', async () => {
    const { waits, started } = watches();
    const controller = new AbortController();
    const aborted = waits.wait('w', { signal: controller.signal });
    const timed = waits.wait('w', { timeoutMs: 10 });
    await expect(timed).rejects.toBeInstanceOf(ResultTimeoutError);
    expect(started[0]!.stop.aborted).toBe(false);
    controller.abort(new Error('bye'));
    await expect(aborted).rejects.toThrow('bye');
    expect(started[0]!.stop.aborted).toBe(true);
    // Waiting again after that starts a new watch rather than joining the stopped one.
    const fresh = waits.wait('w', {});
    expect(started).toHaveLength(2);
    started[1]!.end(ended);
    expect(await fresh).toBe(ended);
  });

  it('a wait whose signal is already aborted starts no watch', async () => {
    const { waits, started } = watches();
    const reason = new Error('already');
    await expect(waits.wait('w', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(started).toHaveLength(0);
  });
});
