import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './cli-errors.js';

/**
 * Loads the application's payload codec from a JavaScript module file
 * (`--codec`): its `codec` export, else its default export. Without it the CLI
 * could not read payloads written through a custom codec (e.g. encrypting) or
 * a `SuperJsonCodec` with registered classes. The engine checks the value's
 * shape when it starts (an `InvalidOptionsError`, exit code 2).
 * @throws UsageError when the module cannot be loaded or exports neither
 */
export async function loadCodec(file: string): Promise<unknown> {
  let exported: Record<string, unknown>;
  try {
    exported = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--codec ${file}: cannot load the module (${error instanceof Error ? error.message : String(error)})`);
  }
  const codec = exported.codec ?? exported.default;
  if (codec === undefined) throw new UsageError(`--codec ${file}: the module exports neither "codec" nor a default export`);
  return codec;
}
