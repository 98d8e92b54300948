import {
  createRng,
  determinant,
  expSymmetric,
  logSymmetric,
  multiply,
  polarDecomposition,
  transpose,
} from '@crys/lattice';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetRows, useBackend } from '../test/helpers.js';
import { createModel, defaultModelConfig, disposeModel } from './model.js';
import { randomStart } from './sampler.js';
import { noiseCrystal, priorVolume, startLattice, type TaskConfig, TASKS, type VolumePrior } from './tasks.js';
import { resolveTrainConfig } from './train-config.js';

const metric = (l: ArrayLike<number>): Float64Array =>
  multiply(new Float64Array(9), l, transpose(new Float64Array(9), l));

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(tol);
}

beforeAll(async () => {
  await useBackend();
});

const carbon = datasetRows('carbon_24', 6).map((r) => r.crystal);
const prior: VolumePrior = { volumes: [6] };
const sampled: TaskConfig = { ...TASKS.structure, latticeNoise: 0.35, sampledStart: true };

describe('noiseCrystal lattices', () => {
  it('the default structure path is unchanged: L_t = L₀·exp(t·(log c·I − log L₀ + E)), E drawn first', () => {
    for (const [i, crystal] of carbon.entries()) {
      const species = new Int32Array(crystal.atomicNumbers.length);
      const level = (i + 0.5) / carbon.length;
      const got = noiseCrystal(TASKS.structure, prior, crystal, species, level, createRng(40 + i));
      // the reference, written out: symmetric frame, prior log-deformation, then the six normals
      const m = transpose(new Float64Array(9), crystal.lattice);
      if (determinant(m) < 0) for (let k = 0; k < 9; k++) m[k] = -m[k];
      const clean = polarDecomposition(m).stretch;
      const x = logSymmetric(new Float64Array(9), clean).map((v) => -v);
      const c = Math.cbrt(priorVolume(prior, species));
      for (const k of [0, 4, 8]) x[k] += Math.log(c);
      const rng = createRng(40 + i);
      const s = TASKS.structure.latticeNoise;
      const e01 = (rng.normal() * s) / Math.SQRT2;
      const e02 = (rng.normal() * s) / Math.SQRT2;
      const e12 = (rng.normal() * s) / Math.SQRT2;
      const noise = [rng.normal() * s, e01, e02, e01, rng.normal() * s, e12, e02, e12, rng.normal() * s];
      for (let k = 0; k < 9; k++) x[k] = level * (x[k] + noise[k]);
      const want = multiply(new Float64Array(9), clean, expSymmetric(new Float64Array(9), x));
      expect(Array.from(got.lattice)).toEqual(Array.from(want));
      expect(Array.from(got.latticeTarget)).toEqual(Array.from(x, (v) => -v));
    }
  });

  it('with a sampled start, the top level has the metric of the start draw B = c·exp(σ·E): B² exactly', () => {
    for (const [i, crystal] of carbon.entries()) {
      const species = new Int32Array(crystal.atomicNumbers.length);
      const top = noiseCrystal(sampled, prior, crystal, species, 1, createRng(7 + i));
      const b = startLattice(sampled, prior, species, createRng(7 + i));
      const scale = Math.cbrt(priorVolume(prior, species)) ** 2;
      expectClose(metric(top.lattice), metric(b), 1e-9 * scale);
      // the start is a proper draw, not the cube: some strain beyond rounding
      const cube = Math.cbrt(priorVolume(prior, species));
      expect(Math.max(...Array.from(b, (v, k) => Math.abs(v - (k % 4 === 0 ? cube : 0))))).toBeGreaterThan(0.01);
    }
  });

  it('at every level the lattice target undoes the noise: L_t·exp(target) has the clean metric', () => {
    for (const task of [TASKS.structure, sampled, TASKS.denoise, TASKS.lattice]) {
      for (const [i, crystal] of carbon.entries()) {
        const species = new Int32Array(crystal.atomicNumbers.length);
        for (const level of [0.1, 0.55, 1]) {
          const s = noiseCrystal(task, prior, crystal, species, level, createRng(i));
          const back = multiply(new Float64Array(9), s.lattice, expSymmetric(new Float64Array(9), s.latticeTarget));
          const g = metric(crystal.lattice);
          expectClose(metric(back), g, 1e-9 * Math.max(...Array.from(g, Math.abs)));
          // symmetric targets: the action never rotates the crystal
          expectClose(s.latticeTarget, transpose(new Float64Array(9), s.latticeTarget), 1e-12);
        }
      }
    }
  });
});

describe('startLattice', () => {
  it('is the prior cube for the shipped tasks and a seeded symmetric draw around it with sampledStart', () => {
    const species = Int32Array.of(0, 0, 0, 0);
    const cube = Math.cbrt(priorVolume(prior, species));
    expect(Array.from(startLattice(TASKS.structure, prior, species, createRng(1)))).toEqual([
      cube,
      0,
      0,
      0,
      cube,
      0,
      0,
      0,
      cube,
    ]);
    const a = startLattice(sampled, prior, species, createRng(1));
    expect(Array.from(startLattice(sampled, prior, species, createRng(1)))).toEqual(Array.from(a));
    expect(Array.from(startLattice(sampled, prior, species, createRng(2)))).not.toEqual(Array.from(a));
    expectClose(a, transpose(new Float64Array(9), a), 1e-12);
    // log-normal volume around the prior's: over many draws the mean log volume is the prior's
    let logV = 0;
    const rng = createRng(3);
    for (let k = 0; k < 2000; k++) logV += Math.log(determinant(startLattice(sampled, prior, species, rng))) / 2000;
    expect(Math.abs(logV - 3 * Math.log(cube))).toBeLessThan(0.05);
  });

  it('randomStart draws it after the coordinates, so a seed gives the same coordinates either way', () => {
    const base = defaultModelConfig('structure', [6], 'c');
    const plain = createModel({ ...base, prior }, 1);
    const drawn = createModel({ ...base, prior, task: sampled }, 1);
    try {
      const z = [6, 6, 6, 6, 6, 6];
      const a = randomStart(plain, z, 5);
      const b = randomStart(drawn, z, 5);
      expect(Array.from(b.fracCoords)).toEqual(Array.from(a.fracCoords));
      expect(Array.from(a.lattice)).toEqual(
        Array.from(startLattice(TASKS.structure, prior, new Int32Array(6), createRng(0))),
      );
      expect(Array.from(b.lattice)).not.toEqual(Array.from(a.lattice));
      expect(Array.from(randomStart(drawn, z, 5).lattice)).toEqual(Array.from(b.lattice));
    } finally {
      disposeModel(plain);
      disposeModel(drawn);
    }
  });
});

describe('TrainConfig.startLatticeNoise', () => {
  it('accepts (0, 1] for structure prediction and names the field otherwise', () => {
    expect(resolveTrainConfig({ task: 'structure', startLatticeNoise: 0.35 }).startLatticeNoise).toBe(0.35);
    for (const bad of [0, -0.1, 1.5, Number.NaN]) {
      expect(() => resolveTrainConfig({ task: 'structure', startLatticeNoise: bad })).toThrow(/startLatticeNoise/);
    }
    expect(() => resolveTrainConfig({ task: 'denoise', startLatticeNoise: 0.3 })).toThrow(/structure prediction only/);
  });
});
