#!/usr/bin/env node
// Records the domain of every shipped model (packages/model/models/*/model.json): the elements, atoms per cell and
// volume per atom of its training split, its task and dataset, as `crys train` records them for new runs
// (`modelDomain` of @crys/model). The dataset is the one named in the model's `config.meta.dataset` (relative to
// the repository root), split as training splits it (FNV-1a of material_id, buckets 0–7).
//
//   node tools/model-domain.mjs            write `config.domain` into every shipped model.json that lacks it or differs
//   node tools/model-domain.mjs --check    write nothing; exit 1 when a model's recorded domain is missing or stale
//   node tools/model-domain.mjs perov_5    only the named models
//
// Idempotent: a model whose domain is already right is left byte for byte as it is, and only `config.domain` of the
// others changes (everything else round-trips unchanged). Run it again after replacing a shipped model.json with
// one written before domains were recorded. Reads the TypeScript sources directly (no build needed).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

register('./ts-source/hooks.mjs', import.meta.url);
const { modelDomain } = await import('../packages/model/src/domain.ts');
const { readDataset, splitDataset } = await import('../packages/model/src/data.ts');
const { writeFileAtomicSync } = await import('../packages/io/src/node.ts');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, 'packages', 'model', 'models');
const args = process.argv.slice(2);
const check = args.includes('--check');
const names = args.filter((a) => !a.startsWith('-'));
const all = readdirSync(modelsDir).filter((d) => existsSync(join(modelsDir, d, 'model.json')));
for (const n of names) {
  if (!all.includes(n)) {
    console.error(`model-domain: no shipped model '${n}' (have ${all.join(', ')})`);
    process.exit(2);
  }
}

const datasets = new Map();
let stale = 0;
for (const name of names.length > 0 ? names : all) {
  const file = join(modelsDir, name, 'model.json');
  const text = readFileSync(file, 'utf8');
  const doc = JSON.parse(text);
  const dataset = doc.config.meta?.dataset;
  if (typeof dataset !== 'string') {
    console.error(`model-domain: ${name}: config.meta.dataset is not recorded; cannot derive its domain`);
    process.exit(1);
  }
  if (!datasets.has(dataset)) {
    const rows = readDataset(readFileSync(join(root, dataset), 'utf8'), dataset);
    datasets.set(
      dataset,
      splitDataset(rows).train.map((r) => r.crystal),
    );
  }
  const domain = modelDomain(datasets.get(dataset), { task: doc.config.task.kind, dataset });
  const { domain: before, ...rest } = doc.config;
  if (JSON.stringify(before) === JSON.stringify(domain)) {
    console.log(`${name}: domain up to date`);
    continue;
  }
  stale++;
  const summary = `${domain.crystals} training crystals of ${dataset}, ${domain.elements.length} elements, ${domain.atoms.min}–${domain.atoms.max} atoms, ${domain.volumePerAtom.min.toFixed(2)}–${domain.volumePerAtom.max.toFixed(2)} Å³ per atom`;
  if (check) {
    console.log(`${name}: domain ${before ? 'stale' : 'missing'} (${summary})`);
    continue;
  }
  // `domain` goes after the other config fields; everything else keeps its order and its number spelling.
  writeFileAtomicSync(file, JSON.stringify({ ...doc, config: { ...rest, domain } }));
  console.log(`${name}: wrote domain (${summary})`);
}
if (check && stale > 0) process.exit(1);
