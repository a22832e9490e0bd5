import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidOptionsError,
  InvalidStateError,
  SerializationError,
  Workflow,
  WorkflowFailure,
  WorkflowNotFoundError,
  workflowContext,
  type Duration,
} from '../../src/index.js';
import { checkConsistency, countRows } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';

class Misuse {
  @Workflow({ name: 'misuse.sleep' }) async sleep(duration: Duration): Promise<string> {
    await workflowContext().sleep(duration);
    return 'slept';
  }
  @Workflow({ name: 'misuse.signal' }) async signal(name: string, timeout?: Duration): Promise<unknown> {
    return workflowContext().waitForSignal(name, timeout === undefined ? {} : { timeout });
  }
  @Workflow({ name: 'misuse.done' }) async done(): Promise<string> {
    return 'done';
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('bad input to waits and control', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  async function start() {
    const started = await startEngine({ register: [Misuse] });
    dispose = started.dispose;
    return started;
  }

  it.each([['10x'], ['-1s'], [-5], ['1h30m'], [Number.MAX_SAFE_INTEGER], ['200000000w']] as [Duration][])('a workflow sleeping %j fails with InvalidOptionsError and records no timer', async (duration) => {
    const { engine, file } = await start();
    const failure = await rejection((await engine.startWorkflow(Misuse, 'sleep', [duration])).result());
    expect(failure).toBeInstanceOf(WorkflowFailure);
    // Stored and read back: the cause keeps the error's name and fields.
    expect((failure as WorkflowFailure).cause).toMatchObject({ name: 'InvalidOptionsError', path: 'duration', code: 'TEMPOLITE_INVALID_OPTIONS' });
    expect((await countRows(file)).tempolite_timer).toBe(0);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a wait for a signal with a bad name or timeout fails with InvalidOptionsError', async () => {
    const { engine, file } = await start();
    const badName = await rejection((await engine.startWorkflow(Misuse, 'signal', [''])).result());
    expect((badName as WorkflowFailure).cause).toMatchObject({ name: 'InvalidOptionsError', path: 'name' });
    const badTimeout = await rejection((await engine.startWorkflow(Misuse, 'signal', ['ok', 'soon' as Duration])).result());
    expect((badTimeout as WorkflowFailure).cause).toMatchObject({ name: 'InvalidOptionsError', path: 'timeout' });
    // Beyond about 100,000 years its deadline would not be a valid Date.
    const endless = await rejection((await engine.startWorkflow(Misuse, 'signal', ['ok', Number.MAX_SAFE_INTEGER])).result());
    expect((endless as WorkflowFailure).cause).toMatchObject({ name: 'InvalidOptionsError', path: 'timeout' });
    expect((await countRows(file)).tempolite_timer).toBe(0);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a signal to an unknown or finished workflow, with a bad name or an unstorable payload, is refused and stores nothing', async () => {
    const { engine, file } = await start();
    const finished = await engine.startWorkflow(Misuse, 'done', [], { id: 'finished' });
    await finished.result();
    const waiting = await engine.startWorkflow(Misuse, 'signal', ['later'], { id: 'waiting' });
    await waiting.status();
    const before = await countRows(file);

    const unknown = await rejection(engine.signal('nobody', 'hello', 1));
    expect(unknown).toBeInstanceOf(WorkflowNotFoundError);
    expect((unknown as WorkflowNotFoundError).workflowId).toBe('nobody');
    const done = await rejection(finished.signal('hello', 1));
    expect(done).toBeInstanceOf(InvalidStateError);
    expect(done).toMatchObject({ workflowId: 'finished', status: 'completed', operation: 'signal' });
    expect((done as InvalidStateError).message).toBe('Cannot signal workflow "finished" (signal "hello"): its status is "completed".');
    expect(await rejection(waiting.signal('', 1))).toBeInstanceOf(InvalidOptionsError);
    const tooLong = await rejection(waiting.signal('x'.repeat(256), 1));
    expect(tooLong).toBeInstanceOf(InvalidOptionsError);
    // The message names the length and the start of the name, not the whole of it.
    expect((tooLong as Error).message).toContain(`got 256 characters ("${'x'.repeat(40)}…")`);
    expect((tooLong as Error).message.length).toBeLessThan(300);
    const unstorable = await rejection(waiting.signal('later', { callback: () => 1 }));
    expect(unstorable).toBeInstanceOf(SerializationError);
    expect((unstorable as SerializationError).path).toBe('$.callback');

    expect((await countRows(file)).tempolite_signal).toBe(before.tempolite_signal);
    await waiting.cancel();
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('pause, resume and cancel of a finished workflow are InvalidStateError, of an unknown one WorkflowNotFoundError; nothing changes', async () => {
    const { engine, file } = await start();
    const finished = await engine.startWorkflow(Misuse, 'done', [], { id: 'finished' });
    await finished.result();
    const before = await countRows(file);
    for (const [operation, call] of [['pause', () => finished.pause()], ['resume', () => finished.resume()], ['cancel', () => finished.cancel()]] as const) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(InvalidStateError);
      expect(error).toMatchObject({ workflowId: 'finished', status: 'completed', operation });
    }
    for (const call of [() => engine.pause('nobody'), () => engine.resume('nobody'), () => engine.cancel('nobody')]) {
      expect(await rejection(call())).toBeInstanceOf(WorkflowNotFoundError);
    }
    expect(await countRows(file)).toEqual(before);
    expect(await finished.status()).toBe('completed');
    expect(await checkConsistency(file)).toEqual([]);
  });
});
