import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetRows, useBackend } from '../test/helpers.js';
import { splitOf } from './data.js';
import { evaluatePredictions, predictRows } from './evaluate.js';
import { loadShippedModel } from './node.js';
import { SHIPPED_MODEL_NAMES } from './shipped.js';

// Whole-holdout evaluation of every shipped model: the scores must equal the ones recorded in
// models/<name>/eval.json (and quoted in docs/models.md), since inference is deterministic for a seed.
const here = fileURLToPath(new URL('.', import.meta.url));

beforeAll(async () => {
  await useBackend();
});

describe('shipped models reproduce their documented holdout scores', () => {
  for (const name of SHIPPED_MODEL_NAMES) {
    const evalPath = join(here, '..', 'models', name, 'eval.json');
    it.runIf(existsSync(evalPath))(`${name}: evaluate(holdout) equals models/${name}/eval.json`, () => {
      const recorded = JSON.parse(readFileSync(evalPath, 'utf8'));
      const model = loadShippedModel(name);
      const dataset = name.startsWith('perov_5') ? 'perov_5' : 'carbon_24';
      const all = datasetRows(dataset);
      const rows = all.filter((r) => splitOf(r.id) === 'holdout');
      const predictions = predictRows(model, rows, {
        seed: recorded.seed,
        steps: recorded.steps,
        startLevel: recorded.startLevel,
        eta: recorded.eta,
        moveLattice: recorded.moveLattice,
      });
      const report = evaluatePredictions(model, rows, predictions) as { match: { after: { matchRate: number } } };
      expect(rows.length).toBe(recorded.rows);
      expect(report.match.after.matchRate).toBeCloseTo(recorded.match.after.matchRate, 6);
    });
  }
});
