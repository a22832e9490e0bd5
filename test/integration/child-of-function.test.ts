import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildWorkflowFailure, UnknownWorkflowError, registerActivity, registerWorkflow, workflowContext } from '../../src/index.js';
import { checkConsistency } from '../helpers/consistency.js';
import { startEngine } from '../helpers/engine.js';

const shout = registerActivity('childfn.shout', async (text: string) => text.toUpperCase());
const quote = registerWorkflow('childfn.quote', async (item: string, qty: number) => `${await shout(item)}×${qty}`);
const refuse = registerWorkflow('childfn.refuse', async (): Promise<string> => {
  throw new Error('no stock');
});

const parent = registerWorkflow('childfn.parent', async () => {
  const ctx = workflowContext();
  const quoted = await ctx.child(quote, ['tea', 2], { id: 'quote', queue: 'pricing' });
  let refused = '';
  try {
    await ctx.child(refuse, []);
  } catch (error) {
    refused = error instanceof ChildWorkflowFailure ? `${error.workflowId} ${error.status}` : String(error);
  }
  // A step's twin is no workflow: refused before anything is recorded.
  const notAWorkflow = await ctx.child(shout as never, ['x']).catch((error: unknown) => error);
  return { quoted, refused, notAWorkflow: notAWorkflow instanceof UnknownWorkflowError ? notAWorkflow.message : String(notAWorkflow) };
});

describe('workflowContext().child() of a registerWorkflow function', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('runs it as a child under the given id and queue, as calling it would, and refuses a step twin', async () => {
    const started = await startEngine({ register: [shout, quote, refuse, parent], queues: { pricing: { concurrency: 1 } } });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(parent, [], { id: 'p-1' });
    expect(await handle.result()).toEqual({
      quoted: 'TEA×2',
      refused: 'p-1/childfn.refuse#0 failed',
      notAWorkflow: '"childfn.shout" is an @Activity step, not a workflow: start a @Workflow method, which calls the step.',
    });
    const children = (await handle.describe()).children;
    expect(children.map((c) => [c.workflowId, c.queue, c.status])).toEqual([
      ['p-1/quote', 'pricing', 'completed'],
      ['p-1/childfn.refuse#0', 'default', 'failed'],
    ]);
    expect(await checkConsistency(started.file)).toEqual([]);
  });
});
