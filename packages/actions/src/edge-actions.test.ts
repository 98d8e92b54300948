import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { atomActions, atomActionsFromArrays } from './atom-actions.js';
import { type EdgeActionOptions, edgeActions, edgeActionsFromArrays } from './edge-actions.js';
import { latticeAction, latticeActionFromArrays } from './lattice-action.js';

// A small two-crystal batch: crystal 0 has atoms 0–2 and edges 0–5 (one a zero-length self-image), crystal 1
// has atom 3 and edges 6–7; atom 2 has no outgoing edge.
const vectors = Float64Array.of(
  1.5,
  0.2,
  -0.3,
  -1.5,
  -0.2,
  0.3,
  0.4,
  2.1,
  0.0,
  0,
  0,
  0,
  -0.4,
  -2.1,
  0.0,
  2.2,
  -1.0,
  0.7,
  3.0,
  0.0,
  0.1,
  -3.0,
  0.0,
  -0.1,
);
const src = Int32Array.of(0, 1, 0, 1, 1, 0, 3, 3);
const edgeCrystal = Int32Array.of(0, 0, 0, 0, 0, 0, 1, 1);
const weights = Float64Array.from({ length: 16 }, (_, i) => 0.6 * Math.sin(1.3 * i + 0.2));
const numNodes = 4,
  numCrystals = 2,
  numEdges = 8;

function column(w: Float64Array, c: number): Float64Array {
  return Float64Array.from({ length: w.length / 2 }, (_, e) => w[2 * e + c]);
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(tol);
}

describe('latticeActionFromArrays / atomActionsFromArrays', () => {
  it('latticeActionFromArrays(r, w, crystal, B) is the mean of w·ûûᵀ over each crystal (zero-length edges count, add 0)', () => {
    const a = latticeActionFromArrays(vectors, column(weights, 1), edgeCrystal, numCrystals);
    const want = new Float64Array(18);
    for (let e = 0; e < numEdges; e++) {
      const r = vectors.subarray(3 * e, 3 * e + 3);
      const d2 = r[0] ** 2 + r[1] ** 2 + r[2] ** 2;
      if (d2 === 0) continue;
      const b = edgeCrystal[e],
        count = b === 0 ? 6 : 2;
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) want[9 * b + 3 * i + j] += (weights[2 * e + 1] * r[i] * r[j]) / d2 / count;
    }
    expectClose(a, want, 1e-15);
    const sum = latticeActionFromArrays(vectors, column(weights, 1), edgeCrystal, numCrystals, {
      reduce: 'sum',
      operator: 'length',
    });
    expect(sum[0]).toBeCloseTo(
      [0, 1, 2, 4, 5].reduce(
        (s, e) => s + (weights[2 * e + 1] * vectors[3 * e] ** 2) / Math.hypot(...vectors.subarray(3 * e, 3 * e + 3)),
        0,
      ),
      14,
    );
  });

  it('atomActionsFromArrays(r, w, src, N) sums (or averages) w·r over each atom’s edges; atoms without edges get 0', () => {
    const w = column(weights, 0);
    const sum = atomActionsFromArrays(vectors, w, src, numNodes);
    const mean = atomActionsFromArrays(vectors, w, src, numNodes, { reduce: 'mean' });
    const want = new Float64Array(12),
      count = [0, 0, 0, 0];
    for (let e = 0; e < numEdges; e++) {
      count[src[e]]++;
      for (let k = 0; k < 3; k++) want[3 * src[e] + k] += w[e] * vectors[3 * e + k];
    }
    expectClose(sum, want, 1e-15);
    expectClose(
      mean,
      want.map((x, i) => x / Math.max(count[Math.floor(i / 3)], 1)),
      1e-15,
    );
    expect(Array.from(sum.subarray(6, 9))).toEqual([0, 0, 0]);
  });

  it('the plain functions name the argument and what arrived', () => {
    expect(() =>
      latticeActionFromArrays(vectors, column(weights, 1), Int32Array.of(0, 0, 0, 0, 0, 0, 1, 2), 2),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: latticeActionFromArrays: edgeCrystal must hold indices in [0, numCrystals = 2), got 2 at index 7]`,
    );
    expect(() =>
      latticeActionFromArrays(vectors.subarray(1), column(weights, 1), edgeCrystal, 2),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: latticeActionFromArrays: edgeVectors must have length 3·E, got 23]`,
    );
    expect(() => atomActionsFromArrays(vectors, weights, src, numNodes)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: atomActionsFromArrays: weights must have length E = 8, got 16]`,
    );
    expect(() =>
      atomActionsFromArrays(vectors, column(weights, 0), src, numNodes, { reduce: 'max' as 'sum' }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: atomActionsFromArrays: options.reduce must be 'sum' or 'mean', got max]`,
    );
    expect(() => edgeActionsFromArrays(vectors, weights, src, edgeCrystal, 3, 2)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: edgeActionsFromArrays: src must hold indices in [0, numNodes = 3), got 3 at index 6]`,
    );
    expect(() =>
      edgeActionsFromArrays(vectors, weights, src, edgeCrystal, 4, 2, { bound: 1.5 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: edgeActionsFromArrays: options.bound must be in (0, 1), got 1.5]`,
    );
    expect(() =>
      edgeActionsFromArrays(vectors, weights, src, edgeCrystal, 4, 2, { latticeReduce: 'max' as 'sum' }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: edgeActionsFromArrays: options.latticeReduce must be 'mean' or 'sum', got max]`,
    );
  });
});

describe('edgeActions (tensor) against edgeActionsFromArrays (Float64)', () => {
  const variants: EdgeActionOptions[] = [
    {},
    { map: 'exp', operator: 'length', latticeReduce: 'sum', atomReduce: 'mean' },
    { bound: 0.05 },
  ];
  for (const options of variants) {
    it(`edgeActions(${JSON.stringify(options)}) values and gradients match the Float64 face (finite differences)`, () => {
      const want = edgeActionsFromArrays(vectors, weights, src, edgeCrystal, numNodes, numCrystals, options);
      const cg = Float64Array.from({ length: 18 }, (_, i) => Math.cos(0.9 * i + 0.5));
      const cd = Float64Array.from({ length: 12 }, (_, i) => Math.sin(1.7 * i + 0.1));
      const loss = (v: Float64Array, w: Float64Array) => {
        const o = edgeActionsFromArrays(v, w, src, edgeCrystal, numNodes, numCrystals, options);
        let s = 0;
        for (let i = 0; i < 18; i++) s += cg[i] * o.latticeAction[i];
        for (let i = 0; i < 12; i++) s += cd[i] * o.atomActionsCart[i];
        return s;
      };
      const before = tf.memory().numTensors;
      const [g, d, gv, gw] = tf.tidy(() => {
        const v = tf.tensor2d(Float32Array.from(vectors), [numEdges, 3]);
        const w = tf.tensor2d(Float32Array.from(weights), [numEdges, 2]);
        const f = (vv: tf.Tensor, ww: tf.Tensor) => {
          const o = edgeActions(vv as tf.Tensor2D, ww as tf.Tensor2D, src, edgeCrystal, numNodes, numCrystals, options);
          return tf.add(
            tf.sum(tf.mul(o.latticeAction, tf.tensor3d(Float32Array.from(cg), [2, 3, 3]))),
            tf.sum(tf.mul(o.atomActionsCart, tf.tensor2d(Float32Array.from(cd), [4, 3]))),
          );
        };
        const out = edgeActions(v, w, src, edgeCrystal, numNodes, numCrystals, options);
        const [dv, dw] = tf.grads(f)([v, w]);
        return [out.latticeAction.dataSync(), out.atomActionsCart.dataSync(), dv.dataSync(), dw.dataSync()];
      });
      expect(tf.memory().numTensors).toBe(before);
      expectClose(g, want.latticeAction, 1e-6);
      expectClose(d, want.atomActionsCart, 1e-6);
      expect(gv.every(Number.isFinite)).toBe(true);
      for (let i = 0; i < vectors.length; i++) {
        // The zero-length edge (entries 9–11) must get the gradient of its atom term only (w·r is linear in r;
        // its lattice operator is masked): a step below MIN_EDGE_LENGTH checks exactly that.
        const h = i >= 9 && i < 12 ? 1e-7 : 1e-6;
        const p = Float64Array.from(vectors),
          m = Float64Array.from(vectors);
        p[i] += h;
        m[i] -= h;
        expect(Math.abs(gv[i] - (loss(p, weights) - loss(m, weights)) / (2 * h))).toBeLessThan(2e-4);
      }
      const h = 1e-6;
      for (let i = 0; i < weights.length; i++) {
        const p = Float64Array.from(weights),
          m = Float64Array.from(weights);
        p[i] += h;
        m[i] -= h;
        expect(Math.abs(gw[i] - (loss(vectors, p) - loss(vectors, m)) / (2 * h))).toBeLessThan(2e-4);
      }
    });
  }

  it('latticeAction and atomActions accept int32 tensors as indices and match their plain versions', () => {
    const [a, d] = tf.tidy(() => {
      const v = tf.tensor2d(Float32Array.from(vectors), [numEdges, 3]);
      const w = tf.tensor1d(Float32Array.from(column(weights, 1)));
      return [
        latticeAction(v, w, tf.tensor1d(edgeCrystal, 'int32'), 2).dataSync(),
        atomActions(v, w, tf.tensor1d(src, 'int32'), 4, { reduce: 'mean' }).dataSync(),
      ];
    });
    expectClose(a, latticeActionFromArrays(vectors, column(weights, 1), edgeCrystal, 2), 1e-6);
    expectClose(d, atomActionsFromArrays(vectors, column(weights, 1), src, 4, { reduce: 'mean' }), 1e-6);
  });

  it('edgeActions names the argument and what arrived', () => {
    tf.tidy(() => {
      const v = tf.zeros([8, 3]) as tf.Tensor2D;
      expect(() =>
        edgeActions(v, tf.zeros([8, 3]) as tf.Tensor2D, src, edgeCrystal, 4, 2),
      ).toThrowErrorMatchingInlineSnapshot(
        `[InvalidArgumentError: edgeActions: weights must be a tensor of shape [E, 2] = [8, 2], got [8, 3]]`,
      );
      expect(() =>
        edgeActions(v, tf.zeros([8, 2]) as tf.Tensor2D, src.subarray(1), edgeCrystal, 4, 2),
      ).toThrowErrorMatchingInlineSnapshot(
        `[InvalidArgumentError: edgeActions: src must be an Int32Array or 1-D int32 tensor of length 8, got length 7]`,
      );
      expect(() =>
        edgeActions(v, tf.zeros([8, 2]) as tf.Tensor2D, src, edgeCrystal, 4, -1),
      ).toThrowErrorMatchingInlineSnapshot(
        `[InvalidArgumentError: edgeActions: numCrystals must be a non-negative integer, got -1]`,
      );
      expect(() =>
        edgeActions(v, tf.zeros([8, 2]) as tf.Tensor2D, src, edgeCrystal, 4, 2, { map: 'cayley' as 'exp' }),
      ).toThrowErrorMatchingInlineSnapshot(
        `[InvalidArgumentError: edgeActions: options.map must be 'tanh' or 'exp', got cayley]`,
      );
    });
  });
});
