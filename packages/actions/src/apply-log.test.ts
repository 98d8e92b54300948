import { fc, test } from '@fast-check/vitest';
import { create, expSymmetric, invert, multiply } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { applyActionsFromArrays, deformLatticeInto } from './apply.js';
import { applyLogActionsFromArrays, displaceFracInto, expDeformLatticeInto } from './apply-log.js';
import { readVal } from '../test/crystals.js';

const crystals = [...readVal('perov_5', 2), ...readVal('carbon_24', 2)];

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

const general = fc.float64Array({ minLength: 9, maxLength: 9, min: -0.3, max: 0.3, noNaN: true });

describe('applying fractional displacements and log-deformations', () => {
  it('a diagonal log-deformation scales the cell by e^{s·a}; an antisymmetric one leaves it alone', () => {
    const out = new Float64Array(9);
    const strain = expDeformLatticeInto(out, [4, 0, 0, 0, 5, 0, 0, 0, 6], [Math.log(1.1), 0, 0, 0, 0, 0, 0, 0, 0], 1);
    expectClose(out, [4.4, 0, 0, 0, 5, 0, 0, 0, 6], 1e-12);
    expect(strain).toBeCloseTo(Math.log(1.1), 15);
    // half the step: e^{½·log 1.21} = 1.1; the log-deformation is read at its offset
    const half = expDeformLatticeInto(
      out,
      [4, 0, 0, 0, 5, 0, 0, 0, 6],
      [9, 9, [0, 0, 0, 0, Math.log(1.21), 0, 0, 0, 0]].flat(),
      0.5,
      2,
    );
    expectClose(out, [4, 0, 0, 0, 5.5, 0, 0, 0, 6], 1e-12);
    expect(half).toBeCloseTo(Math.log(1.1), 15);
    const lattice = [4, 1, 0, 0, 5, 0, 0.5, 0, 6];
    expect(expDeformLatticeInto(out, lattice, [0, 0.2, -0.1, -0.2, 0, 0.3, 0.1, -0.3, 0], 0.7)).toBe(0);
    expect(Array.from(out)).toEqual(lattice);
  });

  test.prop([general, fc.double({ min: -2, max: 2, noNaN: true })])(
    'L·exp(s·(A + Aᵀ)/2) is exactly the lattice kernel with g = expSymmetric of the scaled symmetric part',
    (a, s) => {
      const lattice = crystals[2].lattice;
      const sym = new Float64Array(9);
      for (let q = 0; q < 9; q++) sym[q] = s * 0.5 * (a[q] + a[3 * (q % 3) + Math.floor(q / 3)]);
      const want = new Float64Array(9);
      deformLatticeInto(want, 0, lattice, 0, expSymmetric(create(), sym));
      const got = new Float64Array(9);
      const strain = expDeformLatticeInto(got, lattice, a, s);
      expect(got).toEqual(want);
      expect(strain).toBeCloseTo(Math.hypot(...sym), 12);
      expect(multiply(create(), lattice, expSymmetric(create(), sym))).toEqual(want);
    },
  );

  it('x + s·δ reads δ at its offset and may work in place', () => {
    const frac = Float64Array.of(0.1, 0.2, 0.3);
    displaceFracInto(frac, frac, [7, 7, 0.5, -1, 2], 0.1, 2);
    expectClose(frac, [0.15, 0.1, 0.5], 1e-15);
  });

  it('equals applyActionsFromArrays for Cartesian displacements d = δ·L and deformations g = exp(s·sym A)', () => {
    const lattices = crystals.flatMap((c) => Array.from(c.lattice));
    const frac = crystals.flatMap((c) => Array.from(c.fracCoords));
    const crystalIndex = Int32Array.from(crystals.flatMap((c, b) => Array(c.atomicNumbers.length).fill(b)));
    const logs = crystals.flatMap((_, b) => [0.05 * b, 0.01, 0, 0.03, -0.02, 0.01, 0, -0.04, 0.02]);
    const delta = frac.map((_, i) => 0.01 * Math.sin(i));
    const got = applyLogActionsFromArrays(lattices, frac, logs, delta, {
      displacementScale: 0.5,
      deformationScale: 0.8,
    });
    const g = new Float64Array(9 * crystals.length);
    const cart = new Float64Array(frac.length);
    for (let b = 0, o = 0; b < crystals.length; b++) {
      const s = new Float64Array(9);
      for (let q = 0; q < 9; q++) s[q] = 0.8 * 0.5 * (logs[9 * b + q] + logs[9 * b + 3 * (q % 3) + Math.floor(q / 3)]);
      g.set(expSymmetric(create(), s), 9 * b);
      const L = crystals[b].lattice;
      for (let i = 0; i < crystals[b].atomicNumbers.length; i++, o++) {
        for (let j = 0; j < 3; j++)
          cart[3 * o + j] = 0.5 * (delta[3 * o] * L[j] + delta[3 * o + 1] * L[3 + j] + delta[3 * o + 2] * L[6 + j]);
      }
    }
    const want = applyActionsFromArrays(lattices, frac, crystalIndex, g, cart);
    // the lattices share the kernel: identical; the coordinates agree up to the round trip through L and L⁻¹
    expect(got.lattices).toEqual(want.lattices);
    let worst = 0;
    for (let i = 0; i < frac.length; i++) {
      const d = Math.abs(got.frac[i] - want.frac[i]);
      worst = Math.max(worst, Math.min(d, 1 - d));
    }
    expect(worst).toBeLessThan(1e-12);
    for (const x of got.frac) expect(x >= 0 && x < 1).toBe(true);
    expect(invert(create(), got.lattices.subarray(0, 9))).not.toBeNull();
  });

  it('keeps coordinates unwrapped on request and names bad arguments', () => {
    const one = applyLogActionsFromArrays(
      [4, 0, 0, 0, 4, 0, 0, 0, 4],
      [0.5, 0, 0],
      [Math.log(1.1), 0, 0, 0, 0, 0, 0, 0, 0],
      [0.75, 0, 0],
      { wrap: false },
    );
    expectClose(one.frac, [1.25, 0, 0], 1e-15);
    expectClose(one.lattices, [4.4, 0, 0, 0, 4, 0, 0, 0, 4], 1e-12);
    const L = [4, 0, 0, 0, 4, 0, 0, 0, 4];
    expect(() => applyLogActionsFromArrays(L, [0, 0, 0], [0, 0, 0], [0, 0, 0])).toThrow(/logDeformations/);
    expect(() => applyLogActionsFromArrays(L, [0, 0, 0], L, [0, 0])).toThrow(/fracDisplacements/);
    expect(() => applyLogActionsFromArrays(L, [0, 0, 0], L, [0, 0, Number.NaN])).toThrow(/fracDisplacements/);
    expect(() => applyLogActionsFromArrays([1, 0, 0, 0, 1, 0, 0, 0, 0], [0, 0, 0], L, [0, 0, 0])).toThrow(
      /lattices\[0\]/,
    );
    expect(() =>
      applyLogActionsFromArrays(L, [0, 0, 0], L, [0, 0, 0], { deformationScale: Number.POSITIVE_INFINITY }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: applyLogActionsFromArrays: options.deformationScale must be a finite number, got Infinity]`,
    );
  });
});
