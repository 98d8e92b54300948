#!/usr/bin/env node
// Selection among k samples per composition, measured: the structure model's predictions for seeds 0 … K−1 on one
// split (cached per seed), then for k = 1, 2, 4, … ≤ K the sample kept by each rule (the first seed; the most
// symmetric, as `crys eval --candidates k`; the lowest property by a property model, as `--rank-by`), each scored
// like `crys eval` scores (match, RMSE, RMS < 0.1, species-blind RMS < 0.1, same space group). The random-start
// control is not repeated here: `crys eval` prints it beside every recorded figure.
//
//   node tools/rank-sweep.mjs --model perov_5 --data data/perov_5/val.csv --split valid --seeds 8 \
//     --rank-by packages/model/training/perov_5-energy --cache /tmp/perov-valid
//
// Run after `pnpm build`. The cache holds one JSON file per seed (the predicted crystals), so a second run (another
// property model, more seeds) reuses the samples already drawn.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
// the packages' builds, by path: tools/ is not a workspace package
import { createCrystal } from '../packages/lattice/dist/index.js';
import {
  evaluatePredictions,
  initModelBackend,
  mostSymmetric,
  predictProperty,
  predictRows,
  splitOf,
} from '../packages/model/dist/index.js';
import { loadModelFile, loadShippedModel, readDatasetFile } from '../packages/model/dist/node-index.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'perov_5' },
    data: { type: 'string', default: 'data/perov_5/val.csv' },
    split: { type: 'string', default: 'valid' },
    seeds: { type: 'string', default: '8' },
    'rank-by': { type: 'string' },
    cache: { type: 'string' },
    threads: { type: 'string', default: '2' },
  },
});
const load = (spec) => (existsSync(spec) ? loadModelFile(spec) : loadShippedModel(spec));
await initModelBackend('wasm', { threads: Number(args.threads) });
const model = load(args.model);
const energy = args['rank-by'] ? load(args['rank-by']) : undefined;
const rows = readDatasetFile(args.data).filter((r) => splitOf(r.id) === args.split);
const K = Number(args.seeds);
if (args.cache) mkdirSync(args.cache, { recursive: true });

/** The predictions of one seed, from the cache when it has them. */
function samples(seed) {
  const file = args.cache ? join(args.cache, `seed-${seed}.json`) : undefined;
  if (file && existsSync(file)) {
    return JSON.parse(readFileSync(file, 'utf8')).map((c) =>
      createCrystal({ lattice: c.lattice, fracCoords: c.frac, atomicNumbers: c.z }),
    );
  }
  const t = performance.now();
  const out = [];
  for (let i = 0; i < rows.length; i += 64) out.push(...predictRows(model, rows.slice(i, i + 64), { seed }));
  const crystals = out.map((p) => p.crystal);
  console.error(`seed ${seed}: ${rows.length} predictions in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  if (file) {
    const json = crystals.map((c) => ({
      lattice: Array.from(c.lattice),
      frac: Array.from(c.fracCoords),
      z: Array.from(c.atomicNumbers),
    }));
    writeFileSync(file, JSON.stringify(json));
  }
  return crystals;
}

const runs = [];
for (let s = 0; s < K; s++) runs.push(samples(s));
const energies = energy ? runs.map((r) => predictProperty(energy, r)) : undefined;
const symmetry = [];
for (let i = 0; i < rows.length; i++) {
  symmetry.push((await mostSymmetric(runs.map((r) => r[i]))).operations);
}

async function score(pick) {
  const preds = rows.map((r, i) => {
    const c = runs[pick(i)][i];
    return { id: r.id, start: c, crystal: c };
  });
  const report = await evaluatePredictions(model, rows, preds);
  const blind = report.framework;
  const pct = (x) => `${(100 * x).toFixed(1)} %`;
  return [
    pct(report.match.after.matchRate),
    report.match.after.rmse?.toFixed(4) ?? '–',
    pct(report.match.after.tightMatchRate),
    pct(blind.tightMatchRate),
    pct(report.spaceGroup.after.rate),
  ];
}

const argmin = (xs) => xs.indexOf(Math.min(...xs));
const argmaxFirst = (xs) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);
console.log(`${args.model} on the ${args.split} split of ${args.data} (${rows.length} rows), seeds 0–${K - 1}`);
console.log('| k | rule | match | RMSE | RMS < 0.1 | species-blind RMS < 0.1 | space group |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
console.log(`| 1 | seed 0 | ${(await score(() => 0)).join(' | ')} |`);
for (let k = 2; k <= K; k *= 2) {
  console.log(`| ${k} | most symmetric | ${(await score((i) => argmaxFirst(symmetry[i].slice(0, k)))).join(' | ')} |`);
  if (energies) {
    const rule = `lowest ${energy.config.property?.name ?? 'property'}`;
    const pick = (i) => argmin(energies.slice(0, k).map((e) => e[i]));
    console.log(`| ${k} | ${rule} | ${(await score(pick)).join(' | ')} |`);
  }
}
