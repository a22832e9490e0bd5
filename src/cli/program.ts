import { printableLine } from '../client/printable.js';
import { Command, CommanderError } from 'commander';
import { errorJson, exitCodeOf, ExitCode, UsageError, type CommandOutcome } from './cli-errors.js';
import { processIo, type CliIo } from './cli-io.js';
import { controlCommands } from './commands/control-commands.js';
import { dashboardCommand } from './commands/dashboard-command.js';
import { listCommand } from './commands/list-command.js';
import { pruneCommand } from './commands/prune-command.js';
import { showCommand } from './commands/show-command.js';

/** The version the CLI reports (the package's). */
export const CLI_VERSION = '0.1.0';

/** Builds the `tempolite` command line program, writing through `io`; a command that succeeds may set `outcome`'s exit code. */
export function buildProgram(io: CliIo, outcome: CommandOutcome = { exitCode: ExitCode.Ok }): Command {
  const program = new Command()
    .name('tempolite')
    .description('Look at and operate Tempolite workflows in a database, also while an engine runs on it.')
    .version(CLI_VERSION)
    .exitOverride()
    .showHelpAfterError('(run "tempolite --help" for usage)')
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) });
  listCommand(program, io);
  showCommand(program, io, outcome);
  controlCommands(program, io);
  pruneCommand(program, io);
  dashboardCommand(program, io);
  return program;
}

/**
 * Runs the CLI on `argv` (the arguments after the program name) and resolves
 * with its exit code: 0 ok, 1 operation error (e.g. workflow not found), 2 usage error, 3 a watched workflow
 * that did not complete.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const outcome: CommandOutcome = { exitCode: ExitCode.Ok };
  const program = buildProgram(io, outcome);
  if (argv.length === 0) {
    io.err(program.helpInformation());
    return ExitCode.Usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return outcome.exitCode;
  } catch (error) {
    const code = exitCodeOf(error);
    // Scripts asking for JSON get it for every failure, usage errors included (not for --help or --version).
    if (wantsJson(argv) && code !== ExitCode.Ok) io.out(`${JSON.stringify(errorJson(isCommanderError(error) ? asUsageError(error as CommanderError) : error))}\n`);
    // Commander has already printed its own usage errors (and help, and the version).
    if (!isCommanderError(error)) io.err(`error: ${printableLine(error instanceof Error ? error.message : String(error))}\n`);
    return code;
  }
}

function isCommanderError(error: unknown): boolean {
  return error instanceof CommanderError;
}

/** Commander's usage error as the CLI's own, its message without commander's `error: ` prefix. */
function asUsageError(error: CommanderError): UsageError {
  return new UsageError(error.message.replace(/^error: /, ''));
}

function wantsJson(argv: readonly string[]): boolean {
  return argv.includes('--json');
}
