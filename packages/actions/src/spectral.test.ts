import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs';
import { create, multiply, transpose } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import {
  eigenSymmetric3,
  expFunction,
  spectralMapMat3,
  spectralMapTensor,
  sqrtFunction,
  tanhDeformationFunction,
} from './spectral.js';
import { randomOrthogonal } from '../test/crystals.js';

const sym = fc
  .float64Array({ minLength: 6, maxLength: 6, min: -3, max: 3, noNaN: true })
  .map((v) => Float64Array.of(v[0], v[1], v[2], v[1], v[3], v[4], v[2], v[4], v[5]));
const unit = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const rotation = fc.tuple(unit, unit, unit).map(([a, b, c]) => {
  const xs = [a, b, c];
  return randomOrthogonal(() => xs.shift() as number);
});

function conj(r: Float64Array, a: ArrayLike<number>): Float64Array {
  return multiply(create(), multiply(create(), r, a), transpose(create(), r));
}

describe('eigenSymmetric3', () => {
  test.prop([sym])(
    'eigenSymmetric3(values, vectors, a) gives ascending λ and orthonormal U with A = U·diag(λ)·Uᵀ',
    (a) => {
      const lam = new Float64Array(3),
        u = new Float64Array(9);
      eigenSymmetric3(lam, u, a);
      expect(lam[0]).toBeLessThanOrEqual(lam[1]);
      expect(lam[1]).toBeLessThanOrEqual(lam[2]);
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          let uu = 0,
            rec = 0;
          for (let k = 0; k < 3; k++) {
            uu += u[3 * k + i] * u[3 * k + j];
            rec += u[3 * i + k] * lam[k] * u[3 * j + k];
          }
          expect(uu).toBeCloseTo(i === j ? 1 : 0, 12);
          expect(rec).toBeCloseTo(a[3 * i + j], 12);
        }
      }
    },
  );

  it('eigenSymmetric3 handles a multiple of the identity (repeated eigenvalues) exactly', () => {
    const lam = new Float64Array(3),
      u = new Float64Array(9);
    eigenSymmetric3(lam, u, [2, 0, 0, 0, 2, 0, 0, 0, 2]);
    expect(Array.from(lam)).toEqual([2, 2, 2]);
    expect(Array.from(u)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('eigenSymmetric3 reads a 9·B batch at an offset and writes slot k', () => {
    const lam = new Float64Array(6),
      u = new Float64Array(18);
    eigenSymmetric3(lam, u, [9, 9, 9, 9, 9, 9, 9, 9, 9, 3, 0, 0, 0, 1, 0, 0, 0, 2], 9, 1);
    expect(Array.from(lam.subarray(3))).toEqual([1, 2, 3]);
  });
});

describe('spectralMapMat3', () => {
  test.prop([sym, rotation])('spectralMapMat3 is equivariant: f(R·A·Rᵀ) = R·f(A)·Rᵀ', (a, r) => {
    const f = tanhDeformationFunction(0.3);
    const lhs = spectralMapMat3(new Float64Array(9), conj(r, a), f);
    const rhs = conj(r, spectralMapMat3(new Float64Array(9), a, f));
    for (let i = 0; i < 9; i++) expect(lhs[i]).toBeCloseTo(rhs[i], 12);
  });

  it('an elementwise tanh is NOT equivariant (why the map is spectral)', () => {
    const a = Float64Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0);
    const c = Math.SQRT1_2;
    const r = Float64Array.of(c, -c, 0, c, c, 0, 0, 0, 1); // 45° about z
    const elementwise = (m: ArrayLike<number>) => Float64Array.from(m, (x) => Math.tanh(x));
    const lhs = elementwise(conj(r, a)),
      rhs = conj(r, elementwise(a));
    let diff = 0;
    for (let i = 0; i < 9; i++) diff = Math.max(diff, Math.abs(lhs[i] - rhs[i]));
    expect(diff).toBeGreaterThan(0.25); // tanh(1) − tanh(2)/2 ≈ 0.28
  });

  it('spectralMapMat3 with exp matches the diagonal case and writes into an aliased out', () => {
    const a = Float64Array.of(1, 0, 0, 0, Math.log(2), 0, 0, 0, 0);
    spectralMapMat3(a, a, expFunction);
    const want = [Math.E, 0, 0, 0, 2, 0, 0, 0, 1];
    for (let i = 0; i < 9; i++) expect(a[i]).toBeCloseTo(want[i], 14);
  });

  test.prop([fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true })])(
    'divided differences agree with (f(a) − f(b))/(a − b) and are finite at a = b',
    (a, b) => {
      for (const f of [tanhDeformationFunction(0.2), expFunction, sqrtFunction]) {
        const aa = f === sqrtFunction ? Math.abs(a) + 0.1 : a,
          bb = f === sqrtFunction ? Math.abs(b) + 0.1 : b;
        const d = f.divided(aa, bb);
        expect(Number.isFinite(d)).toBe(true);
        if (Math.abs(aa - bb) > 1e-3) {
          expect(d).toBeCloseTo((f.value(aa) - f.value(bb)) / (aa - bb), 8);
        } else {
          // (f(a) − f(b))/(a − b) = f′((a + b)/2) + O((a − b)²)
          const h = 1e-6,
            mid = (aa + bb) / 2;
          expect(d).toBeCloseTo((f.value(mid + h) - f.value(mid - h)) / (2 * h), 4);
        }
      }
    },
  );
});

describe('spectralMapTensor', () => {
  const fns = { tanh: tanhDeformationFunction(0.2), exp: expFunction } as const;
  // Directional finite differences of the Float64 plain map against the float32 tensor gradient.
  for (const [name, f] of Object.entries(fns)) {
    for (const [label, a] of [
      ['generic', [0.3, 0.1, -0.2, 0.1, -0.1, 0.05, -0.2, 0.05, 0.2]],
      ['repeated eigenvalues (cubic: A ∝ I)', [0.1, 0, 0, 0, 0.1, 0, 0, 0, 0.1]],
      ['zero', [0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ] as const) {
      it(`spectralMapTensor(${name}) gradient matches finite differences for ${label}`, () => {
        const c = Float64Array.from({ length: 9 }, (_, i) => Math.sin(3 * i + 1));
        const loss = (m: ArrayLike<number>) => {
          const out = spectralMapMat3(new Float64Array(9), m, f);
          let s = 0;
          for (let i = 0; i < 9; i++) s += c[i] * out[i];
          return s;
        };
        const before = tf.memory().numTensors;
        const grad = tf.tidy(() => {
          const g = tf.grad((x: tf.Tensor) =>
            tf.sum(tf.mul(spectralMapTensor(x as tf.Tensor3D, f), tf.tensor3d(Float32Array.from(c), [1, 3, 3]))),
          );
          return g(tf.tensor3d(Float32Array.from(a), [1, 3, 3])).dataSync();
        });
        expect(tf.memory().numTensors).toBe(before);
        const h = 1e-6;
        for (let i = 0; i < 9; i++) {
          const p = Float64Array.from(a),
            m = Float64Array.from(a);
          p[i] += h;
          m[i] -= h;
          // The map reads sym(A): the gradient w.r.t. A_ij is half the symmetric-direction derivative.
          expect(grad[i]).toBeCloseTo((loss(p) - loss(m)) / (2 * h), 4);
        }
        const value = tf.tidy(() => spectralMapTensor(tf.tensor3d(Float32Array.from(a), [1, 3, 3]), f).dataSync());
        const want = spectralMapMat3(new Float64Array(9), a, f);
        for (let i = 0; i < 9; i++) expect(value[i]).toBeCloseTo(want[i], 6);
      });
    }
  }
});
