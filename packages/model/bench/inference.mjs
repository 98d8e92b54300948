#!/usr/bin/env node
// Inference speed of the action network's two forward passes on the shipped perov_5 model: `compiled` (the
// network compiled by @crys/egnn's compileInference, what relax and predict use) and `tfjs` (the tensor pass,
// `model.network.inference = 'tfjs'`). Cases: one forward pass and one relax step of a single SrTiO3 crystal, a
// 100-step relax of it, and predictRows on 100 Perov-5 compositions from random starts (the model's 100 steps),
// in batches of 64 as `crys predict --data` runs them and one crystal at a time. The passes alternate within each
// of ROUNDS rounds (default 3), and every figure is the median of its rounds. Needs the built package (`pnpm build`).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCrystal, latticeFromParameters } from '@crys/lattice';
import { initModelBackend, predictRows, readDataset, relax } from '@crys/model';
import { modelGraph } from '@crys/model/internal';
import { loadShippedModel } from '@crys/model/node';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const rounds = Number(process.env.ROUNDS ?? 3);
const backend = await initModelBackend();
console.log(`@crys/model inference bench: backend ${backend}, ${rounds} rounds (median)`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Median ms of `reps` calls after `warmup` calls (V8 optimises only after a few hundred small calls). */
function time(f, reps, warmup) {
  for (let i = 0; i < warmup; i++) f();
  const t = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return median(t);
}

const model = loadShippedModel('perov_5');
const srtio3 = createCrystal({
  lattice: latticeFromParameters(3.905, 3.905, 3.905, 90, 90, 90),
  fracCoords: [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5],
  atomicNumbers: [38, 22, 8, 8, 8],
});
const state = { lattice: srtio3.lattice, frac: srtio3.fracCoords, atomicNumbers: srtio3.atomicNumbers, level: 0.3 };
const graph = modelGraph(state.lattice, state.frac, model.config.k);
const rows = readDataset(readFileSync(join(root, 'data', 'perov_5', 'val.csv'), 'utf8'), 'perov_5', 100);

const cases = {
  'SrTiO3: forward pass (ms)': () => time(() => model.network.actions([state], [graph]), 1000, 300),
  'SrTiO3: relax, 1 step (ms)': () => time(() => relax(model, srtio3, { steps: 1, startLevel: 0.3 }), 500, 300),
  'SrTiO3: relax, 100 steps (ms per step)': () =>
    time(() => relax(model, srtio3, { steps: 100, startLevel: 0.3 }), 10, 3) / 100,
  'predictRows, 100 compositions, batches of 64 (structures/s)': () => {
    const t0 = performance.now();
    for (let s = 0; s < rows.length; s += 64) predictRows(model, rows.slice(s, s + 64), { seed: 0 });
    return rows.length / ((performance.now() - t0) / 1000);
  },
  'predictRows, 100 compositions, one at a time (structures/s)': () => {
    const t0 = performance.now();
    for (const r of rows) predictRows(model, [r], { seed: 0 });
    return rows.length / ((performance.now() - t0) / 1000);
  },
};

predictRows(model, rows.slice(0, 4), { seed: 0 }); // compile, warm up
const results = Object.fromEntries(Object.keys(cases).map((name) => [name, { tfjs: [], compiled: [] }]));
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of Object.entries(cases)) {
    for (const pass of ['tfjs', 'compiled']) {
      model.network.inference = pass;
      results[name][pass].push(run());
    }
  }
}
console.log(`SrTiO3 graph: ${graph.src.length} edges; ${rows.length} rows, ${model.config.steps} steps each\n`);
console.log('| case | tfjs pass | compiled pass | compiled / tfjs |');
console.log('| --- | --- | --- | --- |');
for (const [name, { tfjs, compiled }] of Object.entries(results)) {
  const a = median(tfjs);
  const b = median(compiled);
  console.log(`| ${name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)} |`);
}
