import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The crys repository the CLI was built in (the folder holding pnpm-workspace.yaml above this file), or
 * `undefined` when the CLI runs outside it. Built-in data (data/perov_5/val.csv, …) lives there.
 */
export function repoRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml')) && existsSync(join(dir, 'data'))) return dir;
    const up = resolve(dir, '..');
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Path of a built-in dataset (`perov_5`, `carbon_24`) split, or `undefined` when not available. */
export function builtinDataset(name: string, split = 'val'): string | undefined {
  const root = repoRoot();
  if (!root) return undefined;
  const file = join(root, 'data', name, `${split}.csv`);
  return existsSync(file) ? file : undefined;
}
