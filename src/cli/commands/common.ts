import { InvalidArgumentError, type Command } from 'commander';
import { WORKFLOW_STATUSES, type WorkflowStatus } from '../../store/statuses.js';

/** Options every database command takes. */
export interface DatabaseOptions {
  /** SQLite file or PostgreSQL URL. */
  readonly db: string;
  /** Machine-readable output. */
  readonly json?: boolean;
  /** JavaScript module exporting the application's payload codec. */
  readonly codec?: string;
}

/** Help of `--codec`, shared by every command that reads or writes payloads. */
export const CODEC_HELP = 'JavaScript module exporting the application\'s payload codec ("codec" or default export; default: SuperJsonCodec)';

/** The database used when `--db` is not given. */
export const DEFAULT_DATABASE = './tempolite.db';

/** Adds `--db`, `--codec` and `--json` to a command. */
export function databaseOptions(command: Command): Command {
  return command
    .option('--db <file-or-url>', 'SQLite file or PostgreSQL URL of the Tempolite database', DEFAULT_DATABASE)
    .option('--codec <module>', CODEC_HELP)
    .option('--json', 'print JSON for scripts', false);
}

/** Parses a non-negative integer option (`--limit`, `--offset`, `--port`). */
export function integerOption(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got "${value}"`);
    }
    return parsed;
  };
}

/** Parses `--status a,b` (repeatable) into workflow statuses. */
export function statusOption(value: string, previous: WorkflowStatus[] | undefined): WorkflowStatus[] {
  const statuses = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const status of statuses) {
    if (!(WORKFLOW_STATUSES as readonly string[]).includes(status)) throw new InvalidArgumentError(`unknown status "${status}"; one of ${WORKFLOW_STATUSES.join(', ')}`);
  }
  return [...(previous ?? []), ...(statuses as WorkflowStatus[])];
}
