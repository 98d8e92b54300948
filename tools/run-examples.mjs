#!/usr/bin/env node
// Runs every package's README example (examples/quickstart.ts) against the built packages, as a user would.
// Node 20 cannot run .ts directly, so each example is type-stripped with TypeScript's transpiler first.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let ran = 0;
for (const pkg of readdirSync(join(root, 'packages'))) {
  const file = join(root, 'packages', pkg, 'examples', 'quickstart.ts');
  if (!existsSync(file)) continue;
  const js = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const dir = mkdtempSync(join(root, 'packages', pkg, '.crys-tmp-example-'));
  const out = join(dir, 'quickstart.mjs');
  writeFileSync(out, js);
  try {
    process.stdout.write(`--- @crys/${pkg} examples/quickstart.ts\n`);
    execFileSync(process.execPath, [out], { stdio: 'inherit', cwd: join(root, 'packages', pkg) });
    ran++;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`examples: ${ran} passed, 0 failed`);
