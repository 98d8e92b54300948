import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changeOfCell, createCrystal, determinant, InvalidArgumentError, makeSupercell } from '@crys/lattice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetRows, SRTIO3, tinyModel, useBackend } from '../test/helpers.js';
import type { DatasetRow } from './data.js';
import { predictRows } from './evaluate.js';
import { type ActionModel, createModel, defaultModelConfig, disposeModel, loadModel } from './model.js';
import { rowProperty, trainToDirectory } from './node.js';
import { lowestProperty, predictProperty, propertyStats } from './property.js';
import { predictStructure } from './sampler.js';
import { predictRowsLowestProperty } from './select.js';
import { type TrainConfig, train } from './train.js';

let rows: DatasetRow[];
let trained: ActionModel;
let baseline: number;
let best: number;
const tmp = mkdtempSync(join(tmpdir(), 'crys-property-'));

const small: TrainConfig = {
  task: 'property',
  property: 'volume',
  seed: 3,
  batchSize: 16,
  maxSteps: 500,
  warmupSteps: 10,
  learningRate: 3e-3,
  validEvery: 50,
  checkpointEvery: 50,
  logEvery: 10,
  emaDecay: 0,
  network: { hidden: 16, layers: 2, rbf: 8, cutoff: 5, vectorChannels: 4, timeFeatures: 4, graph: 'cutoff' },
};

/** The property the small model learns: volume per atom (Å³), read from the geometry alone. */
const volume = (r: DatasetRow) => Math.abs(determinant(r.crystal.lattice)) / r.crystal.atomicNumbers.length;

beforeAll(async () => {
  await useBackend();
  rows = datasetRows('perov_5', 140);
  const train80 = rows.slice(0, 80);
  const valid = rows.slice(80, 120);
  const result = train(small, {
    train: train80.map((r) => r.crystal),
    valid: valid.map((r) => r.crystal),
    targets: { train: train80.map(volume), valid: valid.map(volume) },
  });
  trained = loadModel(result.best);
  disposeModel(result.model);
  best = result.bestLoss;
  // the validation loss of predicting the training mean (standardised units)
  const stats = propertyStats('volume', train80.map(volume));
  baseline = valid.reduce((a, r) => a + ((volume(r) - stats.mean) / stats.std) ** 2, 0) / valid.length;
}, 120_000);

afterAll(() => {
  disposeModel(trained);
  rmSync(tmp, { recursive: true, force: true });
});

describe('propertyStats', () => {
  it('gives the mean and the population spread, floored for a constant column', () => {
    expect(propertyStats('e', [0.5, 1.5])).toEqual({ name: 'e', mean: 1, std: 0.5 });
    expect(propertyStats('e', [2, 2]).std).toBe(1e-6);
    expect(() => propertyStats('e', [])).toThrowError(InvalidArgumentError);
    expect(() => propertyStats('e', [1, Number.NaN])).toThrowError(/values\[1\]/);
  });
});

describe('a property model', () => {
  it("learns its column (volume per atom here): the validation loss falls well below the training mean's", () => {
    expect(trained.config.task.kind).toBe('property');
    expect(trained.config.property?.name).toBe('volume');
    // measured: 0.34 against 0.70 (seed 3, 500 steps of 16 crystals)
    expect(best).toBeLessThan(0.6 * baseline);
  });

  it('predicts in the units of the column, from the crystals alone, the same in any frame or cell', () => {
    const crystals = rows.slice(80, 84).map((r) => r.crystal);
    const values = predictProperty(trained, crystals);
    expect(values.every(Number.isFinite)).toBe(true);
    const c = crystals[0];
    const n = c.atomicNumbers.length;
    // a rotation about z by 30°, the atoms in reverse order, shifted, then a 2×1×1 supercell and a change of cell
    const [cos, sin] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
    const rot = Float64Array.of(cos, sin, 0, -sin, cos, 0, 0, 0, 1);
    const lattice = new Float64Array(9);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        for (let k = 0; k < 3; k++) lattice[3 * i + j] += c.lattice[3 * i + k] * rot[3 * k + j];
    const order = Array.from({ length: n }, (_, i) => n - 1 - i);
    const moved = createCrystal({
      lattice,
      fracCoords: order.flatMap((i) => [0, 1, 2].map((d) => (c.fracCoords[3 * i + d] + 0.37 * (d + 1)) % 1)),
      atomicNumbers: order.map((i) => c.atomicNumbers[i]),
    });
    const bigger = makeSupercell(c, [2, 0, 0, 0, 1, 0, 0, 0, 1]);
    const recelled = changeOfCell(c, Int32Array.of(1, 1, 0, 0, 1, 0, 0, 0, 1));
    const [a, b, s, r] = predictProperty(trained, [c, moved, bigger, recelled]);
    for (const v of [b, s, r]) expect(Math.abs(v - a)).toBeLessThan(1e-4 * Math.max(1, Math.abs(a)));
    expect(a).toBeCloseTo(values[0], 4);
  });

  it('lowestProperty keeps the candidate it predicts lowest, the first on a tie', () => {
    const crystals = rows.slice(84, 90).map((r) => r.crystal);
    const { index, values } = lowestProperty(trained, crystals);
    expect(values[index]).toBe(Math.min(...values));
    expect(lowestProperty(trained, [crystals[0], crystals[0]]).index).toBe(0);
    expect(() => lowestProperty(trained, [])).toThrowError(InvalidArgumentError);
  });

  it('is refused where a crystal must move, and other models are refused where a property is read', () => {
    expect(() => predictStructure(trained, [38, 22, 8, 8, 8])).toThrowError(/is a property model/);
    const structure = tinyModel('structure', [8, 22, 38]);
    expect(() => predictProperty(structure, [SRTIO3])).toThrowError(/must be a property model/);
    disposeModel(structure);
  });

  it('ranks the samples of a structure model: each row keeps the sample it predicts lowest', async () => {
    const species = [...new Set(rows.flatMap((r) => [...r.crystal.atomicNumbers]))].sort((x, y) => x - y);
    const base = defaultModelConfig('structure', species, 'tiny');
    const structure = createModel(
      { ...base, network: { ...base.network, hidden: 16, layers: 1, vectorChannels: 4, rbf: 8 }, k: 8, steps: 4 },
      1,
    );
    const some = rows.slice(120, 124);
    const picked = await predictRowsLowestProperty(structure, trained, some, { seed: 2, candidates: 3 });
    const runs = [2, 3, 4].map((seed) => predictRows(structure, some, { seed }));
    some.forEach((_, i) => {
      const values = predictProperty(
        trained,
        runs.map((r) => r[i].crystal),
      );
      const lowest = values.indexOf(Math.min(...values));
      expect(picked[i].candidate).toBe(lowest);
      expect(picked[i].crystal).toEqual(runs[lowest][i].crystal);
    });
    await expect(predictRowsLowestProperty(structure, structure, some, { candidates: 2 })).rejects.toThrowError(
      /must be a property model/,
    );
    disposeModel(structure);
  });
});

describe('training configuration', () => {
  const tiny: TrainConfig = { ...small, property: 'heat_ref', maxSteps: 2, validEvery: 1, checkpointEvery: 1 };
  const data = () => ({ train: rows.slice(0, 4).map((r) => r.crystal), valid: rows.slice(4, 6).map((r) => r.crystal) });

  it('names the column, needs one finite value per crystal, and applies to the property task only', () => {
    expect(() => train({ ...tiny, property: undefined }, data())).toThrowError(/config\.property/);
    expect(() => train(tiny, data())).toThrowError(/data\.targets/);
    expect(() => train(tiny, { ...data(), targets: { train: [1, 2, 3], valid: [1, 2] } })).toThrowError(
      /data\.targets\.train must hold one value per train crystal \(4\), got 3/,
    );
    expect(() => train(tiny, { ...data(), targets: { train: [1, 2, 3, Number.NaN], valid: [1, 2] } })).toThrowError(
      /data\.targets\.train\[3\]/,
    );
    expect(() => train({ ...tiny, task: 'denoise' }, data())).toThrowError(
      /config\.property applies to the property task only/,
    );
  });

  it('trainToDirectory reads the column from the rows and names a row whose value is missing', () => {
    const some = rows.slice(0, 40);
    const run = trainToDirectory({ dataset: some, out: join(tmp, 'ok'), config: tiny });
    expect(run.best.config.property?.name).toBe('heat_ref');
    const broken = some.map((r, i) => (i === 7 ? { ...r, properties: { ...r.properties, heat_ref: 'n/a' } } : r));
    expect(() => trainToDirectory({ dataset: broken, out: join(tmp, 'bad'), config: tiny })).toThrowError(
      new RegExp(`row ${some[7].id} is not a finite number: "n/a"`),
    );
    disposeModel(run.model);
  });

  it('rowProperty reads numbers and numeric text', () => {
    const r: DatasetRow = { id: 'x', crystal: SRTIO3, properties: { a: 1.5, b: ' 2.5 ', c: '' } };
    expect(rowProperty(r, 'a', 'f')).toBe(1.5);
    expect(rowProperty(r, 'b', 'f')).toBe(2.5);
    expect(() => rowProperty(r, 'c', 'f')).toThrowError(/not a finite number/);
    expect(() => rowProperty(r, 'd', 'f')).toThrowError(/which row x does not have \(its columns: a, b, c\)/);
  });
});
