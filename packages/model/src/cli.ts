#!/usr/bin/env node
// crys-model: train, predict and evaluate action models from the command line (Node only).
//   node packages/model/dist/cli.js train --dataset data/perov_5/val.csv --task structure --out DIR [--max-minutes 45] [--seed 0] [--resume]
//   node packages/model/dist/cli.js predict --model perov_5|FILE --dataset CSV --out CSV [--split holdout] [--seed 0] [--steps N]
//   node packages/model/dist/cli.js evaluate --model perov_5|FILE --dataset CSV [--split holdout] [--seed 0] [--steps N] [--json OUT]
import { initModelBackend } from './backend.js';
import { runCommand } from './commands.js';

const [command, ...rest] = process.argv.slice(2);
const args: Record<string, string | boolean> = {};
for (let i = 0; i < rest.length; i++) {
  const a = rest[i];
  if (!a.startsWith('--')) continue;
  const key = a.slice(2);
  const next = rest[i + 1];
  if (next === undefined || next.startsWith('--')) args[key] = true;
  else {
    args[key] = next;
    i++;
  }
}
const backend = await initModelBackend(args.backend === 'cpu' ? 'cpu' : 'wasm');
try {
  await runCommand(command ?? 'help', args, backend);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
}
