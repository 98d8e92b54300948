import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { datasetRows, useBackend } from '../test/helpers.js';
import { modelGraph, type NetworkState } from './batch.js';
import { elementDescriptors } from './descriptors.js';
import { createModel, defaultModelConfig, disposeModel, loadModel, type ModelConfig, modelToJson } from './model.js';

beforeAll(async () => {
  await useBackend();
});

describe('elementDescriptors', () => {
  test('period, group and block of every kind of element', () => {
    // H, O, Na, Sc, Ga, Sr, La, Ce, Lu, Hf, Au, Pb, Rn
    const zs = [1, 8, 11, 21, 31, 38, 57, 58, 71, 72, 79, 82, 86];
    const d = elementDescriptors(zs);
    expect(d.names).toEqual([
      'covalent radius',
      'electronegativity',
      'period',
      'group',
      'highest oxidation state',
      'lowest oxidation state',
      's block',
      'p block',
      'd block',
      'f block',
    ]);
    const period = [1, 2, 3, 4, 4, 5, 6, 6, 6, 6, 6, 6, 6];
    const group = [1, 16, 1, 3, 13, 2, 3, 3, 3, 4, 11, 14, 18];
    const block = ['s', 'p', 's', 'd', 'p', 's', 'd', 'f', 'd', 'd', 'd', 'p', 'p'];
    // standardised columns: undo with the sample mean and spread of the raw values
    const unstandardise = (raw: number[], col: number) => {
      const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
      const spread = Math.sqrt(raw.reduce((a, v) => a + (v - mean) ** 2, 0) / raw.length);
      return d.values.map((r) => r[col] * spread + mean);
    };
    for (const [i, v] of unstandardise(period, 2).entries()) expect(v).toBeCloseTo(period[i], 9);
    for (const [i, v] of unstandardise(group, 3).entries()) expect(v).toBeCloseTo(group[i], 9);
    for (const [i, r] of d.values.entries())
      expect(r.slice(6)).toEqual(['s', 'p', 'd', 'f'].map((b) => (b === block[i] ? 1 : 0)));
    for (const r of d.values) for (const v of r) expect(Number.isFinite(v)).toBe(true);
    // each continuous column has mean 0 and spread 1 over the species
    for (let c = 0; c < 6; c++) {
      const col = d.values.map((r) => r[c]);
      expect(col.reduce((a, b) => a + b, 0) / col.length).toBeCloseTo(0, 9);
    }
  });

  test('an element without electronegativity takes the mean; bad input is refused', () => {
    const d = elementDescriptors([2, 8, 9]); // He has no Pauling electronegativity
    expect(d.values[0][1]).toBe(0);
    expect(() => elementDescriptors([])).toThrow(/species/);
    expect(() => elementDescriptors([0])).toThrow();
  });
});

describe('a model with element descriptors', () => {
  const first = datasetRows('perov_5', 1)[0].crystal;
  const species = [...new Set(first.atomicNumbers)].sort((x, y) => x - y);
  const config = (): ModelConfig => {
    const base = defaultModelConfig('structure', species, 'd');
    return {
      ...base,
      network: {
        ...base.network,
        hidden: 16,
        layers: 2,
        rbf: 8,
        vectorChannels: 4,
        timeFeatures: 4,
        descriptors: true,
      },
      descriptors: elementDescriptors(species),
    };
  };
  const states = (): NetworkState[] => {
    const idx = Int32Array.from(first.atomicNumbers, (z) => species.indexOf(z));
    return [{ lattice: first.lattice, frac: first.fracCoords, atomicNumbers: idx, level: 0.4 }];
  };

  test('the embedding starts from the projected descriptors, and the compiled pass equals the tfjs pass', () => {
    const model = createModel(config(), 3);
    try {
      const names = [...model.weights.keys()];
      expect(names.slice(0, 2)).toEqual(['embedding/table', 'embedding/projection']);
      expect(model.weights.get('embedding/projection')?.shape).toEqual([10, 16]);
      expect(Math.max(...(model.weights.get('embedding/table') as tf.Variable).dataSync().map(Math.abs))).toBe(0);
      const s = states();
      const graphs = s.map((x) => modelGraph(x.lattice, x.frac, model.config.k));
      model.network.inference = 'tfjs';
      const tfjs = model.network.actions(s, graphs);
      model.network.inference = 'compiled';
      const compiled = model.network.actions(s, graphs);
      const scale = Math.max(1, ...Array.from(tfjs.atoms, Math.abs));
      for (let i = 0; i < tfjs.atoms.length; i++)
        expect(Math.abs(compiled.atoms[i] - tfjs.atoms[i])).toBeLessThan(2e-5 * scale);
      expect(Math.max(...Array.from(tfjs.atoms, Math.abs))).toBeGreaterThan(1e-4);
    } finally {
      disposeModel(model);
    }
  });

  test('the descriptors change the actions, and a saved model reloads with the descriptors it was made with', () => {
    const a = createModel(config(), 3);
    const c = config();
    const shifted: ModelConfig = {
      ...c,
      descriptors: {
        names: c.descriptors?.names ?? [],
        values: (c.descriptors?.values ?? []).map((r) => r.map((v) => v + 1)),
      },
    };
    const b = createModel(shifted, 3);
    try {
      const s = states();
      const graphs = s.map((x) => modelGraph(x.lattice, x.frac, a.config.k));
      const x = a.network.actions(s, graphs).atoms;
      const y = b.network.actions(s, graphs).atoms;
      expect(Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i])))).toBeGreaterThan(1e-5);
      const copy = loadModel(JSON.stringify(modelToJson(b)));
      try {
        expect(copy.config.descriptors).toEqual(shifted.descriptors);
        const z = copy.network.actions(s, graphs).atoms;
        expect(Array.from(z)).toEqual(Array.from(y));
      } finally {
        disposeModel(copy);
      }
    } finally {
      disposeModel(a);
      disposeModel(b);
    }
  });

  test('network.descriptors without one row per species is refused', () => {
    const c = config();
    expect(() => createModel({ ...c, descriptors: undefined }, 0)).toThrow(/descriptors/);
    expect(() =>
      createModel({ ...c, descriptors: { names: c.descriptors?.names ?? [], values: [[1, 2]] } }, 0),
    ).toThrow(/descriptors/);
  });
});
