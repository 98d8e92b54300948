import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { Crystal } from '@crys/lattice';
import { createCrystal, determinant } from '@crys/lattice';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetRows, useBackend } from '../test/helpers.js';
import {
  type ActionModel,
  createModel,
  defaultModelConfig,
  disposeModel,
  loadModel,
  type ModelConfig,
} from './model.js';
import {
  type ActionResult,
  priorStart,
  randomStart,
  recoverLattices,
  relaxMany,
  relaxManyWithGraphs,
  SOUND_VOLUME_PER_ATOM,
} from './sampler.js';

let model: ActionModel;
let crystals: Crystal[];

// A small network (fast) on the model's real graph: k = 16, ties kept.
function smallConfig(species: number[]): ModelConfig {
  const base = defaultModelConfig('structure', species, 'small');
  return { ...base, network: { ...base.network, hidden: 16, layers: 2, vectorChannels: 4, rbf: 16 } };
}

beforeAll(async () => {
  await useBackend();
  crystals = [...datasetRows('perov_5', 3).map((r) => r.crystal), ...datasetRows('carbon_24', 3).map((r) => r.crystal)];
  const species = [...new Set(crystals.flatMap((c) => [...c.atomicNumbers]))].sort((a, b) => a - b);
  model = createModel(smallConfig(species), 3);
});

/** The Verlet run and the rebuild-every-step run agree to the bit, apart from the `rebuilt` flags. */
function expectSameRuns(verlet: ActionResult[], fresh: ActionResult[]): void {
  expect(verlet.length).toBe(fresh.length);
  for (let b = 0; b < verlet.length; b++) {
    const v = verlet[b],
      f = fresh[b];
    expect(v.crystal.lattice).toEqual(f.crystal.lattice);
    expect(v.crystal.fracCoords).toEqual(f.crystal.fracCoords);
    expect(v.trajectory.length).toBe(f.trajectory.length);
    for (let s = 0; s < v.trajectory.length; s++) {
      expect(v.trajectory[s].lattice).toEqual(f.trajectory[s].lattice);
      expect(v.trajectory[s].fracCoords).toEqual(f.trajectory[s].fracCoords);
    }
    expect(v.steps.map(({ rebuilt, ...rest }) => rest)).toEqual(f.steps.map(({ rebuilt, ...rest }) => rest));
    expect(f.steps.every((s) => s.rebuilt)).toBe(true);
    expect(v.steps[0].rebuilt).toBe(true);
  }
}

describe('sampler graphs', () => {
  it('relax on val crystals with kNN Verlet lists gives the same crystals as a fresh kNN graph every step', () => {
    const options = { steps: 12, startLevel: 0.3, trajectory: true };
    const verlet = relaxManyWithGraphs(model, crystals, options, 'verlet');
    const fresh = relaxManyWithGraphs(model, crystals, options, 'rebuild');
    expectSameRuns(verlet, fresh);
    // a relaxation from a mild noise level keeps most lists
    const rebuilds = verlet.reduce((sum, r) => sum + r.steps.filter((s) => s.rebuilt).length, 0);
    expect(rebuilds).toBeLessThan((crystals.length * options.steps) / 2);
    for (const r of verlet) {
      for (const x of r.crystal.fracCoords) expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it('structure prediction from random starts (large moves, DDIM noise, batches of 2) is unchanged by the Verlet lists', () => {
    const starts = crystals.map((c, i) => randomStart(model, c.atomicNumbers, i));
    const options = { steps: 10, startLevel: 1, trajectory: true, eta: 0.5, noiseSeed: 4, batchSize: 2 };
    const verlet = relaxManyWithGraphs(model, starts, options, 'verlet');
    const fresh = relaxManyWithGraphs(model, starts, options, 'rebuild');
    expectSameRuns(verlet, fresh);
    for (const r of verlet) {
      for (const c of r.trajectory.slice(1)) for (const x of c.fracCoords) expect(x >= 0 && x < 1).toBe(true);
    }
  });
});

describe('sampler options', () => {
  it('refineSteps and correctorSteps add steps at level 0 and Langevin moves, reproducibly, and are checked', () => {
    const starts = crystals.map((c, i) => randomStart(model, c.atomicNumbers, i));
    const base = { steps: 6, startLevel: 1, trajectory: true };
    const plain = relaxManyWithGraphs(model, starts, base, 'verlet');
    const refined = relaxManyWithGraphs(model, starts, { ...base, refineSteps: 3 }, 'verlet');
    expect(refined[0].steps.length).toBe(9);
    expect(refined[0].steps.slice(6).every((s) => s.level === 0)).toBe(true);
    // the first six steps are the plain run's
    expect(refined[0].trajectory[6].fracCoords).toEqual(plain[0].trajectory[6].fracCoords);
    const corrected = relaxManyWithGraphs(model, starts, { ...base, correctorSteps: 2, noiseSeed: 5 }, 'verlet');
    const again = relaxManyWithGraphs(model, starts, { ...base, correctorSteps: 2, noiseSeed: 5 }, 'verlet');
    const fresh = relaxManyWithGraphs(model, starts, { ...base, correctorSteps: 2, noiseSeed: 5 }, 'rebuild');
    expect(corrected[0].steps.length).toBe(6);
    expect(corrected[0].crystal.fracCoords).toEqual(again[0].crystal.fracCoords);
    expect(corrected[0].crystal.fracCoords).toEqual(fresh[0].crystal.fracCoords);
    expect(corrected[0].crystal.fracCoords).not.toEqual(plain[0].crystal.fracCoords);
    // with per-crystal seeds a crystal's run does not depend on the others in the call or on batching
    const seeds = starts.map((_, i) => 100 + i);
    const all = relaxManyWithGraphs(
      model,
      starts,
      { ...base, correctorSteps: 1, eta: 0.5, noiseSeed: seeds, batchSize: 2 },
      'verlet',
    );
    const one = relaxManyWithGraphs(
      model,
      starts.slice(3, 4),
      { ...base, correctorSteps: 1, eta: 0.5, noiseSeed: [103] },
      'verlet',
    );
    expect(one[0].crystal.fracCoords).toEqual(all[3].crystal.fracCoords);
    expect(() => relaxManyWithGraphs(model, starts, { ...base, noiseSeed: [1, 2] }, 'verlet')).toThrow(/noiseSeed/);
    expect(() => relaxManyWithGraphs(model, starts, { ...base, refineSteps: -1 }, 'verlet')).toThrow(/refineSteps/);
    expect(() => relaxManyWithGraphs(model, starts, { ...base, correctorSteps: 1.5 }, 'verlet')).toThrow(
      /correctorSteps/,
    );
    expect(() => relaxManyWithGraphs(model, starts, { ...base, correctorScale: 0 }, 'verlet')).toThrow(
      /correctorScale/,
    );
  });
});

describe('recoverLattices', () => {
  const shipped = (name: string) =>
    loadModel(readFileSync(new URL(`../models/${name}/model.json`, import.meta.url), 'utf8'));

  it('gives the true fractional coordinates of val crystals their cell back (the lattice model alone), keeps the coordinates, and refuses other models', () => {
    const lattice = shipped('perov_5-lattice');
    const structure = shipped('perov_5');
    try {
      const truth = datasetRows('perov_5', 24).map((r) => r.crystal);
      const recovered = recoverLattices(lattice, truth);
      let err = 0;
      let priorErr = 0;
      for (let i = 0; i < truth.length; i++) {
        expect(Array.from(recovered[i].fracCoords)).toEqual(Array.from(truth[i].fracCoords));
        expect(Array.from(recovered[i].atomicNumbers)).toEqual(Array.from(truth[i].atomicNumbers));
        const a = Math.cbrt(Math.abs(determinant(truth[i].lattice)));
        err += Math.abs(Math.cbrt(Math.abs(determinant(recovered[i].lattice))) - a) / truth.length;
        priorErr +=
          Math.abs(Math.cbrt(Math.abs(determinant(priorStart(lattice, truth[i]).lattice))) - a) / truth.length;
      }
      // the shipped model's length MAE is 0.048 Å on the holdout; the prior cell alone is several times worse
      expect(err).toBeLessThan(0.1);
      expect(err).toBeLessThan(priorErr / 2);
      expect(() => recoverLattices(structure, truth.slice(0, 1))).toThrow(/lattice-recovery model.*task 'structure'/);
      const carbon = createCrystal({ lattice: truth[0].lattice, fracCoords: [0, 0, 0], atomicNumbers: [6] });
      expect(() => recoverLattices(lattice, [carbon])).toThrow(/C \(Z = 6\)/);
    } finally {
      disposeModel(lattice);
      disposeModel(structure);
    }
  });
});

describe('runs that would leave a sound cell stop', () => {
  it('relaxMany stops a crystal whose cell a step would collapse, keeps its last sound state, and leaves the others as if run alone', () => {
    // A lattice model whose head is scaled 100×: SrTiO3's cell grows to ~11 Å, the 4-carbon cell collapses at step 10.
    const model = createModel(defaultModelConfig('lattice', [6, 8, 22, 38]), 1);
    try {
      const head = model.weights.get('head/head2') as tf.Variable;
      head.assign(tf.tidy(() => tf.mul(head, 100)));
      const a = createCrystal({
        lattice: [3.9, 0, 0, 0, 3.9, 0, 0, 0, 3.9],
        fracCoords: [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5],
        atomicNumbers: [38, 22, 8, 8, 8],
      });
      const b = createCrystal({
        lattice: [2.5, 0, 0, 1.2, 2.2, 0, 0, 0, 6.7],
        fracCoords: [0, 0, 0, 0.33, 0.66, 0.5, 0.1, 0.2, 0.3, 0.7, 0.6, 0.1],
        atomicNumbers: [6, 6, 6, 6],
      });
      const [ra, rb] = relaxMany(model, [a, b], { steps: 20, startLevel: 1, trajectory: true });
      const [alone] = relaxMany(model, [a], { steps: 20, startLevel: 1, trajectory: true });
      expect(ra.stopped).toBeUndefined();
      expect(ra.steps).toHaveLength(20);
      expect(Array.from(ra.crystal.lattice)).toEqual(Array.from(alone.crystal.lattice));
      expect(rb.stopped).toMatch(/^step (\d+): the cell collapsed to [0-9.e-]+ Å³ per atom$/);
      const at = Number((rb.stopped as string).match(/^step (\d+)/)?.[1]);
      expect(at).toBeGreaterThan(1);
      expect(rb.steps).toHaveLength(at);
      expect(rb.trajectory).toHaveLength(at + 1);
      expect(Array.from(rb.crystal.lattice)).toEqual(Array.from((rb.trajectory.at(-1) as Crystal).lattice));
      const perAtom = Math.abs(determinant(rb.crystal.lattice)) / 4;
      expect(perAtom).toBeGreaterThanOrEqual(SOUND_VOLUME_PER_ATOM[0]);
      expect(perAtom).toBeLessThan((2.5 * 2.2 * 6.7) / 4);
    } finally {
      disposeModel(model);
    }
  });
});
