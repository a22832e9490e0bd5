#!/usr/bin/env node
// reflect-metadata must load before Tempolite (its decorators' metadata): the first import.
import 'reflect-metadata';
import { runCli } from './program.js';

// A reader that stops early (`tempolite list --json | head`) closes the pipe: that ends the output, not in an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

/** The `tempolite` command: see `tempolite --help`. */
process.exitCode = await runCli(process.argv.slice(2));
