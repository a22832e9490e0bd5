/**
 * The external ledger: an append-only file, one JSON line per real execution
 * event of an activity, saga transaction, compensation or side effect,
 * written by the worker process itself. The driver counts real executions
 * from it, independently of Tempolite's own rows.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** What ran: an activity, a saga transaction, a compensation, a side effect. */
export type LedgerKind = 'act' | 'txn' | 'comp' | 'side';

/** One ledger line. */
export interface LedgerLine {
  /** `start` before the work, `ok` / `fail` after it; `side` when a side effect produced its value. */
  readonly ev: 'start' | 'ok' | 'fail' | 'side';
  readonly kind: LedgerKind;
  /** Workflow id, generation and step id of the step. */
  readonly wf: string;
  readonly gen: number;
  readonly step: string;
  /** Attempt number (0 for side effects). */
  readonly att: number;
  /** The worker incarnation (process) that wrote the line. */
  readonly inc: number;
  /** A side effect's value. */
  readonly value?: string;
}

/** Appends lines to a ledger file; each append is one write(2) on an O_APPEND file, so a kill never leaves half a line. */
export class LedgerWriter {
  constructor(
    private readonly file: string,
    /** The incarnation stamped on every line. */
    readonly inc: number,
  ) {}

  /** Appends one line, synchronously: it is in the file before the step goes on. */
  write(line: Omit<LedgerLine, 'inc'>): void {
    appendFileSync(this.file, `${JSON.stringify({ ...line, inc: this.inc })}\n`);
  }
}

/** The lines of a ledger file; `torn` counts lines that do not parse (there should be none). */
export function readLedger(file: string): { lines: LedgerLine[]; torn: number } {
  if (!existsSync(file)) return { lines: [], torn: 0 };
  const lines: LedgerLine[] = [];
  let torn = 0;
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (text === '') continue;
    try {
      lines.push(JSON.parse(text) as LedgerLine);
    } catch {
      torn++;
    }
  }
  return { lines, torn };
}
