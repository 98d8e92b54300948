import { type Crystal, createCrystal, createRng, makeSupercell, multiply } from '@crys/lattice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetRows, useBackend } from '../test/helpers.js';
import { modelGraph } from './batch.js';
import {
  type ActionModel,
  createModel,
  defaultModelConfig,
  disposeModel,
  fromBase64,
  loadModel,
  type ModelConfig,
  modelGraphSpec,
  modelToJson,
  parameterCount,
  toBase64,
} from './model.js';
import type { NetworkActions } from './network.js';
import { predictStructure, relax } from './sampler.js';

// float32 tolerance of the equivariance checks: outputs are O(0.1–1); rounding of edge vectors and of
// 4 rounds of 16-wide sums stays below 1e-4 relative.
const TOL = 2e-4;

let model: ActionModel;
/** The same tiny network on the radius graph with envelope-weighted averages (`network.graph: 'cutoff'`). */
let cutoffModel: ActionModel;
let crystals: Crystal[];

function tinyConfig(species: number[]): ModelConfig {
  const base = defaultModelConfig('structure', species, 'tiny');
  return { ...base, network: { ...base.network, hidden: 16, layers: 2, vectorChannels: 4, rbf: 16 }, k: 8 };
}

function tinyCutoffConfig(species: number[]): ModelConfig {
  const base = tinyConfig(species);
  return { ...base, network: { ...base.network, graph: 'cutoff', cutoff: 5 } };
}

beforeAll(async () => {
  await useBackend();
  const perov = datasetRows('perov_5', 3).map((r) => r.crystal);
  const carbon = datasetRows('carbon_24', 2).map((r) => r.crystal);
  // jitter so no exact symmetry hides an error
  const rng = createRng(3);
  crystals = [...perov, ...carbon].map((c) =>
    createCrystal({
      lattice: c.lattice,
      fracCoords: Float64Array.from(c.fracCoords, (x) => x + 0.02 * (rng.next() - 0.5)),
      atomicNumbers: c.atomicNumbers,
    }),
  );
  const species = [...new Set(crystals.flatMap((c) => [...c.atomicNumbers]))].sort((a, b) => a - b);
  model = createModel(tinyConfig(species), 7);
  cutoffModel = createModel(tinyCutoffConfig(species), 7);
});

/** The k-nearest tiny model (the suite below shadows the name). */
const outer = (): ActionModel => model;

/** The network's actions on one crystal, by the model's current pass (`network.inference`). */
function outputs(m: ActionModel, c: Crystal, level = 0.4): NetworkActions {
  const state = { lattice: c.lattice, frac: c.fracCoords, atomicNumbers: c.atomicNumbers, level };
  return m.network.actions([state], [modelGraph(c.lattice, c.fracCoords, modelGraphSpec(m.config))]);
}

function randomRotation(seed: number): Float64Array {
  const rng = createRng(seed);
  const q = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
  const n = Math.hypot(...q);
  const [w, x, y, z] = q.map((v) => v / n);
  return Float64Array.of(
    1 - 2 * (y * y + z * z),
    2 * (x * y - z * w),
    2 * (x * z + y * w),
    2 * (x * y + z * w),
    1 - 2 * (x * x + z * z),
    2 * (y * z - x * w),
    2 * (x * z - y * w),
    2 * (y * z + x * w),
    1 - 2 * (x * x + y * y),
  );
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol = TOL): void {
  expect(a.length).toBe(b.length);
  let scale = 1e-3;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(tol * scale);
}

describe.each([
  ['tfjs', 'knn'],
  ['compiled', 'knn'],
  ['tfjs', 'cutoff'],
  ['compiled', 'cutoff'],
] as const)('action network equivariance (whole model, %s pass, %s graph)', (pass, graph) => {
  let model: ActionModel;
  beforeAll(() => {
    model = graph === 'cutoff' ? cutoffModel : outer();
    model.network.inference = pass;
  });
  afterAll(() => {
    model.network.inference = 'compiled';
  });

  it('the network is invariant (atoms, fractional) and covariant (lattice: QᵀAQ) under rotating the Cartesian frame', () => {
    for (const [i, c] of crystals.entries()) {
      const q = randomRotation(i + 1);
      const rotated = createCrystal({
        lattice: multiply(new Float64Array(9), c.lattice, q),
        fracCoords: c.fracCoords,
        atomicNumbers: c.atomicNumbers,
      });
      const a = outputs(model, c),
        b = outputs(model, rotated);
      expectClose(b.atoms, a.atoms);
      // Qᵀ A Q
      const qt = Float64Array.of(q[0], q[3], q[6], q[1], q[4], q[7], q[2], q[5], q[8]);
      const expected = multiply(new Float64Array(9), multiply(new Float64Array(9), qt, a.lattice), q);
      expectClose(b.lattice, expected);
    }
  });

  it('the network follows a permutation of the atoms', () => {
    for (const c of crystals) {
      const n = c.atomicNumbers.length;
      const perm = Array.from({ length: n }, (_, i) => (i * 3 + 1) % n);
      if (new Set(perm).size !== n) perm.reverse();
      const p = [...new Set([...perm, ...Array.from({ length: n }, (_, i) => i)])];
      const permuted = createCrystal({
        lattice: c.lattice,
        fracCoords: p.flatMap((j) => [c.fracCoords[3 * j], c.fracCoords[3 * j + 1], c.fracCoords[3 * j + 2]]),
        atomicNumbers: p.map((j) => c.atomicNumbers[j]),
      });
      const a = outputs(model, c),
        b = outputs(model, permuted);
      expectClose(
        b.atoms,
        p.flatMap((j) => [a.atoms[3 * j], a.atoms[3 * j + 1], a.atoms[3 * j + 2]]),
      );
      expectClose(b.lattice, a.lattice);
    }
  });

  it('the network is invariant under a translation and under wrapping by lattice vectors', () => {
    for (const c of crystals) {
      const moved = createCrystal({
        lattice: c.lattice,
        fracCoords: Float64Array.from(c.fracCoords, (x, i) => x + [0.31, -0.17, 1.05][i % 3] + (i % 5 === 0 ? 2 : 0)),
        atomicNumbers: c.atomicNumbers,
      });
      const a = outputs(model, c),
        b = outputs(model, moved);
      expectClose(b.atoms, a.atoms);
      expectClose(b.lattice, a.lattice);
    }
  });

  it('the network is unchanged by a change of cell L′ = M·L, f′ = f·M⁻¹ (atoms map by M⁻¹)', () => {
    const m = Float64Array.of(1, 1, 0, 0, 1, 0, -1, 0, 1); // unimodular
    const minv = Float64Array.of(1, -1, 0, 0, 1, 0, 1, -1, 1);
    for (const c of crystals) {
      const n = c.atomicNumbers.length;
      const frac = new Float64Array(3 * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < 3; j++)
          for (let k = 0; k < 3; k++) frac[3 * i + j] += c.fracCoords[3 * i + k] * minv[3 * k + j];
      const changed = createCrystal({
        lattice: multiply(new Float64Array(9), m, c.lattice),
        fracCoords: frac,
        atomicNumbers: c.atomicNumbers,
      });
      const a = outputs(model, c),
        b = outputs(model, changed);
      const expected = new Float64Array(3 * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < 3; j++)
          for (let k = 0; k < 3; k++) expected[3 * i + j] += a.atoms[3 * i + k] * minv[3 * k + j];
      expectClose(b.atoms, expected);
      expectClose(b.lattice, a.lattice);
    }
  });

  it('the network is covariant under a reflection (improper Q): atoms unchanged, lattice QᵀAQ', () => {
    const q = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, -1);
    for (const c of crystals) {
      const reflected = createCrystal({
        lattice: multiply(new Float64Array(9), c.lattice, q),
        fracCoords: c.fracCoords,
        atomicNumbers: c.atomicNumbers,
      });
      const a = outputs(model, c),
        b = outputs(model, reflected);
      expectClose(b.atoms, a.atoms);
      expectClose(b.lattice, multiply(new Float64Array(9), multiply(new Float64Array(9), q, a.lattice), q));
    }
  });

  it('a 2×1×1 supercell gets the same Cartesian atom actions and the same lattice action', () => {
    for (const c of crystals) {
      const n = c.atomicNumbers.length;
      const big = makeSupercell(c, [2, 1, 1]);
      const a = outputs(model, c),
        b = outputs(model, big);
      expectClose(b.lattice, a.lattice);
      const cart = (frac: ArrayLike<number>, l: ArrayLike<number>, i: number) =>
        [0, 1, 2].map((j) => frac[3 * i] * l[j] + frac[3 * i + 1] * l[3 + j] + frac[3 * i + 2] * l[6 + j]);
      const expected: number[] = [];
      const got: number[] = [];
      for (let s = 0; s < 2 * n; s++) {
        expected.push(...cart(a.atoms, c.lattice, s % n));
        got.push(...cart(b.atoms, big.lattice, s));
      }
      expectClose(got, expected);
    }
  });

  it('relax(model, crystal) commutes with a rotation: same fractional path, lattice rotated', () => {
    const c = crystals[3];
    const q = randomRotation(11);
    const rotated = createCrystal({
      lattice: multiply(new Float64Array(9), c.lattice, q),
      fracCoords: c.fracCoords,
      atomicNumbers: c.atomicNumbers,
    });
    const a = relax(model, c, { steps: 3, startLevel: 0.3 });
    const b = relax(model, rotated, { steps: 3, startLevel: 0.3 });
    expect(a.trajectory).toHaveLength(4);
    expectClose(b.crystal.fracCoords, a.crystal.fracCoords, 1e-3);
    expectClose(b.crystal.lattice, multiply(new Float64Array(9), a.crystal.lattice, q), 1e-3);
  });
});

describe('model files', () => {
  it('toBase64 / fromBase64 round-trip bytes of every length', () => {
    for (let n = 0; n < 10; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + 13) & 255);
      expect(Array.from(fromBase64(toBase64(bytes)))).toEqual(Array.from(bytes));
    }
    expect(toBase64(new TextEncoder().encode('crys'))).toBe('Y3J5cw==');
  });

  it('loadModel(modelToJson(model)) gives the same outputs', () => {
    const json = JSON.stringify(modelToJson(model));
    const back = loadModel(json);
    expect(parameterCount(back)).toBe(parameterCount(model));
    expectClose(outputs(back, crystals[0]).atoms, outputs(model, crystals[0]).atoms, 1e-7);
    disposeModel(back);
  });

  it('modelToJson writes a cutoff-graph model as version 3 (earlier readers refuse it) and any other as version 2', () => {
    const knn = modelToJson(model);
    const cutoff = modelToJson(cutoffModel);
    expect(knn.version).toBe(2);
    expect(cutoff.version).toBe(3);
    const back = loadModel(JSON.stringify(cutoff));
    try {
      expect(back.config.network.graph).toBe('cutoff');
      expect(modelToJson(back)).toEqual(cutoff);
    } finally {
      disposeModel(back);
    }
  });

  it('loadModel rejects wrong formats, versions and shapes', () => {
    expect(() => loadModel('nope')).toThrowErrorMatchingInlineSnapshot(
      `[ModelFormatError: loadModel: json is not valid JSON (Unexpected token 'o', "nope" is not valid JSON)]`,
    );
    expect(() => loadModel('{"format":"other"}')).toThrowErrorMatchingInlineSnapshot(
      `[ModelFormatError: loadModel: json must have format 'crys-action-model', got "other"]`,
    );
    const json = modelToJson(model);
    expect(() => loadModel({ ...json, version: 9 })).toThrowErrorMatchingInlineSnapshot(
      `[ModelFormatError: loadModel: json has version 9, this package reads versions 2 and 3]`,
    );
    expect(() => loadModel({ ...json, weights: json.weights.slice(1) })).toThrowErrorMatchingInlineSnapshot(
      `[ModelFormatError: loadModel: weight 'embedding/table' is missing]`,
    );
    const bad = json.weights.map((w, i) => (i === 0 ? { ...w, shape: [1, 2] } : w));
    expect(() => loadModel({ ...json, weights: bad })).toThrowErrorMatchingInlineSnapshot(
      `[ModelFormatError: loadModel: weight 'embedding/table' has shape [1, 2], expected [101, 16]]`,
    );
  });
});

describe('inference API', () => {
  it('predictStructure(model, composition) returns a crystal of that composition and its trajectory', () => {
    const z = Array.from(crystals[0].atomicNumbers);
    const r = predictStructure(model, z, { seed: 1, steps: 4 });
    expect(Array.from(r.crystal.atomicNumbers)).toEqual(z);
    expect(r.trajectory).toHaveLength(5);
    expect(r.steps).toHaveLength(4);
    expect(r.steps[0].level).toBe(1);
    const again = predictStructure(model, z, { seed: 1, steps: 4 });
    expect(Array.from(again.crystal.fracCoords)).toEqual(Array.from(r.crystal.fracCoords));
  });

  it('relax and predictStructure reject unsupported crystals and bad options', () => {
    const c = crystals[0];
    const gold = createCrystal({ lattice: c.lattice, fracCoords: [0, 0, 0], atomicNumbers: [79] });
    expect(() => relax(model, gold)).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedCrystalError: relax: atomicNumbers contains Au (Z = 79) at index 0, which model 'tiny' was not trained on (10 elements)]`,
    );
    expect(() => predictStructure(model, [])).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedCrystalError: predictStructure: crystal must have at least one atom, got 0]`,
    );
    expect(() => predictStructure(model, new Array(65).fill(c.atomicNumbers[0]))).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedCrystalError: predictStructure: crystal has 65 atoms, above the model's limit of 64]`,
    );
    expect(() => relax(model, c, { steps: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: relax: options.steps must be an integer in [1, 100000], got 0]`,
    );
    expect(() => relax(model, c, { startLevel: 2 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: relax: options.startLevel must be in (0, 1], got 2]`,
    );
  });
});
