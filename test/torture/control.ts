/**
 * The control channel from the driver to the worker: an append-only file of
 * JSON commands (release a batch of roots, send a signal, cancel, pause,
 * resume). One SQLite file allows one engine, so the driver cannot send
 * signals itself while a worker runs; the worker executes the commands, in
 * order, and journals each one once it is done.
 *
 * Exactly-once across kills: a command is re-executed after a restart only if
 * its journal line is missing, i.e. the kill came between executing it and
 * journaling it. Releases (idempotent starts by id), cancels, pauses and
 * resumes are idempotent; a signal is not, so before sending one the worker
 * looks in the database for a stored signal with that seq (a read-only
 * connection): sent and committed means it is not sent again.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { RootSpec } from './plan.js';

/** One command. Signals carry `{ seq }` as payload. */
export type ControlCommand =
  | { readonly type: 'release'; readonly batch: number; readonly roots: readonly RootSpec[] }
  | { readonly type: 'signal'; readonly wf: string; readonly name: 's' | 'go'; readonly seq: number }
  | { readonly type: 'cancel'; readonly wf: string }
  | { readonly type: 'pause'; readonly wf: string }
  | { readonly type: 'resume'; readonly wf: string };

/** One journal line: command `i` done, or the error it ended with. */
export interface JournalEntry {
  readonly i: number;
  readonly inc: number;
  readonly error?: string;
  /** What the command found, e.g. `already sent` for a signal found in the database. */
  readonly note?: string;
}

/** Appends a command: one write(2), and the reader only takes lines ending in a newline. */
export function appendCommand(file: string, command: ControlCommand): void {
  appendFileSync(file, `${JSON.stringify(command)}\n`);
}

/** The complete commands of a control file, in order (a line still being written is left for later). */
export function readCommands(file: string): ControlCommand[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ControlCommand);
}

/** Appends a journal line. */
export function appendJournal(file: string, entry: JournalEntry): void {
  appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

/** The journal's lines. */
export function readJournal(file: string): JournalEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JournalEntry);
}
