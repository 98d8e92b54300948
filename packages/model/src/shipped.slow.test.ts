import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetRows, useBackend } from '../test/helpers.js';
import { splitOf } from './data.js';
import { evaluatePredictions, predictRows, trainingMeans } from './evaluate.js';
import { loadShippedModel } from './node.js';
import { propertyReport } from './property.js';
import { predictRowsLowestProperty, predictRowsMostSymmetric } from './select.js';
import { SHIPPED_MODEL_NAMES } from './shipped.js';

// Whole-holdout evaluation of every shipped model: the scores must equal the ones recorded in
// models/<name>/eval.json (and quoted in docs/models.md), since inference is deterministic for a seed.
const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * Every number of `actual` equals the recorded one to 5e-7 (float32 kernels may reorder sums; one different match
 * moves a rate by 1/404 or 1/216), every other leaf is identical, and no key is missing or added.
 */
function expectRecorded(actual: unknown, recorded: unknown, path: string): void {
  if (typeof recorded === 'number' && typeof actual === 'number') {
    expect(actual, path).toBeCloseTo(recorded, 6);
  } else if (recorded !== null && typeof recorded === 'object') {
    expect(actual, path).toBeTypeOf('object');
    const a = actual as Record<string, unknown>;
    const r = recorded as Record<string, unknown>;
    expect(Object.keys(a).sort(), path).toEqual(Object.keys(r).sort());
    for (const k of Object.keys(r)) expectRecorded(a[k], r[k], `${path}.${k}`);
  } else {
    expect(actual, path).toEqual(recorded);
  }
}

/** The keys of each task's report: every one of them is compared with the record below. */
const REPORT_KEYS = {
  structure: ['task', 'match', 'validity', 'spaceGroup', 'control', 'framework'],
  denoise: ['task', 'match', 'validity', 'lattice', 'positionError', 'spaceGroup'],
  lattice: [
    'task',
    'match',
    'validity',
    'lattice',
    'meanBaseline',
    'spaceGroup',
    'latticeNiggli',
    'meanBaselineNiggli',
  ],
};

beforeAll(async () => {
  await useBackend();
});

/** The sampler and selection settings a recorded `crys eval --candidates k` ran with. */
function selectionOptions(recorded: Record<string, number>) {
  return {
    seed: recorded.seed,
    steps: recorded.steps,
    correctorSteps: recorded.correctorSteps,
    correctorScale: recorded.correctorScale,
    candidates: recorded.candidates,
  };
}

describe('shipped models reproduce their documented holdout scores', () => {
  for (const name of SHIPPED_MODEL_NAMES) {
    const evalPath = join(here, '..', 'models', name, 'eval.json');
    it.runIf(existsSync(evalPath))(`${name}: evaluate(holdout) equals models/${name}/eval.json`, async () => {
      const recorded = JSON.parse(readFileSync(evalPath, 'utf8'));
      const model = loadShippedModel(name);
      const dataset = name.startsWith('perov_5') ? 'perov_5' : 'carbon_24';
      const all = datasetRows(dataset);
      const rows = all.filter((r) => splitOf(r.id) === 'holdout');
      if (model.config.task.kind === 'property') {
        // `crys eval --model <name>-energy --split holdout --json eval.json`: MAE and RMSE beside the mean's
        const report = propertyReport(model, rows);
        for (const [key, value] of Object.entries(report)) expectRecorded(value, recorded[key], key);
        return;
      }
      const predictions = predictRows(model, rows, {
        seed: recorded.seed,
        steps: recorded.steps,
        startLevel: recorded.startLevel,
        eta: recorded.eta,
        moveLattice: recorded.moveLattice,
        // recorded since the sampler gained them; older files ran without them (the model's defaults, 0)
        refineSteps: recorded.refineSteps,
        correctorSteps: recorded.correctorSteps,
        correctorScale: recorded.correctorScale,
      });
      // as `crys eval`: the lattice-recovery baselines are the means of the file's train split
      const means = trainingMeans(all.filter((r) => splitOf(r.id) === 'train').map((r) => r.crystal));
      const report = await evaluatePredictions(model, rows, predictions, means);
      expect(rows.length).toBe(recorded.rows);
      // the whole report: match (with the tight rates), validity, lattice, baseline, position error, space
      // groups and, for structure prediction, the random-start control
      for (const [key, value] of Object.entries(report)) expectRecorded(value, recorded[key], key);
      expect(Object.keys(report)).toEqual(REPORT_KEYS[model.config.task.kind]);
      expect(report.spaceGroup.after.total).toBe(rows.length);
    });
  }
});

describe('the selection among samples reproduces its documented holdout scores', () => {
  // `crys eval --model perov_5 --candidates 3 --json models/perov_5/eval-candidates-3.json`: reported apart from the
  // one-sample model in docs/results.md
  const evalPath = join(here, '..', 'models', 'perov_5', 'eval-candidates-3.json');
  it.runIf(existsSync(evalPath))('perov_5: most symmetric of 3 (holdout) equals eval-candidates-3.json', async () => {
    const recorded = JSON.parse(readFileSync(evalPath, 'utf8'));
    expect(recorded.candidates).toBe(3);
    const model = loadShippedModel('perov_5');
    const rows = datasetRows('perov_5').filter((r) => splitOf(r.id) === 'holdout');
    const predictions = await predictRowsMostSymmetric(model, rows, selectionOptions(recorded));
    const report = await evaluatePredictions(model, rows, predictions);
    expect(rows.length).toBe(recorded.rows);
    for (const [key, value] of Object.entries(report)) expectRecorded(value, recorded[key], key);
  });
});

describe('the ranking by a property model reproduces its documented holdout scores', () => {
  // `crys eval --model <name> --candidates k --rank-by <name>-energy --json models/<name>/eval-rank-energy-<k>.json`
  for (const name of ['perov_5', 'carbon_24'] as const) {
    const dir = join(here, '..', 'models', name);
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^eval-rank-energy-\d+\.json$/.test(f)) : [];
    for (const file of files) {
      it(`${name}: the lowest predicted energy of k samples (holdout) equals ${file}`, async () => {
        const recorded = JSON.parse(readFileSync(join(dir, file), 'utf8'));
        expect(recorded.rankBy).toBe(`${name}-energy`);
        const model = loadShippedModel(name);
        const rows = datasetRows(name).filter((r) => splitOf(r.id) === 'holdout');
        const energy = loadShippedModel(`${name}-energy`);
        const predictions = await predictRowsLowestProperty(model, energy, rows, selectionOptions(recorded));
        const report = await evaluatePredictions(model, rows, predictions);
        expect(rows.length).toBe(recorded.rows);
        for (const [key, value] of Object.entries(report)) expectRecorded(value, recorded[key], key);
      });
    }
  }
});
