import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_VERSION,
  InvalidOptionsError,
  NonDeterminismError,
  TestClock,
  WorkflowFailure,
  registerActivity,
  registerWorkflow,
  workflowContext,
} from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';

/**
 * What "the code" does, changed between deployments within one process (a durable name registers once):
 * 1 has no `version()` call, 2 adds tax before the charge under change "tax", 3 drops the old branch
 * (`minSupported` 1), 4 removes the call once every workflow took version 1. The workflow waits in a sleep,
 * or for a signal without a timeout (which records no deadline).
 */
const deployed = { code: 1, where: 'before-sleep' as 'before-sleep' | 'after-sleep', wait: 'sleep' as 'sleep' | 'signal' };
const ran: string[] = [];

const reserve = registerActivity('versioning.reserve', async (order: string) => {
  ran.push(`reserve ${order}`);
  return `reserved ${order}`;
});
const addTax = registerActivity('versioning.tax', async (order: string) => {
  ran.push(`tax ${order}`);
  return `taxed ${order}`;
});
const charge = registerActivity('versioning.charge', async (order: string) => {
  ran.push(`charge ${order}`);
  return `charged ${order}`;
});

async function taxStep(order: string, trace: string[]): Promise<void> {
  if (deployed.code === 1 || deployed.code === 4) {
    if (deployed.code === 4) trace.push(await addTax(order));
    return;
  }
  const version = await workflowContext().version('tax', deployed.code >= 3 ? 1 : DEFAULT_VERSION, 1);
  // A second call for the same change in one execution gets the same version.
  expect(await workflowContext().version('tax', DEFAULT_VERSION, 1)).toBe(version);
  trace.push(`v${version}`);
  if (version === 1) trace.push(await addTax(order));
}

const order = registerWorkflow('versioning.order', async (id: string): Promise<string[]> => {
  const trace = [await reserve(id)];
  if (deployed.where === 'before-sleep') await taxStep(id, trace);
  if (deployed.wait === 'sleep') await workflowContext().sleep('1h');
  else await workflowContext().waitForSignal('go');
  if (deployed.where === 'after-sleep') await taxStep(id, trace);
  trace.push(await charge(id));
  return trace;
});

const malformed = registerWorkflow('versioning.malformed', async (changeId: unknown, min: unknown, max: unknown) =>
  workflowContext().version(changeId as string, min as number, max as number),
);

describe('workflowContext().version()', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  async function engine() {
    const clock = new TestClock();
    const started = await startEngine({ register: [reserve, addTax, charge, order, malformed], clock });
    dispose = started.dispose;
    return { ...started, clock };
  }

  it('a new workflow takes maxSupported and records it; every re-entry gets it again', async () => {
    const { engine: e, clock, file } = await engine();
    deployed.code = 2;
    deployed.where = 'before-sleep';
    ran.length = 0;
    const handle = await e.startWorkflow(order, ['o-new'], { id: 'o-new' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the sleep');
    clock.advance('1h');
    expect(await handle.result()).toEqual(['reserved o-new', 'v1', 'taxed o-new', 'charged o-new']);
    expect(ran).toEqual(['reserve o-new', 'tax o-new', 'charge o-new']);
    const marker = (await handle.describe()).steps.find((s) => s.stepId === 'tempolite.version/tax');
    expect(marker).toMatchObject({ kind: 'sideEffect', name: 'tempolite.version', status: 'completed', output: 1 });
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a workflow that passed the change point under the old code gets DEFAULT_VERSION and keeps its path; one that had not takes the new one', async () => {
    const { engine: e, clock, file } = await engine();
    ran.length = 0;
    // The change comes before the sleep, which the workflow is in: it passed the point under the old code.
    deployed.code = 1;
    deployed.where = 'before-sleep';
    const passed = await e.startWorkflow(order, ['o-passed'], { id: 'o-passed' });
    await eventually(async () => (await passed.status()) === 'waiting', 'the sleep');
    deployed.code = 2;
    clock.advance('1h');
    expect(await passed.result()).toEqual(['reserved o-passed', 'v0', 'charged o-passed']);
    expect((await passed.describe()).steps.some((s) => s.name === 'tempolite.version')).toBe(false);
    expect(ran).toEqual(['reserve o-passed', 'charge o-passed']);

    // The change comes after the sleep: the workflow in it has not reached the point, and takes the new path.
    ran.length = 0;
    deployed.code = 1;
    deployed.where = 'after-sleep';
    const ahead = await e.startWorkflow(order, ['o-ahead'], { id: 'o-ahead' });
    await eventually(async () => (await ahead.status()) === 'waiting', 'the sleep');
    deployed.code = 2;
    clock.advance('1h');
    expect(await ahead.result()).toEqual(['reserved o-ahead', 'v1', 'taxed o-ahead', 'charged o-ahead']);
    expect(ran).toEqual(['reserve o-ahead', 'tax o-ahead', 'charge o-ahead']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a workflow waiting for a signal without a timeout has passed the point too: DEFAULT_VERSION', async () => {
    const { engine: e, file } = await engine();
    ran.length = 0;
    deployed.code = 1;
    deployed.where = 'before-sleep';
    deployed.wait = 'signal';
    try {
      const waiting = await e.startWorkflow(order, ['o-signal'], { id: 'o-signal' });
      await eventually(async () => (await waiting.status()) === 'waiting', 'the signal wait');
      deployed.code = 2;
      await waiting.signal('go');
      expect(await waiting.result()).toEqual(['reserved o-signal', 'v0', 'charged o-signal']);
      expect(ran).toEqual(['reserve o-signal', 'charge o-signal']);
      // The wait's record is no timer: describe() shows none.
      expect((await waiting.describe()).timers).toEqual([]);

      // Code that dropped the old branch pauses such a workflow instead of taxing it.
      deployed.code = 1;
      const dropped = await e.startWorkflow(order, ['o-signal-3'], { id: 'o-signal-3' });
      await eventually(async () => (await dropped.status()) === 'waiting', 'the signal wait');
      deployed.code = 3;
      await dropped.signal('go');
      await eventually(async () => (await dropped.status()) === 'paused', 'the pause');
      expect((await dropped.describe()).executions.at(-1)?.error).toMatchObject({ stepId: 'tempolite.version/tax', recorded: { kind: 'version', name: '0' } });
      expect(ran).not.toContain('tax o-signal-3');
      await dropped.cancel();
      expect(await checkConsistency(file)).toEqual([]);
    } finally {
      deployed.wait = 'sleep';
    }
  });

  it('a version the code no longer supports pauses the workflow with a NonDeterminismError; a deployment that supports it again resumes it', async () => {
    const { engine: e, clock, file } = await engine();
    ran.length = 0;
    deployed.code = 1;
    deployed.where = 'before-sleep';
    const old = await e.startWorkflow(order, ['o-old'], { id: 'o-old' });
    await eventually(async () => (await old.status()) === 'waiting', 'the sleep');
    // Code that dropped the old branch: the workflow is on DEFAULT_VERSION.
    deployed.code = 3;
    clock.advance('1h');
    await eventually(async () => (await old.status()) === 'paused', 'the pause');
    const error = (await old.describe()).executions.at(-1)?.error;
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect(error).toMatchObject({ stepId: 'tempolite.version/tax', expected: { kind: 'version', name: '1..1' }, recorded: { kind: 'version', name: '0' } });
    expect((error as Error).message).toContain('version 0 of change "tax"');
    expect(ran).not.toContain('charge o-old');
    deployed.code = 2;
    await old.resume();
    expect(await old.result()).toEqual(['reserved o-old', 'v0', 'charged o-old']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('a deployment may drop the version() call once workflows took the new version: its recorded marker is no dropped step', async () => {
    const { engine: e, clock, file } = await engine();
    deployed.code = 2;
    deployed.where = 'before-sleep';
    const handle = await e.startWorkflow(order, ['o-drop'], { id: 'o-drop' });
    await eventually(async () => (await handle.status()) === 'waiting', 'the sleep');
    deployed.code = 4;
    clock.advance('1h');
    // Code 4 calls the tax step unconditionally: the recorded one is returned, the marker left unreached.
    expect(await handle.result()).toEqual(['reserved o-drop', 'taxed o-drop', 'charged o-drop']);
    expect(await checkConsistency(file)).toEqual([]);
  });

  it('malformed arguments are an InvalidOptionsError that fails the body; nothing is recorded', async () => {
    const { engine: e, file } = await engine();
    for (const [i, args] of ([['', 0, 1], ['x'.repeat(238), 0, 1], ['c', -1, 1], ['c', 0.5, 1], ['c', 2, 1], ['c', 0, Number.NaN], [42, 0, 1]] as const).entries()) {
      const handle = await e.startWorkflow(malformed, [...args], { id: `bad-${i}` });
      const failure = await handle.result().catch((error: unknown) => error);
      expect(failure, JSON.stringify(args)).toBeInstanceOf(WorkflowFailure);
      expect((failure as WorkflowFailure).cause, JSON.stringify(args)).toBeInstanceOf(InvalidOptionsError);
      expect((await handle.describe()).steps).toEqual([]);
    }
    expect(await checkConsistency(file)).toEqual([]);
  });
});
