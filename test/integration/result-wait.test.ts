import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineStateError, InvalidOptionsError, ResultTimeoutError, Workflow, workflowContext } from '../../src/index.js';
import { checkConsistency, countRows } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';

class Approval {
  @Workflow({ name: 'result-wait.approval' })
  async approval(order: string): Promise<string> {
    const { payload } = await workflowContext().waitForSignal<{ by: string }>('approve');
    return `${order} approved by ${payload.by}`;
  }
}

describe('handle.result() options', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  async function waitingApproval(id: string) {
    const started = await startEngine({ register: [Approval] });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Approval, 'approval', [id], { id });
    await eventually(async () => (await handle.status()) === 'waiting', 'the signal wait');
    return { ...started, handle };
  }

  it('a timeout gives up the wait with a ResultTimeoutError; the workflow goes on and a later result() gets its output', async () => {
    const { handle, file } = await waitingApproval('order-1');
    const error = await handle.result({ timeout: 60 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResultTimeoutError);
    expect(error).toMatchObject({ code: 'TEMPOLITE_RESULT_TIMEOUT', workflowId: 'order-1', timeoutMs: 60 });
    expect((error as Error).message).toContain('has not ended within 60 ms');
    expect(await handle.status()).toBe('waiting');
    // One wait gives up while another goes on: the shared watch keeps serving the one left.
    const patient = handle.result();
    await expect(handle.result({ timeout: '50ms' })).rejects.toBeInstanceOf(ResultTimeoutError);
    await handle.signal('approve', { by: 'ana' });
    expect(await patient).toBe('order-1 approved by ana');
    expect(await handle.result({ timeout: '1s' })).toBe('order-1 approved by ana');
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('an AbortSignal gives up the wait with its reason, also one aborted before the call; the workflow goes on', async () => {
    const { handle, file } = await waitingApproval('order-2');
    const controller = new AbortController();
    const waiting = handle.result({ signal: controller.signal });
    const reason = new Error('the HTTP client went away');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(handle.result({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await expect(handle.result({ signal: AbortSignal.timeout(30) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(await handle.status()).toBe('waiting');
    await handle.signal('approve', { by: 'bo' });
    // A signal that never aborts changes nothing.
    expect(await handle.result({ signal: new AbortController().signal })).toBe('order-2 approved by bo');
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('many waits that give up leave nothing behind: the workflow ends and is read once more as usual', async () => {
    const { handle, file } = await waitingApproval('order-3');
    const outcomes = await Promise.allSettled(Array.from({ length: 500 }, () => handle.result({ timeout: 20 })));
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof ResultTimeoutError)).toBe(true);
    await handle.signal('approve', { by: 'cy' });
    expect(await handle.result()).toBe('order-3 approved by cy');
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('malformed options are an InvalidOptionsError and change nothing', async () => {
    const { engine, handle, file } = await waitingApproval('order-4');
    const before = await countRows(file);
    for (const options of [{ timeout: 0 }, { timeout: -5 }, { timeout: '1 minute' }, { timout: '5s' }, { signal: { aborted: false } }, 'soon', null]) {
      const error = await handle.result(options as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(options)).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).subject).toBe('handle.result()');
    }
    expect(await countRows(file)).toEqual(before);
    expect(await handle.status()).toBe('waiting');
    // A wait under way when the engine closes still rejects with an EngineStateError, its timeout or not, and its
    // caller hears it before close() resolves (a shutdown handler that exits right after close() still answers it).
    const heard: unknown[] = [];
    const waiting = [handle.result({ timeout: '1h' }), handle.result()].map((wait) => wait.catch((error: unknown) => heard.push(error)));
    await engine.close();
    expect(heard).toHaveLength(2);
    for (const error of heard) expect(error).toBeInstanceOf(EngineStateError);
    await Promise.all(waiting);
    await expect(handle.result({ timeout: '1s' })).rejects.toBeInstanceOf(EngineStateError);
  });

  it("a timeout longer than Node's longest timer (about 24.8 days) waits, rather than giving up at once", async () => {
    const { handle } = await waitingApproval('order-5');
    const outcome = handle.result({ timeout: '30d' }).then(
      (value) => value,
      (error: unknown) => error,
    );
    // Not a synchronisation: the window in which a timer that overflowed (it fires after 1 ms) would have given up.
    await new Promise((resolve) => setTimeout(resolve, 30));
    await handle.signal('approve', { by: 'di' });
    expect(await outcome).toBe('order-5 approved by di');
  });
});
