import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../test/helpers.js';
import { Adam, adamStepSize, clipFactor, globalNorm, skipReason } from './adam.js';

beforeAll(async () => {
  await useBackend();
});

describe('Adam', () => {
  it('two updates match a hand computation with bias correction and clipping', () => {
    const weights = new Map([['w', tf.variable(tf.tensor1d([1, -2]), true, 'adam-test-w')]]);
    const adam = Adam.create(weights);
    const lr = 0.01;
    const g1 = [0.5, -3],
      g2 = [2, 1];
    // float64 reference: m ← 0.9m + 0.1g, v ← 0.999v + 0.001g², w ← w − lr·√(1 − 0.999ᵗ)/(1 − 0.9ᵗ)·m/(√v + 1e-8)
    const w = [1, -2],
      m = [0, 0],
      v = [0, 0];
    for (const [t, g, clip] of [
      [1, g1, 0.5],
      [2, g2, 1],
    ] as const) {
      const grads = new Map([['w', tf.tensor1d(g)]]);
      expect(adam.apply(weights, grads, lr, clip)).toBe(t);
      tf.dispose([...grads.values()]);
      for (let i = 0; i < 2; i++) {
        const gi = g[i] * clip;
        m[i] = 0.9 * m[i] + 0.1 * gi;
        v[i] = 0.999 * v[i] + 0.001 * gi * gi;
        w[i] -= ((lr * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t)) * (m[i] / (Math.sqrt(v[i]) + 1e-8));
      }
      const got = (weights.get('w') as tf.Variable).dataSync();
      // the first bias-corrected step moves each weight by lr against the sign of its gradient (up to ε)
      if (t === 1) expect(Array.from(got)).toEqual([1 - lr, -2 + lr].map((x) => expect.closeTo(x, 6)));
      for (let i = 0; i < 2; i++) expect(got[i]).toBeCloseTo(w[i], 6);
      const gm = (adam.m.get('w') as tf.Variable).dataSync();
      const gv = (adam.v.get('w') as tf.Variable).dataSync();
      for (let i = 0; i < 2; i++) {
        expect(gm[i]).toBeCloseTo(m[i], 6);
        expect(gv[i]).toBeCloseTo(v[i], 8);
      }
    }
    expect(adam.applied).toBe(2);
    adam.dispose();
    tf.dispose([...weights.values()]);
  });

  it('restores its moments from their serialised form, and names a weight without moments', () => {
    const weights = new Map([['w', tf.variable(tf.tensor2d([[1, 2, 3]]), true, 'adam-test-r')]]);
    const adam = Adam.create(weights);
    const grads = new Map([['w', tf.tensor2d([[0.1, -0.2, 0.3]])]]);
    adam.apply(weights, grads, 1e-3, 1);
    const { adamM, adamV } = adam.serialize();
    const again = Adam.restore(weights, adamM, adamV, adam.applied);
    expect(again.serialize()).toEqual({ adamM, adamV });
    expect(again.applied).toBe(1);
    expect((again.m.get('w') as tf.Variable).shape).toEqual([1, 3]);
    expect(() => Adam.restore(weights, [], adamV, 1)).toThrowErrorMatchingInlineSnapshot(
      `[ModelFormatError: train: resume has no Adam moments for 'w']`,
    );
    for (const a of [adam, again]) a.dispose();
    tf.dispose([...weights.values(), ...grads.values()]);
  });

  it('step size, global norm, clip factor and skip rule', () => {
    expect(adamStepSize(1e-3, 1)).toBeCloseTo((1e-3 * Math.sqrt(0.001)) / 0.1, 15);
    expect(adamStepSize(1e-3, 1e6)).toBeCloseTo(1e-3, 12);
    const gs = [tf.tensor1d([3]), tf.tensor2d([[0, 4]])];
    expect(globalNorm(gs)).toBeCloseTo(5, 6);
    tf.dispose(gs);
    expect(clipFactor(10, 5)).toBe(0.5);
    expect(clipFactor(5, 5)).toBe(1);
    expect(skipReason(0.3, 2e4, 1e4)).toBe('exploding');
    expect(skipReason(Number.NaN, 1, 1e4)).toBe('non-finite');
    expect(skipReason(0.3, Number.POSITIVE_INFINITY, 1e4)).toBe('non-finite');
    expect(skipReason(0.3, 1e4, 1e4)).toBeUndefined();
  });
});
