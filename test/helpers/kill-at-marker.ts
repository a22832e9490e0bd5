import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './eventually.js';

/**
 * Runs a compiled fixture (`dist/test/fixtures/<name>.js`) in a real child
 * process with `args`, waits until it writes `marker` (the point the test
 * wants to crash at), then SIGKILLs it and waits for it to be gone.
 * @returns the signal the child died of (`SIGKILL` unless it exited by itself first)
 */
export async function killAtMarker(fixture: string, args: readonly string[], marker: string, what: string): Promise<NodeJS.Signals | null> {
  const script = join(import.meta.dirname, `../../dist/test/fixtures/${fixture}.js`);
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  try {
    await eventually(() => existsSync(marker), what);
  } finally {
    child.kill('SIGKILL');
  }
  return exited;
}
