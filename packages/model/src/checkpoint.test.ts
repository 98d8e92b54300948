import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../test/helpers.js';
import { Adam } from './adam.js';
import { type Checkpoint, emptyLogSums, restoreCheckpoint, snapshotCheckpoint, type TrainState } from './checkpoint.js';
import { plainRng, shuffled } from './minibatch.js';
import { createModel, defaultModelConfig, disposeModel } from './model.js';
import { WeightAverage } from './weight-average.js';

beforeAll(async () => {
  await useBackend();
});

/** A state some way into a run: moved weights, non-zero moments, a moved average, a drawn generator. */
function stateAtStep(): TrainState {
  const base = defaultModelConfig('structure', [8, 22, 38], 'ckpt');
  const model = createModel(
    { ...base, network: { hidden: 8, layers: 1, rbf: 8, cutoff: 8, vectorChannels: 2, timeFeatures: 4 } },
    1,
  );
  const adam = Adam.create(model.weights);
  const average = WeightAverage.create(model.weights, 0.99);
  const grads = new Map([...model.weights].map(([n, w]) => [n, tf.fill(w.shape, 0.25)]));
  for (let t = 0; t < 3; t++) average.update(model.weights, adam.apply(model.weights, grads, 1e-2, 1));
  tf.dispose([...grads.values()]);
  const rng = plainRng(9);
  const order = shuffled(6, rng);
  rng.normal();
  return {
    model,
    rng,
    adam,
    average,
    logSums: { loss: 1.5, atom: 0.5, lattice: 0.1, norm: 3, n: 2 },
    step: 3,
    epoch: 1,
    position: 2,
    order,
    bestLoss: 0.7,
    bestStep: 2,
    best: null,
    elapsedBefore: 0,
  };
}

function dispose(s: TrainState): void {
  s.adam.dispose();
  s.average.dispose();
  disposeModel(s.model);
}

describe('checkpoint', () => {
  it('snapshot → JSON → restore → snapshot gives the same JSON (weights, moments, average, generator, sums)', () => {
    const state = stateAtStep();
    const config = { seed: 1, maxSteps: 10 };
    const text = JSON.stringify(snapshotCheckpoint(config, state, 12.5));
    const restored = restoreCheckpoint(JSON.parse(text) as Checkpoint, 0.99);
    expect(JSON.stringify(snapshotCheckpoint(config, restored, 12.5))).toBe(text);
    expect(restored.elapsedBefore).toBe(12.5);
    expect(restored.adam.applied).toBe(3);
    // the generator continues where it stopped
    expect(restored.rng.next()).toBe(state.rng.next());
    const keys = Object.keys(JSON.parse(text));
    expect(keys).toEqual([
      'format',
      'version',
      'config',
      'model',
      'adamM',
      'adamV',
      'step',
      'rngState',
      'order',
      'position',
      'epoch',
      'bestLoss',
      'bestStep',
      'best',
      'elapsedSec',
      'applied',
      'ema',
      'logSums',
    ]);
    for (const s of [state, restored]) dispose(s);
  });

  it('a checkpoint from before averaging and metric sums resumes with the average at the weights and empty sums', () => {
    const state = stateAtStep();
    const { ema, logSums, ...old } = snapshotCheckpoint({}, state, 0);
    const restored = restoreCheckpoint(JSON.parse(JSON.stringify({ ...old, bestLoss: null })) as Checkpoint, 0.99);
    expect(restored.logSums).toEqual(emptyLogSums());
    expect(restored.bestLoss).toBe(Number.POSITIVE_INFINITY);
    const weights = JSON.stringify(snapshotCheckpoint({}, restored, 0).model.weights.map((w) => w.data));
    expect(JSON.stringify(restored.average.serialize().map((w) => w.data))).toBe(weights);
    expect(ema).toBeDefined();
    expect(logSums).toBeDefined();
    for (const s of [state, restored]) dispose(s);
  });

  it('refuses another format or version and a checkpoint without moments, leaving no tensor behind', () => {
    const state = stateAtStep();
    const checkpoint = snapshotCheckpoint({}, state, 0);
    dispose(state);
    const before = tf.memory().numTensors;
    expect(() => restoreCheckpoint({ ...checkpoint, version: 2 as never }, 0.99)).toThrowErrorMatchingInlineSnapshot(
      `[ModelFormatError: train: resume must be a crys-action-checkpoint version 1, got crys-action-checkpoint 2]`,
    );
    expect(() => restoreCheckpoint({ ...checkpoint, adamV: checkpoint.adamV.slice(1) }, 0.99)).toThrow(
      /resume has no Adam moments for '/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
