import { CommanderError } from 'commander';
import { InvalidOptionsError, TempoliteError } from '../errors.js';

/** Exit codes of the `tempolite` command. */
export const ExitCode = {
  /** The command did what was asked. */
  Ok: 0,
  /** The operation failed: the workflow does not exist, its status does not allow it, the database is missing or busy. */
  OperationFailed: 1,
  /** The command line is wrong: unknown command or option, a missing or malformed argument. */
  Usage: 2,
  /** `show --watch` followed the workflow to an end other than `completed` (failed, cancelled, compensated, ...). */
  NotCompleted: 3,
} as const;

/** What a command sets when it succeeded but its exit code still says something (`show --watch`). */
export interface CommandOutcome {
  exitCode: number;
}

/** Codes of the CLI's own errors, beside the library's `TEMPOLITE_*` codes. */
export const CliErrorCode = {
  Usage: 'TEMPOLITE_CLI_USAGE',
  Operation: 'TEMPOLITE_CLI_OPERATION',
  /** An error from elsewhere (a driver, the system) the CLI has no code for. */
  Unexpected: 'TEMPOLITE_CLI_UNEXPECTED',
} as const;

/** A command line that cannot be run as written (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly code = CliErrorCode.Usage;
}

/** An operation the CLI itself refuses, e.g. a database file that does not exist (exit code 1). */
export class OperationError extends Error {
  override name = 'OperationError';
  readonly code = CliErrorCode.Operation;
}

/** The exit code for an error thrown by a command. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  if (error instanceof UsageError || error instanceof InvalidOptionsError) return ExitCode.Usage;
  return ExitCode.OperationFailed;
}

/** `{ error: { name, code, message } }`, what `--json` prints for a failed command. */
export function errorJson(error: unknown): { error: { name: string; code: string; message: string } } {
  if (!(error instanceof Error)) return { error: { name: 'Error', code: CliErrorCode.Unexpected, message: String(error) } };
  const code = error instanceof TempoliteError || error instanceof UsageError || error instanceof OperationError ? error.code : CliErrorCode.Unexpected;
  return { error: { name: error.name, code, message: error.message } };
}
