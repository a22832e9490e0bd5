import 'reflect-metadata';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDatabase } from '../helpers/temp-db.js';

/**
 * The README's runnable code blocks (each preceded by `<!-- runnable: name -->`)
 * are run here exactly as written, with two substitutions: `'tempolite'`
 * imports point at src/, and the database file is a temp file.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const scratch = join(root, '.vitest-tmp', 'readme');

function runnableBlock(name: string): string {
  const match = new RegExp(`<!-- runnable: ${name} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!match?.[1]) throw new Error(`README.md has no block marked <!-- runnable: ${name} -->`);
  return match[1];
}

/** Writes the block as a module beside the repository (so it is transformed like ours) and imports it. */
async function runBlock(name: string, database: string): Promise<string[]> {
  const code = runnableBlock(name);
  expect(code).toContain(`'./${name}.db'`);
  mkdirSync(scratch, { recursive: true });
  // Vite applies a tsconfig's compiler options (legacy decorators, their metadata) only to files it includes.
  writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ extends: relative(scratch, join(root, 'tsconfig.json')), include: ['*.ts'] }));
  const file = join(scratch, `${name}-${Date.now()}.ts`);
  const src = relative(scratch, join(root, 'src', 'index.js')).split('\\').join('/');
  writeFileSync(file, code.replaceAll(`from 'tempolite'`, `from '${src}'`).replaceAll(`'./${name}.db'`, JSON.stringify(database)));
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  try {
    await import(/* @vite-ignore */ pathToFileURL(file).href);
  } finally {
    spy.mockRestore();
    rmSync(file, { force: true });
  }
  return lines;
}

describe('README.md', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(() => cleanup?.());

  it('the quick start runs as written and prints the greeting and the run tree', async () => {
    const temp = tempDatabase();
    cleanup = temp.cleanup;
    const lines = await runBlock('quickstart', temp.file);
    expect(lines[0]).toMatch(/^Hello Ana, your lucky number is \d+$/);
    expect(lines[1]).toMatch(/^Run \S+ · completed\n└── Workflow welcome-ana · Greeter\.welcome · completed\n/);
    expect(lines[1]).toContain('SideEffect Greeter.luckyNumber#0 · completed');
    expect(lines[1]).toContain('Activity Greeter.greet#0 · completed · 1 attempt');
  });

  it('the dependency-injection example runs as written', async () => {
    const temp = tempDatabase();
    cleanup = temp.cleanup;
    const lines = await runBlock('di', temp.file);
    expect(lines).toEqual(['mail to ana@example.com: welcome!']);
  });

  it('the signals example runs as written: approved, rejected, and timed out on the test clock', async () => {
    const temp = tempDatabase();
    cleanup = temp.cleanup;
    const lines = await runBlock('waiting', temp.file);
    expect(lines).toEqual(['paid 120', 'rejected by bo', 'expired']);
  });

  it("the application-writes example runs as written: overlapping payments debit once each, on TypeORM's one connection", async () => {
    const temp = tempDatabase();
    cleanup = temp.cleanup;
    // A TypeORM better-sqlite3 DataSource: a SQLite file in either project.
    const lines = await runBlock('app-writes', join(temp.dir, 'app-writes.db'));
    expect(lines).toEqual(['balance 850, lowest seen 850']);
  });

  it('documents every export of src/index.ts', async () => {
    const api = await import('../../src/index.js');
    const source = readFileSync(join(root, 'src', 'index.ts'), 'utf8');
    const typeOnly = [...source.matchAll(/\btype\s+([A-Z]\w*)/g)].map((m) => m[1] ?? '');
    const exportTypeBlocks = [...source.matchAll(/export type \{([^}]*)\}/g)].flatMap((m) => (m[1] ?? '').split(',').map((s) => s.trim()));
    const names = new Set([...Object.keys(api), ...typeOnly, ...exportTypeBlocks].filter((n) => n.length > 0));
    const missing = [...names].filter((name) => !readme.includes(`\`${name}`));
    expect(missing).toEqual([]);
  });
});
