import { printableLine } from '../../client/printable.js';
import type { Command } from 'commander';
import type { WorkflowSummary } from '../../client/description.js';
import type { WorkflowStatus } from '../../store/statuses.js';
import type { CliIo } from '../cli-io.js';
import { withClient } from '../open-client.js';
import { stringifyPlain } from '../plain-json.js';
import { databaseOptions, integerOption, statusOption, type DatabaseOptions } from './common.js';

interface ListCommandOptions extends DatabaseOptions {
  readonly status?: WorkflowStatus[];
  readonly name?: string;
  readonly queue?: string;
  readonly limit: number;
  readonly offset: number;
}

/** `tempolite list`: workflows, newest first, filtered and paged. */
export function listCommand(program: Command, io: CliIo): void {
  databaseOptions(
    program
      .command('list')
      .description('list workflows, newest first')
      .option('--status <statuses>', 'only these statuses (comma-separated, repeatable)', statusOption)
      .option('--name <name>', 'only workflows of this durable name')
      .option('--queue <queue>', 'only workflows of this queue')
      .option('--limit <n>', 'page size', integerOption(1), 50)
      .option('--offset <n>', 'rows to skip', integerOption(0), 0),
  ).action(async (options: ListCommandOptions) => {
    const rows = await withClient(options, (engine) =>
      engine.list({
        limit: options.limit,
        offset: options.offset,
        ...(options.status !== undefined ? { status: options.status } : {}),
        // Empty is absent, as in the dashboard: `--name "$NAME"` with nothing in $NAME lists everything.
        ...(options.name !== undefined && options.name !== '' ? { name: options.name } : {}),
        ...(options.queue !== undefined && options.queue !== '' ? { queue: options.queue } : {}),
      }),
    );
    if (options.json) {
      io.out(`${stringifyPlain(rows, true)}\n`);
      return;
    }
    if (rows.length === 0) {
      io.out(options.offset > 0 ? `No workflows at offset ${options.offset}.\n` : 'No workflows match.\n');
      return;
    }
    io.out(formatTable(rows));
    const more = rows.length === options.limit ? ` (more may follow: --offset ${options.offset + options.limit})` : '';
    io.out(`${rows.length} workflow${rows.length === 1 ? '' : 's'}, from ${options.offset + 1}${more}\n`);
  });
}

/** Rows as aligned text columns; a DEADLINE column when a row has one. */
export function formatTable(rows: readonly WorkflowSummary[]): string {
  const deadlines = rows.some((row) => row.deadline !== undefined);
  const header = ['WORKFLOW ID', 'NAME', 'STATUS', 'QUEUE', 'CREATED', 'UPDATED', ...(deadlines ? ['DEADLINE'] : [])];
  const cells = rows.map((row) =>
    [row.workflowId, row.name, row.status, row.queue, row.createdAt.toISOString(), row.updatedAt.toISOString(), ...(deadlines ? [row.deadline?.toISOString() ?? '-'] : [])].map(printableLine),
  );
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]?.length ?? 0)));
  const line = (values: readonly string[]): string => values.map((value, column) => value.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n') + '\n';
}
