import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs';
import { create, determinant, multiply, polarDecomposition, transpose } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import {
  boundedDeformation,
  boundedDeformationMat3,
  deformationPart,
  deformationPartMat3,
  symmetricSplit,
} from './deformation.js';
import { eigenSymmetric3 } from './spectral.js';
import { randomOrthogonal } from '../test/crystals.js';

const sym = (scale: number) =>
  fc
    .float64Array({ minLength: 6, maxLength: 6, min: -scale, max: scale, noNaN: true })
    .map((v) => Float64Array.of(v[0], v[1], v[2], v[1], v[3], v[4], v[2], v[4], v[5]));
const unit = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const orthogonal = fc.tuple(unit, unit, unit, fc.boolean()).map(([a, b, c, reflect]) => {
  const xs = [a, b, c];
  return randomOrthogonal(() => xs.shift() as number, reflect);
});

describe('boundedDeformationMat3', () => {
  test.prop([sym(50), fc.double({ min: 0.01, max: 0.99, noNaN: true })])(
    'boundedDeformationMat3(out, A, { bound: λ }) is symmetric with eigenvalues in (1 − λ, 1 + λ), so det > 0',
    (a, bound) => {
      const g = boundedDeformationMat3(new Float64Array(9), a, { bound });
      expect(g[1]).toBe(g[3]);
      const lam = new Float64Array(3);
      eigenSymmetric3(lam, new Float64Array(9), g);
      expect(lam[0]).toBeGreaterThanOrEqual(1 - bound - 1e-12);
      expect(lam[2]).toBeLessThanOrEqual(1 + bound + 1e-12);
      expect(determinant(g)).toBeGreaterThan(0);
    },
  );

  test.prop([sym(3)])("boundedDeformationMat3(out, A, { map: 'exp' }) has det = e^{tr A}", (a) => {
    const g = boundedDeformationMat3(new Float64Array(9), a, { map: 'exp' });
    // det g from g's entries (up to e^{λmax}) loses ≈ ε·e^{3λmax − tr A} relative: measured on 2·10⁵ random A at most
    // 3× that, and above a fixed 5e-10 in 1 of 10⁴ draws (a seed of CI found one), so the bound follows it.
    const values = new Float64Array(3);
    eigenSymmetric3(values, new Float64Array(9), a);
    const tr = a[0] + a[4] + a[8];
    const tol = 5e-10 + 16 * Number.EPSILON * Math.exp(3 * Math.max(...values) - tr);
    expect(Math.abs(Math.log(determinant(g)) - tr)).toBeLessThan(tol);
  });

  test.prop([sym(1e-4)])('boundedDeformationMat3 is I + A to first order for a small action (both maps)', (a) => {
    for (const map of ['tanh', 'exp'] as const) {
      const g = boundedDeformationMat3(new Float64Array(9), a, { map });
      for (let i = 0; i < 9; i++) expect(g[i] - (i % 4 === 0 ? 1 : 0) - a[i]).toBeCloseTo(0, 7);
    }
  });

  it('boundedDeformationMat3 validates its input and options', () => {
    expect(() => boundedDeformationMat3(create(), [1, 2, 3])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: boundedDeformationMat3: a must have length 9, got 3]`,
    );
    expect(() =>
      boundedDeformationMat3(create(), new Float64Array(9), { bound: 0 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: boundedDeformationMat3: options.bound must be in (0, 1), got 0]`,
    );
    expect(() =>
      boundedDeformationMat3(create(), [Number.NaN, 0, 0, 0, 0, 0, 0, 0, 0]),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: boundedDeformationMat3: a must be finite, got NaN at index 0]`,
    );
  });
});

describe('deformationPartMat3', () => {
  test.prop([sym(0.3), orthogonal])(
    'deformationPartMat3(out, V·Q) = V for V symmetric positive-definite and Q orthogonal (rotation discarded)',
    (s, q) => {
      const v = boundedDeformationMat3(new Float64Array(9), s, { map: 'exp' });
      const got = deformationPartMat3(new Float64Array(9), multiply(create(), v, q));
      for (let i = 0; i < 9; i++) expect(got[i]).toBeCloseTo(v[i], 10);
    },
  );

  test.prop([fc.float64Array({ minLength: 9, maxLength: 9, min: -3, max: 3, noNaN: true })])(
    'deformationPartMat3(out, M) keeps the metric: V·Vᵀ = M·Mᵀ, so L·V has the lengths and angles of L·M',
    (m) => {
      const v = deformationPartMat3(new Float64Array(9), m);
      const vv = multiply(create(), v, v),
        mm = multiply(create(), m, transpose(create(), m));
      for (let i = 0; i < 9; i++) expect(vv[i]).toBeCloseTo(mm[i], 9);
    },
  );

  test.prop([fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 9, maxLength: 9 }), orthogonal])(
    'deformationPartMat3(out, M) = R·U·Rᵀ for the right polar decomposition M = R·U of @crys/lattice (det M > 0)',
    (noise, q) => {
      // M = (2I + noise)·Q with Q a rotation: generic, and det M > 0 whenever det(2I + noise) > 0.
      const p = Float64Array.from(noise, (x, i) => x + (i % 4 === 0 ? 2 : 0));
      const m = multiply(create(), p, determinant(q) > 0 ? q : Float64Array.from(q, (x) => -x));
      fc.pre(determinant(m) > 1e-2);
      const { rotation, stretch } = polarDecomposition(m);
      const want = multiply(create(), multiply(create(), rotation, stretch), transpose(create(), rotation));
      const got = deformationPartMat3(new Float64Array(9), m);
      for (let i = 0; i < 9; i++) expect(got[i]).toBeCloseTo(want[i], 8);
    },
  );

  it('deformationPartMat3 may write into its input', () => {
    const m = Float64Array.of(0, 2, 0, -1, 0, 0, 0, 0, 3); // diag(2, 1, 3) after a 90° turn
    deformationPartMat3(m, m);
    const want = [2, 0, 0, 0, 1, 0, 0, 0, 3];
    for (let i = 0; i < 9; i++) expect(m[i]).toBeCloseTo(want[i], 14);
  });
});

describe('tensor deformation ops', () => {
  const a = [
    [0.3, 0.1, -0.2, 0.1, -0.1, 0.05, -0.2, 0.05, 0.2],
    [0.1, 0, 0, 0, 0.1, 0, 0, 0, 0.1],
  ];
  it('boundedDeformation and deformationPart match their Float64 versions; symmetricSplit adds back up', () => {
    const before = tf.memory().numTensors;
    const [g, v, s, w] = tf.tidy(() => {
      const t = tf.tensor3d(a.flat(), [2, 3, 3]);
      const m = tf.tensor3d([1, 0.2, 0, -0.3, 0.9, 0.1, 0.05, 0, 1.1, 0, 1, 0, -1, 0, 0, 0, 0, 2], [2, 3, 3]);
      const split = symmetricSplit(m);
      return [boundedDeformation(t, { bound: 0.3 }), deformationPart(m), split.symmetric, split.antisymmetric].map(
        (x) => x.dataSync(),
      );
    });
    expect(tf.memory().numTensors).toBe(before);
    for (let b = 0; b < 2; b++) {
      const want = boundedDeformationMat3(new Float64Array(9), a[b], { bound: 0.3 });
      for (let i = 0; i < 9; i++) expect(g[9 * b + i]).toBeCloseTo(want[i], 6);
    }
    const m0 = [1, 0.2, 0, -0.3, 0.9, 0.1, 0.05, 0, 1.1];
    const v0 = deformationPartMat3(new Float64Array(9), m0);
    for (let i = 0; i < 9; i++) expect(v[i]).toBeCloseTo(v0[i], 6);
    for (let i = 0; i < 9; i++) expect(v[9 + i]).toBeCloseTo([1, 0, 0, 0, 1, 0, 0, 0, 2][i], 6);
    for (let i = 0; i < 9; i++) expect(s[i] + w[i]).toBeCloseTo(m0[i], 6);
    expect(w[0]).toBe(0);
    expect(w[1]).toBeCloseTo(-w[3], 7);
  });

  it('deformationPart(M) gradient matches finite differences of deformationPartMat3', () => {
    const m0 = Float64Array.of(1, 0.2, 0, -0.3, 0.9, 0.1, 0.05, 0, 1.1);
    const c = Float64Array.from({ length: 9 }, (_, i) => Math.sin(2 * i + 1));
    const loss = (m: Float64Array) => deformationPartMat3(new Float64Array(9), m).reduce((s, x, i) => s + x * c[i], 0);
    const grad = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) =>
          tf.sum(tf.mul(deformationPart(x as tf.Tensor3D), tf.tensor3d(Float32Array.from(c), [1, 3, 3]))),
        )(tf.tensor3d(Float32Array.from(m0), [1, 3, 3]))
        .dataSync(),
    );
    for (let i = 0; i < 9; i++) {
      const p = Float64Array.from(m0),
        m = Float64Array.from(m0);
      p[i] += 1e-6;
      m[i] -= 1e-6;
      expect(grad[i]).toBeCloseTo((loss(p) - loss(m)) / 2e-6, 4);
    }
  });

  it('the tensor ops reject a wrong shape', () => {
    tf.tidy(() => {
      expect(() => boundedDeformation(tf.zeros([2, 9]) as unknown as tf.Tensor3D)).toThrowErrorMatchingInlineSnapshot(
        `[InvalidArgumentError: boundedDeformation: a must be a tensor of shape [B, 3, 3], got [2, 9]]`,
      );
      expect(() => deformationPart(tf.zeros([2, 3, 2]) as tf.Tensor3D)).toThrowErrorMatchingInlineSnapshot(
        `[InvalidArgumentError: deformationPart: m must be a tensor of shape [B, 3, 3], got [2, 3, 2]]`,
      );
    });
  });
});
