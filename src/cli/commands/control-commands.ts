import { printableLine } from '../../client/printable.js';
import type { Command } from 'commander';
import type { Tempolite } from '../../engine/tempolite.js';
import type { WorkflowStatus } from '../../store/statuses.js';
import { controlChanges, type ControlAction, type ControlTarget } from '../../client/control-effect.js';
import type { CliIo } from '../cli-io.js';
import { UsageError } from '../cli-errors.js';
import { withClient } from '../open-client.js';
import { databaseOptions, type DatabaseOptions } from './common.js';

/** What the engine does for one control command. */
type Operation = (engine: Tempolite, id: string) => Promise<unknown>;

const OPERATIONS: readonly { name: ControlAction; description: string; run: Operation; done: string }[] = [
  { name: 'retry', description: 'run a failed workflow again from its failed step (or resume its failed compensations)', run: (e, id) => e.retry(id), done: 'Retry scheduled for' },
  { name: 'cancel', description: 'cancel a workflow and its children; completed saga steps are compensated', run: (e, id) => e.cancel(id), done: 'Cancel recorded for' },
  { name: 'pause', description: 'pause a workflow at its next step boundary', run: (e, id) => e.pause(id), done: 'Pause recorded for' },
  { name: 'resume', description: 'resume a paused workflow', run: (e, id) => e.resume(id), done: 'Resumed' },
];

function idleText(name: string, id: string, before: ControlTarget): string {
  if (name === 'resume') return `Workflow ${id} is not paused (it is ${before.status}): nothing to resume.`;
  if (before.requested !== undefined && before.status !== 'paused' && before.status !== 'cancelled') {
    return `Workflow ${id} is already asked to ${before.requested} (it is ${before.status}): nothing to ${name}.`;
  }
  return `Workflow ${id} is already ${before.status}: nothing to ${name}.`;
}

/** What a command that changed the workflow says. */
function doneText(operation: (typeof OPERATIONS)[number], id: string, before: ControlTarget, status: WorkflowStatus): string {
  if (operation.name === 'resume' && before.status !== 'paused') return `Withdrew the pause asked of workflow ${id} (now ${status}).`;
  return `${operation.done} workflow ${id} (now ${status}).`;
}

/** `tempolite retry|cancel|pause|resume <id>` and `tempolite signal <id> <name> [json]`. */
export function controlCommands(program: Command, io: CliIo): void {
  for (const operation of OPERATIONS) {
    databaseOptions(program.command(operation.name).description(operation.description).argument('<id>', 'workflow id')).action(async (id: string, options: DatabaseOptions) => {
      const { before, status } = await withClient(options, async (engine) => {
        const handle = await engine.getHandle(id);
        const before = await handle.describe();
        await operation.run(engine, id);
        return { before, status: await handle.status() };
      });
      const changed = controlChanges(operation.name, before);
      report(io, options, { workflowId: id, action: operation.name, changed, status }, changed ? doneText(operation, id, before, status) : idleText(operation.name, id, before));
    });
  }

  databaseOptions(
    program
      .command('signal')
      .description('send a signal to a workflow; waitForSignal(name) receives it')
      .argument('<id>', 'workflow id')
      .argument('<name>', 'signal name')
      .argument('[json]', 'payload as JSON (default: null)')
      .option('--key <key>', 'idempotency key: a signal the workflow has with this key already is not sent again'),
  ).action(async (id: string, name: string, json: string | undefined, options: DatabaseOptions & { key?: string }) => {
    const payload = parsePayload(json);
    const { sent, status } = await withClient(options, async (engine) => {
      const stored = await engine.signal(id, name, payload, options.key === undefined ? undefined : { idempotencyKey: options.key });
      return { sent: stored, status: await (await engine.getHandle(id)).status() };
    });
    report(
      io,
      options,
      { workflowId: id, action: 'signal', signal: name, changed: sent, status },
      sent ? `Signal "${name}" sent to workflow ${id} (now ${status}).` : `Workflow ${id} has a signal with key "${options.key ?? ''}" already: nothing sent (it is ${status}).`,
    );
  });
}

function parsePayload(json: string | undefined): unknown {
  if (json === undefined) return null;
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new UsageError(`The signal payload is not valid JSON (${error instanceof Error ? error.message : String(error)}): ${json}`);
  }
}

function report(io: CliIo, options: DatabaseOptions, result: Record<string, unknown>, text: string): void {
  io.out(options.json ? `${JSON.stringify({ ok: true, ...result })}\n` : `${printableLine(text)}\n`);
}
