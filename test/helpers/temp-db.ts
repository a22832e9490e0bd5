import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder for one test's SQLite file; `cleanup()` removes it. */
export function tempDatabase(): { file: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tempolite-test-'));
  return { dir, file: join(dir, 'tempolite.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
