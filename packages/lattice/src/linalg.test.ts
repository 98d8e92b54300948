import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  eigenSymmetric,
  eigenSymmetricInto,
  expSymmetric,
  logSymmetric,
  polarDecomposition,
  polarDecompositionInto,
} from './linalg.js';
import { create, determinant, multiply, transpose } from './mat3.js';

const entry = fc.double({ min: -100, max: 100, noNaN: true });
const mat3 = fc.array(entry, { minLength: 9, maxLength: 9 }).map((a) => Float64Array.from(a));
const symmetric = mat3.map((m) => {
  const s = Float64Array.from(m);
  s[3] = s[1];
  s[6] = s[2];
  s[7] = s[5];
  return s;
});
/** SPD with eigenvalues in [0.05, 20] and a random orientation: Qᵀ diag Q. */
const spd = fc
  .tuple(
    fc.array(fc.double({ min: 0.05, max: 20, noNaN: true }), { minLength: 3, maxLength: 3 }),
    fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
  )
  .filter(([, q]) => Math.hypot(...q) > 0.1)
  .map(([lam, q]) => {
    const r = rotationFromQuaternion(q);
    const d = Float64Array.of(lam[0], 0, 0, 0, lam[1], 0, 0, 0, lam[2]);
    return multiply(create(), multiply(create(), transpose(create(), r), d), r);
  });

function rotationFromQuaternion(q: number[]): Float64Array {
  const n = Math.hypot(...q);
  const [w, x, y, z] = q.map((v) => v / n);
  return Float64Array.of(
    1 - 2 * (y * y + z * z),
    2 * (x * y - z * w),
    2 * (x * z + y * w),
    2 * (x * y + z * w),
    1 - 2 * (x * x + z * z),
    2 * (y * z - x * w),
    2 * (x * z - y * w),
    2 * (y * z + x * w),
    1 - 2 * (x * x + y * y),
  );
}

function maxAbs(m: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) s = Math.max(s, Math.abs(m[i]));
  return s;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(tol);
}

function expectOrthonormalRows(v: Float64Array, tol = 1e-13): void {
  const vvt = multiply(create(), v, transpose(create(), v));
  expectClose(vvt, [1, 0, 0, 0, 1, 0, 0, 0, 1], tol);
}

describe('eigenSymmetric', () => {
  test('eigenSymmetric(m) of a known matrix gives ascending values and unit vectors', () => {
    const { values, vectors } = eigenSymmetric([2, 1, 0, 1, 2, 0, 0, 0, 5]);
    expectClose(values, [1, 3, 5], 1e-15);
    expect(Math.abs(vectors[0] * Math.SQRT2)).toBeCloseTo(1, 15);
    expect(vectors[0] * vectors[1]).toBeCloseTo(-0.5, 15);
    expect(determinant(vectors)).toBeCloseTo(1, 14);
  });

  test.prop([symmetric])('eigenSymmetric(m) reconstructs m = Vᵀ diag(λ) V with orthonormal V, λ ascending', (m) => {
    const { values, vectors } = eigenSymmetric(m);
    expect(values[0]).toBeLessThanOrEqual(values[1]);
    expect(values[1]).toBeLessThanOrEqual(values[2]);
    expectOrthonormalRows(vectors);
    expect(determinant(vectors)).toBeCloseTo(1, 12);
    const d = Float64Array.of(values[0], 0, 0, 0, values[1], 0, 0, 0, values[2]);
    const back = multiply(create(), multiply(create(), transpose(create(), vectors), d), vectors);
    expectClose(back, m, 1e-13 * Math.max(1, maxAbs(m)));
  });

  test('eigenSymmetric(m) handles repeated and zero eigenvalues exactly', () => {
    for (const m of [
      [3, 0, 0, 0, 3, 0, 0, 0, 3],
      [0, 0, 0, 0, 0, 0, 0, 0, 0],
      [2, 1, 1, 1, 2, 1, 1, 1, 2], // eigenvalues 1, 1, 4
      [1, 1, 1, 1, 1, 1, 1, 1, 1], // 0, 0, 3
    ]) {
      const { values, vectors } = eigenSymmetric(m);
      expectOrthonormalRows(vectors);
      const d = Float64Array.of(values[0], 0, 0, 0, values[1], 0, 0, 0, values[2]);
      const back = multiply(create(), multiply(create(), transpose(create(), vectors), d), vectors);
      expectClose(back, m, 1e-14);
    }
    expectClose(eigenSymmetric([2, 1, 1, 1, 2, 1, 1, 1, 2]).values, [1, 1, 4], 1e-14);
    expectClose(eigenSymmetric([1, 1, 1, 1, 1, 1, 1, 1, 1]).values, [0, 0, 3], 1e-14);
  });

  test('eigenSymmetricInto(values, vectors, m) may write its vectors over m', () => {
    const m = Float64Array.of(4, 1, 0, 1, 3, 1, 0, 1, 2);
    const expected = eigenSymmetric(m);
    const values = new Float64Array(3);
    eigenSymmetricInto(values, m, m);
    expectClose(values, expected.values, 0);
    expectClose(m, expected.vectors, 0);
  });

  test('eigenSymmetric rejects asymmetric, short and non-finite input', () => {
    expect(() => eigenSymmetric([1, 2, 0, 0, 1, 0, 0, 0, 1])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: eigenSymmetric: m must be symmetric (|m_ij − m_ji| ≤ 1e-8·max|m|), got asymmetry 2.00 in [1, 2, 0, 0, 1, 0, 0, 0, 1] (length 9)]`,
    );
    expect(() => eigenSymmetric([1, 2, 3])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: eigenSymmetric: m must have length 9, got 3]`,
    );
    expect(() => eigenSymmetric([1, 0, 0, 0, Number.NaN, 0, 0, 0, 1])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: eigenSymmetric: m must be finite, got NaN at index 4]`,
    );
  });
});

describe('polarDecomposition', () => {
  test('polarDecomposition(m) splits a scaled rotation into the rotation and the stretch', () => {
    const { rotation, stretch } = polarDecomposition([0, -2, 0, 1, 0, 0, 0, 0, 1]);
    expectClose(rotation, [0, -1, 0, 1, 0, 0, 0, 0, 1], 1e-15);
    expectClose(stretch, [1, 0, 0, 0, 2, 0, 0, 0, 1], 1e-15);
  });

  test.prop([mat3.filter((m) => Math.abs(determinant(m)) > 1e-3 * maxAbs(m) ** 3)])(
    'polarDecomposition(m) gives m = R·S with R orthogonal (det +1) and S symmetric, SPD when det m > 0',
    (m) => {
      const { rotation, stretch } = polarDecomposition(m);
      expectOrthonormalRows(rotation, 1e-12);
      expect(determinant(rotation)).toBeCloseTo(1, 12);
      expectClose(stretch, transpose(create(), stretch), 0);
      expectClose(multiply(create(), rotation, stretch), m, 1e-11 * maxAbs(m));
      const lam = eigenSymmetric(stretch).values;
      if (determinant(m) > 0) expect(lam[0]).toBeGreaterThan(0);
      else {
        // one negative eigenvalue, the one of smallest magnitude
        expect(lam[0]).toBeLessThan(0);
        expect(lam[1]).toBeGreaterThan(0);
        expect(-lam[0]).toBeLessThanOrEqual(lam[1] * (1 + 1e-12));
      }
    },
  );

  test('polarDecomposition stays accurate for a badly conditioned m (κ ≈ 1e8)', () => {
    const r = rotationFromQuaternion([0.3, -0.5, 0.2, 0.7]);
    const m = multiply(create(), r, Float64Array.of(1e4, 0, 0, 0, 1, 0, 0, 0, 1e-4));
    const { rotation, stretch } = polarDecomposition(m);
    expectClose(rotation, r, 1e-12);
    expectClose(stretch, [1e4, 0, 0, 0, 1, 0, 0, 0, 1e-4], 1e-10);
  });

  test('polarDecomposition works at any scale: entries of 1e-106 (a subnormal determinant) and of 1e+150', () => {
    // the counterexample fast-check found (seed 930175850): the determinant underflowed and R came out NaN
    const tiny = Float64Array.of(
      6.379218301854546e-106,
      0,
      0,
      0,
      0,
      1.015341687293389e-108,
      0,
      -4.0079654899137993e-106,
      0,
    );
    const unit = Float64Array.from(tiny, (x) => x * 1e106);
    for (const [m, scale] of [
      [tiny, 1e-106],
      [Float64Array.from(unit, (x) => x * 1e150), 1e150],
    ] as const) {
      const { rotation, stretch } = polarDecomposition(m);
      const ref = polarDecomposition(unit);
      expectClose(rotation, ref.rotation, 1e-12);
      expectClose(
        stretch,
        Float64Array.from(ref.stretch, (x) => x * scale),
        1e-12 * scale,
      );
      expectClose(multiply(create(), rotation, stretch), m, 1e-11 * maxAbs(m));
    }
  });

  test('polarDecompositionInto(rotation, stretch, m) may write over m', () => {
    const m = Float64Array.of(1, 0.2, 0, -0.3, 1.1, 0.1, 0, 0.4, 0.9);
    const expected = polarDecomposition(m);
    const stretch = create();
    expect(polarDecompositionInto(m, stretch, m)).toBe(true);
    expectClose(m, expected.rotation, 0);
    expectClose(stretch, expected.stretch, 0);
    expect(polarDecompositionInto(create(), create(), [1, 0, 0, 0, 0, 0, 0, 0, 1])).toBe(false);
  });

  test('polarDecomposition rejects a singular matrix', () => {
    expect(() => polarDecomposition([1, 2, 3, 2, 4, 6, 0, 0, 1])).toThrowErrorMatchingInlineSnapshot(
      `[DegenerateLatticeError: polarDecomposition: m must be non-singular, got det 0.000 for [1, 2, 3, 2, 4, 6, 0, 0, 1] (length 9)]`,
    );
  });
});

describe('expSymmetric and logSymmetric', () => {
  test('expSymmetric and logSymmetric act on eigenvalues of diagonal matrices', () => {
    expectClose(expSymmetric(create(), [0, 0, 0, 0, Math.log(2), 0, 0, 0, 0]), [1, 0, 0, 0, 2, 0, 0, 0, 1], 1e-15);
    expectClose(logSymmetric(create(), [1, 0, 0, 0, Math.E, 0, 0, 0, 1]), [0, 0, 0, 0, 1, 0, 0, 0, 0], 1e-15);
  });

  test.prop([spd])('expSymmetric(logSymmetric(S)) = S for SPD S', (s) => {
    const back = expSymmetric(create(), logSymmetric(create(), s));
    expectClose(back, s, 1e-12 * maxAbs(s));
  });

  test.prop([symmetric.map((m) => m.map((x) => x / 30))])('logSymmetric(expSymmetric(X)) = X', (x) => {
    const back = logSymmetric(create(), expSymmetric(create(), x));
    expectClose(back, x, 1e-11 * Math.max(1, maxAbs(x)));
  });

  test('expSymmetric(out, s) and logSymmetric(out, s) may write over s', () => {
    const s = Float64Array.of(2, 0.5, 0.1, 0.5, 1.5, 0.2, 0.1, 0.2, 1);
    const e = expSymmetric(create(), s);
    const l = logSymmetric(create(), s);
    const a = Float64Array.from(s);
    expect(expSymmetric(a, a)).toBe(a);
    expectClose(a, e, 0);
    const b = Float64Array.from(s);
    logSymmetric(b, b);
    expectClose(b, l, 0);
  });

  test('logSymmetric rejects a matrix that is not positive-definite', () => {
    expect(() => logSymmetric(create(), [1, 0, 0, 0, -1, 0, 0, 0, 1])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: logSymmetric: s must be positive-definite, got smallest eigenvalue -1.00000 in [1, 0, 0, 0, -1, 0, 0, 0, 1] (length 9)]`,
    );
    expect(() => expSymmetric(create(), [0, 1, 0, 0, 0, 0, 0, 0, 0])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: expSymmetric: s must be symmetric (|m_ij − m_ji| ≤ 1e-8·max|m|), got asymmetry 1.00 in [0, 1, 0, 0, 0, 0, 0, 0, 0] (length 9)]`,
    );
  });
});
