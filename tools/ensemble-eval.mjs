#!/usr/bin/env node
// Two ways of sharpening one sample without training, scored as `crys eval` scores (match, RMSE, RMS < 0.1,
// species-blind RMS < 0.1, same space group; one seed, one split):
//   --ensemble: at every sampler step the mean of several structure models' actions (the first model's sampler
//     settings; every model must use the same graph, e.g. two cutoff-graph runs at 5 Å);
//   --denoise-after MODEL: the first model's predictions, then MODEL (a denoiser) run from each prediction at each of
//     --levels, for 20 and 50 steps.
//
//   node tools/ensemble-eval.mjs --data data/perov_5/val.csv --split valid \
//     --ensemble perov_5,packages/model/training/perov_5-cutoff-fixed/snapshots/model-15000.json
//   node tools/ensemble-eval.mjs --data data/carbon_24/val.csv --split valid --ensemble carbon_24 \
//     --denoise-after carbon_24-denoise --levels 0.2,0.5,1
//
// Run after `pnpm build`. A prototype for docs/models.md ("Averaged weights, an ensemble and a denoiser"): nothing
// of it is offered by the CLI, since neither beat the shipped model.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
// the packages' builds, by path: tools/ is not a workspace package
import {
  evaluatePredictions,
  initModelBackend,
  predictRows,
  relaxMany,
  splitOf,
} from '../packages/model/dist/index.js';
import { loadModelFile, loadShippedModel, readDatasetFile } from '../packages/model/dist/node-index.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: 'data/perov_5/val.csv' },
    split: { type: 'string', default: 'valid' },
    seed: { type: 'string', default: '0' },
    ensemble: { type: 'string', default: 'perov_5' },
    'denoise-after': { type: 'string' },
    levels: { type: 'string', default: '0.2,0.5,1' },
    threads: { type: 'string', default: '1' },
  },
});
const load = (spec) => (existsSync(spec) ? loadModelFile(spec) : loadShippedModel(spec));
await initModelBackend('wasm', { threads: Number(args.threads) });
const specs = args.ensemble.split(',');
const models = specs.map(load);
const lead = models[0];
if (models.length > 1) {
  // The lead network's actions become the mean of every model's actions on the same states and graphs.
  const passes = models.map((m) => m.network.actions.bind(m.network));
  lead.network.actions = (states, graphs) => {
    const outs = passes.map((f) => f(states, graphs));
    const mean = (key) =>
      Float64Array.from(outs[0][key], (_, i) => outs.reduce((s, o) => s + o[key][i], 0) / outs.length);
    return { atoms: mean('atoms'), lattice: mean('lattice') };
  };
}
const rows = readDatasetFile(args.data).filter((r) => splitOf(r.id) === args.split);
const seed = Number(args.seed);
const predictions = [];
for (let i = 0; i < rows.length; i += 64) predictions.push(...predictRows(lead, rows.slice(i, i + 64), { seed }));
const pct = (x) => `${(100 * x).toFixed(2)} %`;
async function show(label, preds) {
  const r = await evaluatePredictions(lead, rows, preds);
  const m = r.match.after;
  console.log(
    `${label}: match ${pct(m.matchRate)}, RMSE ${m.rmse?.toFixed(4)}, RMS < 0.1 ${pct(m.tightMatchRate)}, ` +
      `species-blind ${pct(r.framework?.tightMatchRate ?? Number.NaN)}, space group ${pct(r.spaceGroup.after.rate)}`,
  );
}
await show(`${specs.join(' + ')} on the ${args.split} split, seed ${seed}`, predictions);
if (args['denoise-after']) {
  const denoiser = load(args['denoise-after']);
  for (const startLevel of args.levels.split(',').map(Number)) {
    for (const steps of [20, 50]) {
      const out = relaxMany(
        denoiser,
        predictions.map((p) => p.crystal),
        { startLevel, steps },
      );
      await show(
        `  then ${args['denoise-after']} from t = ${startLevel}, ${steps} steps`,
        predictions.map((p, i) => ({ ...p, crystal: out[i].crystal })),
      );
    }
  }
}
process.exit(0);
