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
} as const;

/** A command line that cannot be run as written (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An operation the CLI itself refuses, e.g. a database file that does not exist (exit code 1). */
export class OperationError extends Error {
  override name = 'OperationError';
}

/** The exit code for an error thrown by a command. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  if (error instanceof UsageError || error instanceof InvalidOptionsError) return ExitCode.Usage;
  return ExitCode.OperationFailed;
}

/** `{ error: { name, code?, message } }`, what `--json` prints for a failed command. */
export function errorJson(error: unknown): { error: { name: string; code?: string; message: string } } {
  if (!(error instanceof Error)) return { error: { name: 'Error', message: String(error) } };
  return { error: { name: error.name, ...(error instanceof TempoliteError ? { code: error.code } : {}), message: error.message } };
}
