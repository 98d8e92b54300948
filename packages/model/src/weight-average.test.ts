import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../test/helpers.js';
import { averageDecayAt, WeightAverage } from './weight-average.js';

beforeAll(async () => {
  await useBackend();
});

describe('WeightAverage', () => {
  it('the decay warms up as (1 + t)/(10 + t) and is capped', () => {
    expect(averageDecayAt(0.999, 1)).toBe(2 / 11);
    expect(averageDecayAt(0.999, 90)).toBe(91 / 100);
    expect(averageDecayAt(0.5, 90)).toBe(0.5);
  });

  it('follows the weights as e ← d·e + (1 − d)·w, and withAverage swaps the average in and back', () => {
    const w = tf.variable(tf.tensor1d([0, 4]), true, 'ema-test-w');
    const weights = new Map([['w', w]]);
    const average = WeightAverage.create(weights, 0.9);
    const expected = [0, 4];
    for (const [t, next] of [
      [1, [2, 2]],
      [2, [4, 0]],
      [50, [1, 1]],
    ] as const) {
      w.assign(tf.tensor1d([...next]));
      average.update(weights, t);
      const d = Math.min(0.9, (1 + t) / (10 + t));
      for (let i = 0; i < 2; i++) expected[i] = d * expected[i] + (1 - d) * next[i];
      const got = (average.values.get('w') as tf.Variable).dataSync();
      for (let i = 0; i < 2; i++) expect(got[i]).toBeCloseTo(expected[i], 5);
    }
    const inside = average.withAverage(weights, () => Array.from(w.dataSync()));
    for (let i = 0; i < 2; i++) expect(inside[i]).toBeCloseTo(expected[i], 5);
    expect(Array.from(w.dataSync())).toEqual([1, 1]);
    expect(() =>
      average.withAverage(weights, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(Array.from(w.dataSync())).toEqual([1, 1]);
    // a round trip through the serialised form
    const again = WeightAverage.restore(weights, 0.9, average.serialize());
    expect(again.serialize()).toEqual(average.serialize());
    for (const a of [average, again]) a.dispose();
    w.dispose();
  });

  it('with decay 0 it stays at the initial weights and withAverage sees the raw weights; a missing entry starts at the weight', () => {
    const w = tf.variable(tf.tensor1d([1, 2]), true, 'ema-test-0');
    const weights = new Map([['w', w]]);
    const average = WeightAverage.create(weights, 0);
    w.assign(tf.tensor1d([5, 6]));
    average.update(weights, 1);
    expect(Array.from((average.values.get('w') as tf.Variable).dataSync())).toEqual([1, 2]);
    expect(average.withAverage(weights, () => Array.from(w.dataSync()))).toEqual([5, 6]);
    const old = WeightAverage.restore(weights, 0.999, undefined);
    expect(Array.from((old.values.get('w') as tf.Variable).dataSync())).toEqual([5, 6]);
    for (const a of [average, old]) a.dispose();
    w.dispose();
  });
});
