import type { Command } from 'commander';
import type { Duration } from '../../engine/duration.js';
import type { FinishedStatus, WorkflowStatus } from '../../store/statuses.js';
import type { CliIo } from '../cli-io.js';
import { withClient } from '../open-client.js';
import { databaseOptions, statusOption, type DatabaseOptions } from './common.js';

interface PruneCommandOptions extends DatabaseOptions {
  readonly olderThan: string;
  readonly status?: WorkflowStatus[];
}

/** `tempolite prune --older-than 30d`: deletes finished runs for good (`engine.prune()`). */
export function pruneCommand(program: Command, io: CliIo): void {
  databaseOptions(
    program
      .command('prune')
      .description('delete finished runs whose root workflow ended more than --older-than ago, with all their rows')
      .requiredOption('--older-than <duration>', 'age of the finished runs to delete: milliseconds, or e.g. 12h, 30d, 2w')
      .option('--status <statuses>', 'only runs whose root workflow ended in these statuses (comma-separated, repeatable)', statusOption),
  ).action(async (options: PruneCommandOptions) => {
    // Digits alone are milliseconds, as in the API; the engine validates the rest (an InvalidOptionsError, exit 2).
    const olderThan = (/^\d+$/.test(options.olderThan) ? Number(options.olderThan) : options.olderThan) as Duration;
    // The engine refuses a status that is not a finished one (an InvalidOptionsError, exit 2).
    const workflows = await withClient(options, (engine) => engine.prune({ olderThan, ...(options.status !== undefined ? { status: options.status as FinishedStatus[] } : {}) }));
    io.out(options.json ? `${JSON.stringify({ ok: true, action: 'prune', workflows })}\n` : `Deleted ${workflows} finished workflow${workflows === 1 ? '' : 's'} (${prunedRuns(options)}).\n`);
  });
}

/** Which runs a prune took, as its summary line says: the age and, when given, the statuses. */
function prunedRuns(options: PruneCommandOptions): string {
  const age = options.olderThan.trim();
  const statuses = options.status === undefined ? '' : ` whose root ended ${[...new Set(options.status)].join(' or ')}`;
  if (/^0+(\.0*)?[a-z]*$/.test(age)) return statuses === '' ? 'every finished run' : `every run${statuses}`;
  return `runs${statuses === '' ? ' that ended' : statuses} more than ${/^\d+(\.\d+)?$/.test(age) ? `${age} ms` : age} ago`;
}
