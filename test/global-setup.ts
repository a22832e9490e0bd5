import { execFileSync } from 'node:child_process';

/**
 * Crash tests run workflows in real child processes, which need compiled
 * JavaScript (decorator metadata included): build once before the suite.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
