/** Where a command writes, so the CLI runs the same in a terminal and in tests. */
export interface CliIo {
  /** Writes to standard output (the text includes its newlines). */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Whether standard output is a terminal (then `show --watch` redraws in place). */
  readonly isTTY: boolean;
  /** Resolves when the user asks the process to stop (Ctrl-C, SIGTERM). */
  interrupted(): Promise<void>;
}

/** The process's own streams and signals. */
export function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    interrupted: () =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          process.off('SIGINT', done);
          process.off('SIGTERM', done);
          resolve();
        };
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      }),
  };
}
