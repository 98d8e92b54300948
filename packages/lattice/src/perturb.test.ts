import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { fracToCart, minimumImage } from './coords.js';
import { createCrystal } from './crystal.js';
import { determinant, invert, multiply, transpose } from './mat3.js';
import { perturb } from './perturb.js';
import { makeSupercell } from './supercell.js';

const cscl = createCrystal({
  lattice: [4.12, 0, 0, 0, 4.12, 0, 0, 0, 4.12],
  fracCoords: [0, 0, 0, 0.5, 0.5, 0.5],
  atomicNumbers: [55, 17],
  labels: ['Cs1', 'Cl1'],
});
const big = makeSupercell(cscl, [4, 4, 4]); // 128 atoms

/** Cartesian displacement of every atom of `b` from `a` after undoing the strain (minimum image in b's cell). */
function displacements(a: typeof big, b: typeof big): Float64Array {
  const n = a.atomicNumbers.length;
  const d = new Float64Array(3 * n);
  for (let i = 0; i < 3 * n; i++) d[i] = b.fracCoords[i] - a.fracCoords[i];
  return minimumImage(new Float64Array(3 * n), d, b.lattice);
}

describe('perturb', () => {
  test('perturb(c, { displacement, strain, seed }) is the same for the same seed and differs for another', () => {
    const o = { displacement: 0.05, strain: 0.01 };
    const a = perturb(cscl, { ...o, seed: 7 });
    const b = perturb(cscl, { ...o, seed: 7 });
    const c = perturb(cscl, { ...o, seed: 8 });
    expect(Array.from(b.lattice)).toEqual(Array.from(a.lattice));
    expect(Array.from(b.fracCoords)).toEqual(Array.from(a.fracCoords));
    expect(Array.from(c.fracCoords)).not.toEqual(Array.from(a.fracCoords));
    expect(a.labels).toEqual(['Cs1', 'Cl1']);
    expect(Array.from(a.atomicNumbers)).toEqual([55, 17]);
  });

  test('perturb(c) with no sizes returns an equal copy, not the input', () => {
    const p = perturb(cscl, { seed: 3 });
    expect(p.lattice).not.toBe(cscl.lattice);
    expect(Array.from(p.lattice)).toEqual(Array.from(cscl.lattice));
    expect(Array.from(p.fracCoords)).toEqual(Array.from(cscl.fracCoords));
  });

  test('the strain is symmetric (L⁻¹·L′ = I + ε with ε = εᵀ) with the requested spread, and drawn before the displacements', () => {
    const eps: number[] = [];
    for (let seed = 0; seed < 400; seed++) {
      const p = perturb(cscl, { strain: 0.02, seed });
      const g = multiply(new Float64Array(9), invert(new Float64Array(9), cscl.lattice)!, p.lattice);
      const gt = transpose(new Float64Array(9), g);
      for (let k = 0; k < 9; k++) expect(g[k]).toBeCloseTo(gt[k], 12);
      eps.push(g[0] - 1, g[4] - 1, g[8] - 1);
      // the same seed with displacements gives the same lattice
      const q = perturb(cscl, { strain: 0.02, displacement: 0.1, seed });
      expect(Array.from(q.lattice)).toEqual(Array.from(p.lattice));
    }
    const sd = Math.sqrt(eps.reduce((s, x) => s + x * x, 0) / eps.length);
    expect(sd).toBeGreaterThan(0.018);
    expect(sd).toBeLessThan(0.022);
  });

  test("mode 'gaussian' draws N(0, σ²) per Cartesian component; 'sphere' moves every atom by exactly σ", () => {
    const g = displacements(big, perturb(big, { displacement: 0.1, seed: 1 }));
    const sd = Math.sqrt(g.reduce((s, x) => s + x * x, 0) / g.length);
    expect(sd).toBeGreaterThan(0.09);
    expect(sd).toBeLessThan(0.11);
    const s = displacements(big, perturb(big, { displacement: 0.1, mode: 'sphere', seed: 1 }));
    const mean = [0, 0, 0];
    for (let i = 0; i < s.length; i += 3) {
      expect(Math.hypot(s[i], s[i + 1], s[i + 2])).toBeCloseTo(0.1, 10);
      for (let k = 0; k < 3; k++) mean[k] += s[i + k] / (s.length / 3);
    }
    for (const m of mean) expect(Math.abs(m)).toBeLessThan(0.03); // directions are not biased
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 31 }), fc.double({ min: 0, max: 0.3, noNaN: true })])(
    'perturb wraps coordinates into [0, 1) and keeps every atom within 6σ of where the strain put it',
    (seed, sigma) => {
      const p = perturb(cscl, { displacement: sigma, strain: 0.01, seed });
      for (const x of p.fracCoords) expect(x >= 0 && x < 1).toBe(true);
      const strained = perturb(cscl, { strain: 0.01, seed });
      const d = displacements(strained, p);
      for (let i = 0; i < d.length; i += 3)
        expect(Math.hypot(d[i], d[i + 1], d[i + 2])).toBeLessThanOrEqual(6 * Math.sqrt(3) * sigma + 1e-9);
      expect(determinant(p.lattice)).toBeGreaterThan(0);
      expect(fracToCart(new Float64Array(6), p.fracCoords, p.lattice).every(Number.isFinite)).toBe(true);
    },
  );

  test('perturb refuses bad sizes, modes, seeds and strains that fold the cell, naming the option', () => {
    expect(() => perturb(cscl, { displacement: -0.1 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: perturb: options.displacement must be a finite number ≥ 0, got -0.1]`,
    );
    expect(() => perturb(cscl, { strain: Number.NaN })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: perturb: options.strain must be a finite number ≥ 0, got NaN]`,
    );
    expect(() => perturb(cscl, { seed: 1.5 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: perturb: options.seed must be an integer ≥ 0, got 1.5]`,
    );
    expect(() => perturb(cscl, { mode: 'uniform' as 'sphere' })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: perturb: options.mode must be 'gaussian' or 'sphere', got uniform]`,
    );
    expect(() => perturb(cscl, { strain: 5, seed: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: perturb: options.strain 5 drew a deformation with determinant -55.8 for seed 0 (the cell folds); use a strain well below 1]`,
    );
  });
});
