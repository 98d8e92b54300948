import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs';
import { radiusGraph } from '@crys/graph';
import { type Crystal, create, fracToCart, multiply } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import {
  applyActions,
  applyActionsFromArrays,
  applyActionsToCrystal,
  type CrystalAction,
  composeActions,
  invertLattices,
} from './apply.js';
import { edgeVectorsOf } from './crystal-actions.js';
import { boundedDeformationMat3 } from './deformation.js';
import { readVal } from '../test/crystals.js';

const crystals = [...readVal('perov_5', 3), ...readVal('carbon_24', 3)];

function transformRows(rows: ArrayLike<number>, g: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i += 3) {
    for (let j = 0; j < 3; j++) out[i + j] = rows[i] * g[j] + rows[i + 1] * g[3 + j] + rows[i + 2] * g[6 + j];
  }
  return out;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

const symAction = fc
  .float64Array({ minLength: 6, maxLength: 6, min: -0.5, max: 0.5, noNaN: true })
  .map((v) => boundedDeformationMat3(create(), [v[0], v[1], v[2], v[1], v[3], v[4], v[2], v[4], v[5]]));

function actionFor(c: Crystal, g: Float64Array, seed: number): CrystalAction {
  const n = c.atomicNumbers.length;
  return {
    deformation: g,
    atomActionsCart: Float64Array.from({ length: 3 * n }, (_, i) => 0.3 * Math.sin(seed + 1.7 * i)),
  };
}

describe('applyActionsToCrystal', () => {
  test.prop([symAction, fc.integer({ min: 0, max: crystals.length - 1 })])(
    'L·g deforms every Cartesian edge vector r of a val crystal to r·g (no displacement, no wrap)',
    (g, k) => {
      const c = crystals[k];
      const graph = radiusGraph(c, { cutoff: 4, vectors: true });
      const next = applyActionsToCrystal(
        c,
        { deformation: g, atomActionsCart: new Float64Array(c.fracCoords.length) },
        { wrap: false },
      );
      expectClose(next.fracCoords, c.fracCoords, 0);
      expectClose(edgeVectorsOf(next, graph), transformRows(graph.vectors!, g), 1e-12);
    },
  );

  test.prop([symAction, fc.integer({ min: 0, max: crystals.length - 1 })])(
    'applyActionsToCrystal moves atoms in the current cell, then deforms: cart′ = (cart + d)·g',
    (g, k) => {
      const c = crystals[k];
      const action = actionFor(c, g, k);
      const next = applyActionsToCrystal(c, action, { wrap: false });
      const cart = fracToCart(new Float64Array(c.fracCoords.length), c.fracCoords, c.lattice);
      for (let i = 0; i < cart.length; i++) cart[i] += action.atomActionsCart[i];
      expectClose(
        fracToCart(new Float64Array(cart.length), next.fracCoords, next.lattice),
        transformRows(cart, g),
        1e-12,
      );
      expectClose(next.lattice, multiply(create(), c.lattice, g), 0);
      expect(next.atomicNumbers).toBe(c.atomicNumbers);
      const wrapped = applyActionsToCrystal(c, action);
      for (const x of wrapped.fracCoords) expect(x >= 0 && x < 1).toBe(true);
    },
  );

  test.prop([symAction, symAction, fc.integer({ min: 0, max: crystals.length - 1 })])(
    'composeActions(a₁, a₂) applied once equals a₁ then a₂ (lattice exactly, coordinates modulo 1)',
    (g1, g2, k) => {
      const c = crystals[k];
      const a1 = actionFor(c, g1, 1),
        a2 = actionFor(c, g2, 2);
      const stepwise = applyActionsToCrystal(applyActionsToCrystal(c, a1), a2);
      const once = applyActionsToCrystal(c, composeActions(a1, a2));
      expectClose(once.lattice, stepwise.lattice, 1e-12);
      for (let i = 0; i < once.fracCoords.length; i++) {
        const d = once.fracCoords[i] - stepwise.fracCoords[i];
        expect(Math.abs(d - Math.round(d))).toBeLessThan(1e-12);
      }
    },
  );

  it('applyActionsFromArrays on a batch equals applyActionsToCrystal crystal by crystal, and may not collapse a cell', () => {
    const gs = crystals.map((_, b) =>
      boundedDeformationMat3(create(), [0.1 * b, 0.05, 0, 0.05, -0.1, 0.02, 0, 0.02, 0.3]),
    );
    const actions = crystals.map((c, b) => actionFor(c, gs[b], b));
    const batch = applyActionsFromArrays(
      crystals.flatMap((c) => Array.from(c.lattice)),
      crystals.flatMap((c) => Array.from(c.fracCoords)),
      Int32Array.from(crystals.flatMap((c, b) => new Array(c.atomicNumbers.length).fill(b))),
      gs.flatMap((g) => Array.from(g)),
      actions.flatMap((a) => Array.from(a.atomActionsCart)),
    );
    let offset = 0;
    crystals.forEach((c, b) => {
      const one = applyActionsToCrystal(c, actions[b]);
      expectClose(batch.lattices.subarray(9 * b, 9 * b + 9), one.lattice, 0);
      expectClose(batch.frac.subarray(offset, offset + one.fracCoords.length), one.fracCoords, 0);
      offset += one.fracCoords.length;
    });
    const c = crystals[0];
    const flat = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 0);
    expect(() =>
      applyActionsToCrystal(c, { deformation: flat, atomActionsCart: new Float64Array(15) }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: applyActionsToCrystal: action.deformation must have a positive determinant (a deformation cannot collapse or invert the cell), got det 0.000]`,
    );
    expect(() =>
      applyActionsToCrystal(c, { deformation: gs[0], atomActionsCart: new Float64Array(3) }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: applyActionsToCrystal: action.atomActionsCart must have length 3·n = 15, got 3]`,
    );
    expect(() =>
      applyActionsFromArrays(c.lattice, c.fracCoords, Int32Array.of(0, 0, 0, 0, 1), gs[0], new Float64Array(15)),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: applyActionsFromArrays: crystalIndex must hold indices in [0, B = 1), got 1 at index 4]`,
    );
    expect(() => composeActions(actions[0], actions[3])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: composeActions: second.atomActionsCart must have length 3·n (as first.atomActionsCart) = 15, got 24]`,
    );
  });
});

describe('applyActions (tensor)', () => {
  const lattices = crystals.slice(0, 2).flatMap((c) => Array.from(c.lattice));
  const frac = crystals.slice(0, 2).flatMap((c) => Array.from(c.fracCoords));
  const crystalIndex = Int32Array.from(
    crystals.slice(0, 2).flatMap((c, b) => new Array(c.atomicNumbers.length).fill(b)),
  );
  const n = crystalIndex.length;
  const gs = [
    ...boundedDeformationMat3(create(), [0.1, 0.05, 0, 0.05, -0.1, 0.02, 0, 0.02, 0.3]),
    ...boundedDeformationMat3(create(), [-0.2, 0, 0.1, 0, 0.1, 0, 0.1, 0, 0]),
  ];
  const d = Array.from({ length: 3 * n }, (_, i) => 0.2 * Math.cos(0.7 * i));

  it('invertLattices(L) gives L⁻¹', () => {
    const inv = tf.tidy(() => invertLattices(tf.tensor3d(lattices, [2, 3, 3])).dataSync());
    for (let b = 0; b < 2; b++) {
      const prod = multiply(create(), lattices.slice(9 * b, 9 * b + 9), inv.subarray(9 * b, 9 * b + 9));
      expectClose(prod, [1, 0, 0, 0, 1, 0, 0, 0, 1], 1e-6);
    }
  });

  for (const wrap of [false, true]) {
    it(`applyActions(…, { wrap: ${wrap} }) matches applyActionsFromArrays and its gradients match finite differences`, () => {
      const want = applyActionsFromArrays(lattices, frac, crystalIndex, gs, d, { wrap });
      const cl = Float64Array.from({ length: 18 }, (_, i) => Math.sin(0.3 * i + 1));
      const cf = Float64Array.from({ length: 3 * n }, (_, i) => Math.cos(0.45 * i));
      const loss = (l: number[], x: number[], g: number[], dd: number[]) => {
        const o = applyActionsFromArrays(l, x, crystalIndex, g, dd, { wrap: false });
        return o.lattices.reduce((s, v, i) => s + v * cl[i], 0) + o.frac.reduce((s, v, i) => s + v * cf[i], 0);
      };
      const before = tf.memory().numTensors;
      const [outL, outX, ...grads] = tf.tidy(() => {
        const inputs = [
          tf.tensor3d(lattices, [2, 3, 3]),
          tf.tensor2d(frac, [n, 3]),
          tf.tensor3d(gs, [2, 3, 3]),
          tf.tensor2d(d, [n, 3]),
        ] as const;
        const f = (l: tf.Tensor, x: tf.Tensor, g: tf.Tensor, dd: tf.Tensor) => {
          const o = applyActions(
            l as tf.Tensor3D,
            x as tf.Tensor2D,
            crystalIndex,
            g as tf.Tensor3D,
            dd as tf.Tensor2D,
            { wrap },
          );
          return tf.add(
            tf.sum(tf.mul(o.lattices, tf.tensor3d(Float32Array.from(cl), [2, 3, 3]))),
            tf.sum(tf.mul(o.frac, tf.tensor2d(Float32Array.from(cf), [n, 3]))),
          );
        };
        const o = applyActions(inputs[0], inputs[1], crystalIndex, inputs[2], inputs[3], { wrap });
        const gr = tf.grads(f)([...inputs]);
        return [o.lattices.dataSync(), o.frac.dataSync(), ...gr.map((t) => t.dataSync())];
      });
      expect(tf.memory().numTensors).toBe(before);
      expectClose(outL, want.lattices, 1e-4);
      for (let i = 0; i < outX.length; i++) {
        const diff = outX[i] - want.frac[i];
        expect(Math.abs(diff - (wrap ? Math.round(diff) : 0))).toBeLessThan(1e-5);
        if (wrap) expect(outX[i] >= 0 && outX[i] < 1).toBe(true);
      }
      // Wrapping shifts by integers, so the gradient is the unwrapped one.
      const args = [lattices, frac, gs, d];
      args.forEach((arg, k) => {
        for (let i = 0; i < arg.length; i++) {
          const p = args.map((a) => [...a]),
            m = args.map((a) => [...a]);
          p[k][i] += 1e-6;
          m[k][i] -= 1e-6;
          const fd = (loss(p[0], p[1], p[2], p[3]) - loss(m[0], m[1], m[2], m[3])) / 2e-6;
          expect(Math.abs(grads[k][i] - fd)).toBeLessThan(2e-4 * Math.max(1, Math.abs(fd)));
        }
      });
    });
  }

  it('applyActions names the argument and what arrived', () => {
    tf.tidy(() => {
      const l = tf.tensor3d(lattices, [2, 3, 3]),
        x = tf.tensor2d(frac, [n, 3]);
      expect(() =>
        applyActions(l, x, crystalIndex, tf.zeros([1, 3, 3]) as tf.Tensor3D, tf.zeros([n, 3]) as tf.Tensor2D),
      ).toThrowErrorMatchingInlineSnapshot(
        `[InvalidArgumentError: applyActions: deformations must have shape [B, 3, 3] = [2, 3, 3] like lattices, got [1, 3, 3]]`,
      );
      expect(() =>
        applyActions(l, x, crystalIndex, tf.tensor3d(gs, [2, 3, 3]), tf.zeros([n + 1, 3]) as tf.Tensor2D),
      ).toThrowErrorMatchingInlineSnapshot(
        `[InvalidArgumentError: applyActions: atomActionsCart must be a tensor of shape [N, 3] = [10, 3], got [11, 3]]`,
      );
      expect(() =>
        applyActions(l, x, crystalIndex.subarray(1), tf.tensor3d(gs, [2, 3, 3]), tf.zeros([n, 3]) as tf.Tensor2D),
      ).toThrowErrorMatchingInlineSnapshot(
        `[InvalidArgumentError: applyActions: crystalIndex must be an Int32Array or 1-D int32 tensor of length 10, got length 9]`,
      );
    });
  });
});
