import { execFileSync } from 'node:child_process';

/**
 * Crash tests run workflows in real child processes, which need compiled
 * JavaScript (decorator metadata included): build once before the suite
 * (once for both projects: they share this process).
 */
export default function setup(): void {
  if (process.env.TEMPOLITE_TEST_BUILT === '1') return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  process.env.TEMPOLITE_TEST_BUILT = '1';
}
