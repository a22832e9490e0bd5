import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The compiled worker: beside this file under dist/, or in dist/ when this file runs as TypeScript (vitest). */
export function workerScript(): string {
  const here = import.meta.dirname;
  const sibling = join(here, 'worker.js');
  return existsSync(sibling) ? sibling : join(here, '../../dist/test/torture/worker.js');
}

/** How a worker process ended. */
export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The files a worker works on. */
export interface WorkerFiles {
  readonly db: string;
  readonly ledger: string;
  readonly control: string;
  readonly journal: string;
  readonly log: string;
}

/** One incarnation of the torture worker: a child process, its `ready` line and its exit. */
export class WorkerProcess {
  /** Resolves when the worker printed `ready` (its engine started). */
  readonly ready: Promise<void>;
  /** Resolves when the process exited. */
  readonly exited: Promise<WorkerExit>;
  private stderr = '';
  private exit: WorkerExit | undefined;
  private readyFlag = false;
  private readonly child: ChildProcess;

  constructor(files: WorkerFiles, inc: number, durability: 'full' | 'normal') {
    this.child = spawn(
      process.execPath,
      [workerScript(), '--db', files.db, '--ledger', files.ledger, '--control', files.control, '--journal', files.journal, '--log', files.log, '--inc', String(inc), '--durability', durability],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
    this.ready = new Promise((resolve, reject) => {
      let out = '';
      this.child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (!this.readyFlag && out.includes('ready\n')) {
          this.readyFlag = true;
          resolve();
        }
      });
      void this.exited.then((exit) => reject(new Error(`the worker exited before it was ready (${describeExit(exit)}): ${this.stderr.slice(-2000)}`)));
    });
    this.ready.catch(() => undefined);
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-8000);
    });
  }

  /** Whether the worker has printed `ready`. */
  get isReady(): boolean {
    return this.readyFlag;
  }

  /** Whether the process has exited. */
  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** The end of what the worker wrote to stderr. */
  get errorOutput(): string {
    return this.stderr;
  }

  /** Sends `signal` and waits for the exit. */
  async stop(signal: NodeJS.Signals): Promise<WorkerExit> {
    if (!this.hasExited) this.child.kill(signal);
    return this.exited;
  }
}

/** `code 1` / `SIGKILL`. */
export function describeExit(exit: WorkerExit): string {
  return exit.signal !== null ? exit.signal : `code ${String(exit.code)}`;
}
