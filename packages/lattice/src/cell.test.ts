import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  handedness,
  latticeFromParameters,
  latticeFromParametersInto,
  latticeParameters,
  metricTensor,
  planeSpacings,
  reciprocalLattice,
  volume,
} from './cell.js';
import { cartToFrac, fracToCart, minimumImage, wrapFrac } from './coords.js';
import { createCrystal } from './crystal.js';
import { multiply } from './mat3.js';
import { createRng } from './random.js';
import { randomLattice } from './random-cell.js';
import { assertFiniteArray, assertLattice } from './validate.js';

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('cell', () => {
  test('latticeFromParameters(a, b, c, α, β, γ) puts a along x and b in the xy-plane', () => {
    const l = latticeFromParameters(3, 4, 5, 90, 90, 120);
    expect(l[0]).toBe(3);
    expect(l[1]).toBe(0);
    expect(l[5]).toBe(0);
    expect(l[3]).toBeCloseTo(-2, 14);
    expect(Array.from(latticeFromParameters(4, 4, 4, 90, 90, 90))).toEqual([4, 0, 0, 0, 4, 0, 0, 0, 4]);
  });

  test.prop([seed])('latticeParameters(latticeFromParameters(p)) returns p', (s) => {
    const rng = createRng(s);
    const l = randomLattice(rng);
    const p = latticeParameters(l);
    const back = latticeParameters(latticeFromParameters(p.a, p.b, p.c, p.alpha, p.beta, p.gamma));
    for (const k of ['a', 'b', 'c', 'alpha', 'beta', 'gamma'] as const) expect(back[k]).toBeCloseTo(p[k], 10);
  });

  test.prop([seed])('reciprocalLattice(L) · Lᵀ = I, and metricTensor, planeSpacings, volume agree', (s) => {
    const l = randomLattice(createRng(s), { skew: 4, rotate: true });
    const r = reciprocalLattice(l);
    const lt = multiply(
      new Float64Array(9),
      l,
      Float64Array.from([r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]]),
    );
    // Rounding grows with the condition number κ = ‖L‖·‖L⁻¹‖ (Frobenius; up to ~5000 for skew 4), and with κ² for
    // the determinant of the metric G = L·Lᵀ: over 200 000 such lattices the worst errors were 18·κ·10⁻¹⁶ and
    // 255·κ²·10⁻¹⁶ (6·10⁻⁹), so fixed 9-digit tolerances failed now and then. Bounds: 100·κ·10⁻¹⁶ and 1000·κ²·10⁻¹⁶.
    const kappa = Math.hypot(...l) * Math.hypot(...r);
    for (let i = 0; i < 9; i++) expect(Math.abs(lt[i] - (i % 4 === 0 ? 1 : 0))).toBeLessThan(1e-14 * kappa);
    const g = metricTensor(l);
    const v2 =
      g[0] * (g[4] * g[8] - g[5] * g[7]) - g[1] * (g[3] * g[8] - g[5] * g[6]) + g[2] * (g[3] * g[7] - g[4] * g[6]);
    expect(Math.abs(Math.sqrt(v2) / volume(l) - 1)).toBeLessThan(1e-13 * kappa * kappa);
    const h = planeSpacings(l);
    for (let i = 0; i < 3; i++) expect(h[i] * Math.hypot(r[3 * i], r[3 * i + 1], r[3 * i + 2])).toBeCloseTo(1, 12);
    expect(handedness(l)).toBe(1);
    expect(handedness([-1, 0, 0, 0, 1, 0, 0, 0, 1])).toBe(-1);
  });

  test('latticeFromParameters rejects bad lengths and angles with the argument named', () => {
    expect(() => latticeFromParameters(-1, 1, 1, 90, 90, 90)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: latticeFromParameters: a must be positive, got -1]`,
    );
    expect(() => latticeFromParameters(1, 1, Number.NaN, 90, 90, 90)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: latticeFromParameters: c must be finite, got NaN]`,
    );
    expect(() => latticeFromParameters(1, 1, 1, 90, 180, 90)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: latticeFromParameters: beta must be in (0, 180) degrees, got 180]`,
    );
    expect(() => latticeFromParameters(1, 1, 1, 10, 10, 120)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: latticeFromParameters: alpha, beta, gamma do not form a cell (10, 10, 120): the volume would be zero or imaginary]`,
    );
  });

  test('assertLattice and assertFiniteArray name the function, the argument and what arrived', () => {
    expect(() => assertLattice('radiusGraph', [1, 0, 0, 0, 1, 0, 0, 0])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: radiusGraph: lattice must have length 9, got 8]`,
    );
    expect(() => assertLattice('radiusGraph', [1, 0, 0, 0, 1, 0, 1, 1, 0])).toThrowErrorMatchingInlineSnapshot(
      `[DegenerateLatticeError: radiusGraph: lattice is singular or degenerate (det 0.000), got [1, 0, 0, 0, 1, 0, 1, 1, 0] (length 9)]`,
    );
    expect(() =>
      assertLattice('f', [1, 0, 0, 0, Number.POSITIVE_INFINITY, 0, 0, 0, 1]),
    ).toThrowErrorMatchingInlineSnapshot(`[InvalidArgumentError: f: lattice must be finite, got Infinity at index 4]`);
    expect(() => assertFiniteArray('f', 'fracCoords', 'abc')).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: f: fracCoords must be an array of numbers, got abc]`,
    );
    expect(() => reciprocalLattice([0, 0, 0, 0, 0, 0, 0, 0, 0])).toThrowErrorMatchingInlineSnapshot(
      `[DegenerateLatticeError: reciprocalLattice: lattice is singular or degenerate (det 0.000), got [0, 0, 0, 0, 0, 0, 0, 0, 0] (length 9)]`,
    );
  });

  test('createCrystal rejects wrong lengths, unknown elements and degenerate lattices', () => {
    const lattice = [4, 0, 0, 0, 4, 0, 0, 0, 4];
    expect(() =>
      createCrystal({ lattice, fracCoords: [0, 0, 0, 0.5], atomicNumbers: [1] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: createCrystal: fracCoords must have length 3·n = 3 for 1 atoms, got 4]`,
    );
    expect(() =>
      createCrystal({ lattice, fracCoords: [0, 0, 0], atomicNumbers: [119] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: createCrystal: atomicNumbers must be atomic numbers 1–118, got 119 at index 0]`,
    );
    expect(() =>
      createCrystal({ lattice: [1, 0, 0, 1, 0, 0, 0, 0, 1], fracCoords: [], atomicNumbers: [] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[DegenerateLatticeError: createCrystal: lattice is singular or degenerate (det 0.000), got [1, 0, 0, 1, 0, 0, 0, 0, 1] (length 9)]`,
    );
  });
});

describe('coords', () => {
  const frac = fc.float64Array({ minLength: 12, maxLength: 12, min: -3, max: 3, noNaN: true, noDefaultInfinity: true });

  test.prop([seed, frac])('cartToFrac(fracToCart(f, L), L) returns f', (s, f) => {
    const l = randomLattice(createRng(s), { skew: 4, rotate: true });
    const cart = fracToCart(new Float64Array(12), f, l);
    const back = cartToFrac(new Float64Array(12), cart, l)!;
    for (let i = 0; i < 12; i++) expect(back[i]).toBeCloseTo(f[i], 8);
  });

  test.prop([seed, frac])('fracToCart, cartToFrac, wrapFrac and minimumImage may write over their input', (s, f) => {
    const l = randomLattice(createRng(s), { skew: 3 });
    for (const kernel of [
      (o: Float64Array, x: Float64Array) => fracToCart(o, x, l),
      (o: Float64Array, x: Float64Array) => cartToFrac(o, x, l)!,
      (o: Float64Array, x: Float64Array) => wrapFrac(o, x),
      (o: Float64Array, x: Float64Array) => minimumImage(o, x, l),
    ]) {
      const expected = kernel(new Float64Array(12), f);
      const alias = Float64Array.from(f);
      expect(Array.from(kernel(alias, alias))).toEqual(Array.from(expected));
    }
  });

  test.prop([frac])('wrapFrac(out, f) lands in [0, 1) and differs from f by integers', (f) => {
    const w = wrapFrac(new Float64Array(12), f);
    for (let i = 0; i < 12; i++) {
      expect(w[i] >= 0 && w[i] < 1 && !Object.is(w[i], -0)).toBe(true);
      expect(Math.abs(f[i] - w[i] - Math.round(f[i] - w[i]))).toBeLessThan(1e-15);
    }
  });

  test.prop([seed, frac])(
    'minimumImage(out, d, L, images) is the shortest of all (d + t)·L for strongly skewed cells, and images reproduce it',
    (s, d) => {
      const l = randomLattice(createRng(s), { skew: 8 });
      const images = new Int32Array(12);
      const r = minimumImage(new Float64Array(12), d, l, images);
      // brute force around the returned image (a shorter one would be within ±2 in a reduced basis, so search
      // ±2 in the basis of L around t — enough to catch an off-by-one bug, not a proof)
      for (let a = 0; a < 4; a++) {
        const v = fracToCart(
          new Float64Array(3),
          [d[3 * a] + images[3 * a], d[3 * a + 1] + images[3 * a + 1], d[3 * a + 2] + images[3 * a + 2]],
          l,
        );
        for (let k = 0; k < 3; k++) expect(v[k]).toBeCloseTo(r[3 * a + k], 8);
        const len = Math.hypot(r[3 * a], r[3 * a + 1], r[3 * a + 2]);
        let shortest = Number.POSITIVE_INFINITY;
        const w = new Float64Array(3);
        for (let x = -2; x <= 2; x++)
          for (let y = -2; y <= 2; y++)
            for (let z = -2; z <= 2; z++) {
              const g = [
                d[3 * a] + images[3 * a] + x,
                d[3 * a + 1] + images[3 * a + 1] + y,
                d[3 * a + 2] + images[3 * a + 2] + z,
              ];
              fracToCart(w, g, l);
              shortest = Math.min(shortest, Math.hypot(w[0], w[1], w[2]));
            }
        expect(shortest).toBeGreaterThanOrEqual(len - 1e-9);
      }
    },
  );
});

describe('latticeFromParametersInto', () => {
  const params = fc.tuple(
    fc.double({ min: 0.5, max: 30, noNaN: true }),
    fc.double({ min: 0.5, max: 30, noNaN: true }),
    fc.double({ min: 0.5, max: 30, noNaN: true }),
    fc.double({ min: 60, max: 120, noNaN: true }),
    fc.double({ min: 60, max: 120, noNaN: true }),
    fc.double({ min: 60, max: 120, noNaN: true }),
  );
  test.prop([params])('latticeFromParametersInto(out, …) equals latticeFromParameters(…) bit for bit', (p) => {
    const out = latticeFromParametersInto(new Float64Array(9), ...p);
    let expected: Float64Array | null = null;
    try {
      expected = latticeFromParameters(...p);
    } catch {
      expected = null;
    }
    expect(out === null ? null : Array.from(out)).toEqual(expected === null ? null : Array.from(expected));
  });

  test('latticeFromParametersInto(out, …) returns null for angles that form no cell', () => {
    expect(latticeFromParametersInto(new Float64Array(9), 1, 1, 1, 10, 170, 90)).toBeNull();
  });
});
