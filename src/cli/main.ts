#!/usr/bin/env node
// reflect-metadata must load before Tempolite (its decorators' metadata): the first import.
import 'reflect-metadata';
import { runCli } from './program.js';

/** The `tempolite` command: see `tempolite --help`. */
process.exitCode = await runCli(process.argv.slice(2));
