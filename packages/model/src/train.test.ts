import { changeOfCell, type Crystal, niggliReduce } from '@crys/lattice';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetRows, useBackend } from '../test/helpers.js';
import { disposeModel, loadModel } from './model.js';
import {
  type Checkpoint,
  latticeParameterTensor,
  latticeStats,
  learningRateAt,
  type MetricsRecord,
  type TrainConfig,
  train,
} from './train.js';

let crystals: Crystal[];
const tiny: TrainConfig = {
  task: 'structure',
  seed: 5,
  batchSize: 4,
  maxSteps: 4,
  warmupSteps: 2,
  validEvery: 2,
  checkpointEvery: 2,
  logEvery: 1,
  k: 6,
  network: { hidden: 8, layers: 1, rbf: 8, cutoff: 8, vectorChannels: 2, timeFeatures: 4 },
};

beforeAll(async () => {
  await useBackend();
  crystals = datasetRows('perov_5', 12).map((r) => r.crystal);
});

function weightsOf(json: { weights: readonly { name: string; data: string }[] }): string {
  return json.weights.map((w) => `${w.name}:${w.data}`).join('|');
}

describe('train', () => {
  it('train(config) with the same seed gives the same weights, a different seed different ones', () => {
    const data = { train: crystals.slice(0, 8), valid: crystals.slice(0, 4) };
    const a = train(tiny, data);
    const b = train(tiny, data);
    const c = train({ ...tiny, seed: 6 }, data);
    expect(weightsOf(a.checkpoint.model)).toBe(weightsOf(b.checkpoint.model));
    expect(weightsOf(a.checkpoint.model)).not.toBe(weightsOf(c.checkpoint.model));
    expect(a.steps).toBe(4);
    for (const r of [a, b, c]) disposeModel(r.model);
  });

  it('train resumed from a checkpoint ends with the same weights and state as an uninterrupted run', () => {
    const data = { train: crystals.slice(0, 8), valid: crystals.slice(0, 4) };
    const full = train(tiny, data);
    let saved: Checkpoint | undefined;
    const half = train(tiny, data, {
      onCheckpoint: (c) => {
        saved ??= JSON.parse(JSON.stringify(c)) as Checkpoint;
      },
      shouldStop: (s) => s === 2,
    });
    expect(half.steps).toBe(2);
    const resumed = train(tiny, data, {}, saved);
    expect(resumed.steps).toBe(4);
    expect(weightsOf(resumed.checkpoint.model)).toBe(weightsOf(full.checkpoint.model));
    expect(weightsOf({ weights: resumed.checkpoint.adamV })).toBe(weightsOf({ weights: full.checkpoint.adamV }));
    expect(resumed.checkpoint.rngState).toEqual(full.checkpoint.rngState);
    expect(resumed.bestStep).toBe(full.bestStep);
    // the moving average of the weights resumes too, and the best model (averaged weights) is the same
    expect(weightsOf({ weights: resumed.checkpoint.ema ?? [] })).toBe(
      weightsOf({ weights: full.checkpoint.ema ?? [] }),
    );
    expect(weightsOf({ weights: full.checkpoint.ema ?? [] })).not.toBe(weightsOf(full.checkpoint.model));
    expect(weightsOf(resumed.best)).toBe(weightsOf(full.best));
    for (const r of [full, half, resumed]) disposeModel(r.model);
  });

  it('reduceCells trains on the Niggli cells: the same run as on crystals reduced beforehand, another than on the given cells', () => {
    // skewed cells of the same crystals (a unimodular change of cell), so that reducing them matters
    const skewed = crystals.slice(0, 6).map((x) => changeOfCell(x, [1, 1, 0, 0, 1, 0, 0, 1, 1]));
    const reduced = skewed.map((x) => changeOfCell(x, niggliReduce(x.lattice).transform));
    const config = { ...tiny, maxSteps: 2 };
    const a = train({ ...config, reduceCells: true }, { train: skewed, valid: skewed.slice(0, 2) });
    const b = train(config, { train: reduced, valid: reduced.slice(0, 2) });
    const c = train(config, { train: skewed, valid: skewed.slice(0, 2) });
    expect(weightsOf(a.checkpoint.model)).toBe(weightsOf(b.checkpoint.model));
    expect(weightsOf(a.checkpoint.model)).not.toBe(weightsOf(c.checkpoint.model));
    expect(a.model.config.latticeStats).toEqual(b.model.config.latticeStats);
    for (const r of [a, b, c]) disposeModel(r.model);
  });

  it('train skips and reports a batch with a NaN target, leaving the weights untouched', () => {
    const data = { train: crystals.slice(0, 8), valid: [] };
    const records: MetricsRecord[] = [];
    let before = '';
    let after = '';
    const r = train({ ...tiny, maxSteps: 3, checkpointEvery: 1 }, data, {
      onMetrics: (m) => records.push(m),
      beforeStep: (step, samples) => {
        if (step === 1) samples[0].atomTarget[0] = Number.NaN;
      },
      onCheckpoint: (c) => {
        if (c.step === 1) before = weightsOf(c.model);
        if (c.step === 2) after = weightsOf(c.model);
      },
    });
    expect(records.filter((m) => m.type === 'skipped')).toEqual([
      expect.objectContaining({ type: 'skipped', step: 1, reason: 'non-finite' }),
    ]);
    expect(after).toBe(before);
    expect(r.skipped).toBe(1);
    const final = loadModel(r.checkpoint.model);
    for (const v of final.weights.values()) expect(v.dataSync().every(Number.isFinite)).toBe(true);
    disposeModel(final);
    disposeModel(r.model);
  });

  it('train streams start, train, valid and done records', () => {
    const records: MetricsRecord[] = [];
    const r = train(
      tiny,
      { train: crystals.slice(0, 8), valid: crystals.slice(0, 4) },
      { onMetrics: (m) => records.push(m) },
    );
    const types = records.map((m) => m.type);
    expect(types[0]).toBe('start');
    expect(types.at(-1)).toBe('done');
    expect(types.filter((t) => t === 'train')).toHaveLength(4);
    expect(types.filter((t) => t === 'valid')).toHaveLength(2);
    disposeModel(r.model);
  });

  it('train leaves no tensor behind for any task (tf.memory before and after, model disposed)', () => {
    const data = { train: crystals.slice(0, 8), valid: crystals.slice(0, 4) };
    for (const task of ['structure', 'denoise', 'lattice'] as const) {
      const before = tf.memory().numTensors;
      const r = train({ ...tiny, task }, data);
      disposeModel(r.model);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it("the lattice task's loss is on standardised a, b, c, α, β, γ (zero spread floored) and stays finite", () => {
    const stats = latticeStats(crystals);
    // every Perov-5 angle is 90°: the spread is floored at 1°, the lengths keep their spread
    expect(stats.mean.slice(3)).toEqual([90, 90, 90].map((x) => expect.closeTo(x, 6)));
    expect(stats.std.slice(3)).toEqual([1, 1, 1]);
    const p = tf.tidy(() =>
      latticeParameterTensor(
        tf.tensor3d([
          [
            [3, 0, 0],
            [0, 4, 0],
            [1, 0, 5],
          ],
        ]),
      ).arraySync(),
    );
    const expected = [3, 4, Math.hypot(1, 5), 90, (Math.acos(1 / Math.hypot(1, 5)) * 180) / Math.PI, 90];
    for (const [i, v] of p[0].entries()) expect(v).toBeCloseTo(expected[i], 3);
    const valid: MetricsRecord[] = [];
    const r = train(
      { ...tiny, task: 'lattice', maxSteps: 6 },
      { train: crystals.slice(0, 8), valid: crystals.slice(0, 4) },
      { onMetrics: (m) => m.type === 'valid' && valid.push(m) },
    );
    // validation reports the same total as training: the unweighted lattice-parameter loss
    expect(valid.length).toBeGreaterThan(0);
    for (const v of valid) if (v.type === 'valid') expect(v.loss).toBe(v.latticeLoss);
    expect(r.model.config.latticeStats?.std.length).toBe(6);
    expect(Number.isFinite(r.bestLoss)).toBe(true);
    disposeModel(r.model);
  });

  it('learningRateAt warms up linearly, then decays by a cosine to the floor', () => {
    expect(learningRateAt(0, 1, 10, 100, 0.1)).toBeCloseTo(0.1);
    expect(learningRateAt(9, 1, 10, 100, 0.1)).toBeCloseTo(1);
    expect(learningRateAt(60, 1, 10, 100, 0.1)).toBeCloseTo(0.55);
    expect(learningRateAt(500, 1, 10, 100, 0.1)).toBeCloseTo(0.1);
  });

  it('train rejects bad configurations and empty data', () => {
    const data = { train: crystals.slice(0, 4), valid: [] };
    expect(() => train({ ...tiny, batchSize: 0 }, data)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: train: config.batchSize must be a positive integer, got 0]`,
    );
    expect(() => train({ ...tiny, learningRate: -1 }, data)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: train: config.learningRate must be positive and finite, got -1]`,
    );
    expect(() => train({ ...tiny, task: 'dance' as never }, data)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: train: config.task must be one of structure, denoise, lattice, property, got dance]`,
    );
    expect(() => train(tiny, { train: [], valid: [] })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: train: data.train must contain at least one crystal, got 0]`,
    );
  });
});
