import { printableLine } from '../../client/printable.js';
import type { Command } from 'commander';
import type { WorkflowDescription } from '../../client/description.js';
import { formatRunTree } from '../../client/format-tree.js';
import type { Tempolite } from '../../engine/tempolite.js';
import { ExitCode, type CommandOutcome } from '../cli-errors.js';
import type { CliIo } from '../cli-io.js';
import { withClient } from '../open-client.js';
import { stringifyPlain, toPlain } from '../plain-json.js';
import { formatProgress, progressOf } from '../../client/progress.js';
import { databaseOptions, integerOption, type DatabaseOptions } from './common.js';

interface ShowCommandOptions extends DatabaseOptions {
  readonly watch?: boolean;
  readonly interval: number;
}

/** `tempolite show <id>`: the run as a tree; `--watch` follows it until it finishes (exit 3 when it did not complete). */
export function showCommand(program: Command, io: CliIo, outcome: CommandOutcome): void {
  databaseOptions(
    program
      .command('show')
      .description('show a workflow and its run as a tree (steps, attempts, timings, errors)')
      .argument('<id>', 'workflow id')
      .option('--watch', 'refresh while the workflow runs, until it finishes', false)
      .option('--interval <ms>', 'refresh interval of --watch', integerOption(50), 500),
  ).action(async (id: string, options: ShowCommandOptions) => {
    await withClient(options, async (engine) => {
      if (!options.watch) {
        print(await describe(engine, id), options.json === true, io);
        return;
      }
      // A script can wait for a workflow: `tempolite show <id> --watch && next-step`.
      if ((await watch(engine, id, options, io)) === 'not completed') outcome.exitCode = ExitCode.NotCompleted;
    });
  });
}

async function describe(engine: Tempolite, id: string): Promise<WorkflowDescription> {
  return (await engine.getHandle(id)).describe();
}

/** The tree, a progress line, and the workflow's outcome. */
export function formatShow(description: WorkflowDescription): string {
  const lines = [formatRunTree(description), '', formatProgress(progressOf(description))];
  if (description.output !== undefined) lines.push(`Output: ${stringifyPlain(description.output)}`);
  if (description.error !== undefined) lines.push(printableLine(`Error: ${description.error.name}: ${description.error.message}`));
  return `${lines.join('\n')}\n`;
}

function print(description: WorkflowDescription, json: boolean, io: CliIo, oneLine = false): void {
  if (json) io.out(`${JSON.stringify({ ...(toPlain(description) as object), progress: progressOf(description) }, null, oneLine ? undefined : 2)}\n`);
  else io.out(formatShow(description));
}

/**
 * Follows a workflow: in a terminal, redraws the tree and the progress line in
 * place; otherwise (a pipe, a log) prints a progress line whenever it changes
 * (`--json`: one JSON object per line, the last one the whole description), then the final tree.
 * @returns how it stopped: the workflow's end (completed or not), or the user's interrupt
 */
async function watch(engine: Tempolite, id: string, options: ShowCommandOptions, io: CliIo): Promise<'completed' | 'not completed' | 'interrupted'> {
  let last = '';
  const stop = io.interrupted().then(() => 'interrupted' as const);
  for (;;) {
    const description = await describe(engine, id);
    const progress = progressOf(description);
    if (options.json) {
      const line = JSON.stringify(progress);
      if (line !== last) io.out(`${line}\n`);
      last = line;
    } else if (io.isTTY) {
      io.out(`\x1b[2J\x1b[H${formatShow(description)}${progress.finished ? '' : `\nwatching every ${options.interval} ms; Ctrl-C to stop\n`}`);
    } else {
      const line = formatProgress(progress);
      if (line !== last) io.out(`${new Date().toISOString()} ${line}\n`);
      last = line;
    }
    if (progress.finished) {
      if (options.json) print(description, true, io, true);
      else if (!io.isTTY) io.out(`\n${formatShow(description)}`);
      return description.status === 'completed' ? 'completed' : 'not completed';
    }
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([stop, new Promise<'tick'>((resolve) => (timer = setTimeout(() => resolve('tick'), options.interval)))]);
    clearTimeout(timer);
    if (next === 'interrupted') return 'interrupted';
  }
}
