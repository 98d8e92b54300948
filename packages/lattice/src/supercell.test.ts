import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { volume } from './cell.js';
import { density, elementCounts } from './composition.js';
import { fracToCart, minimumImage } from './coords.js';
import { type Crystal, createCrystal } from './crystal.js';
import { determinant } from './mat3.js';
import { createRng } from './random.js';
import { randomLattice, randomUnimodular } from './random-cell.js';
import { niggliReduce } from './reduce.js';
import { changeOfCell, makeSupercell } from './supercell.js';

const cscl = createCrystal({
  lattice: [4.12, 0, 0, 0, 4.12, 0, 0, 0, 4.12],
  fracCoords: [0, 0, 0, 0.5, 0.5, 0.5],
  atomicNumbers: [55, 17],
});

function randomCrystal(s: number, n = 4): Crystal {
  const rng = createRng(s);
  const lattice = randomLattice(rng, { skew: 3 });
  const frac = Array.from({ length: 3 * n }, () => rng.next());
  const z = Array.from({ length: n }, () => 1 + rng.int(80));
  return createCrystal({ lattice, fracCoords: frac, atomicNumbers: z });
}

/** Sorted minimum-image distances from atom 0 to every atom (a cell-independent fingerprint). */
function distancesFrom(c: Crystal, i: number): number[] {
  const n = c.atomicNumbers.length;
  const d = new Float64Array(3 * n);
  for (let j = 0; j < n; j++)
    for (let k = 0; k < 3; k++) d[3 * j + k] = c.fracCoords[3 * j + k] - c.fracCoords[3 * i + k];
  const r = minimumImage(new Float64Array(3 * n), d, c.lattice);
  return Array.from({ length: n }, (_, j) => Math.hypot(r[3 * j], r[3 * j + 1], r[3 * j + 2])).sort((a, b) => a - b);
}

describe('makeSupercell', () => {
  test('makeSupercell(c, [2, 2, 2]) of CsCl has 16 atoms in cell-major order and the same density', () => {
    const big = makeSupercell(cscl, [2, 2, 2]);
    expect(Array.from(big.lattice)).toEqual([8.24, 0, 0, 0, 8.24, 0, 0, 0, 8.24]);
    expect(Array.from(big.atomicNumbers)).toEqual([55, 17, 55, 17, 55, 17, 55, 17, 55, 17, 55, 17, 55, 17, 55, 17]);
    expect(Array.from(big.fracCoords.subarray(0, 12))).toEqual([
      0, 0, 0, 0.25, 0.25, 0.25, 0, 0, 0.5, 0.25, 0.25, 0.75,
    ]);
    expect(density(big)).toBeCloseTo(density(cscl), 13);
  });

  test.prop([fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 1e9 })])(
    'makeSupercell(c, M) has |det M|·n distinct atoms, the same composition per volume and the same local distances',
    (s, s2) => {
      const c = randomCrystal(s, 3);
      const rng = createRng(s2);
      const m = Array.from(randomUnimodular(rng, { steps: 3, maxShear: 1 }));
      const k = 1 + rng.int(3);
      for (let j = 0; j < 3; j++) m[3 * rng.int(3) + j] *= j === 0 ? k : 1; // scale one row → det ±k
      const det = Math.round(determinant(m));
      fc.pre(det !== 0);
      const big = makeSupercell(c, m);
      const n = c.atomicNumbers.length;
      expect(big.atomicNumbers.length).toBe(n * Math.abs(det));
      expect(volume(big.lattice)).toBeCloseTo(volume(c.lattice) * Math.abs(det), 8);
      for (const [z, cnt] of elementCounts(big)) expect(cnt).toBe(elementCounts(c).get(z)! * Math.abs(det));
      for (let i = 0; i < big.fracCoords.length; i++) {
        expect(big.fracCoords[i]).toBeGreaterThanOrEqual(0);
        expect(big.fracCoords[i]).toBeLessThan(1);
      }
      // every supercell atom sits on an image of its parent: same Cartesian position modulo the old lattice
      const cartBig = fracToCart(new Float64Array(big.fracCoords.length), big.fracCoords, big.lattice);
      const inv = niggliReduce(c.lattice); // any check cell will do; use cart → old frac
      expect(inv.transform.length).toBe(9);
      const oldFrac = new Float64Array(3);
      const l = c.lattice;
      const det3 = determinant(l);
      for (let a = 0; a < big.atomicNumbers.length; a++) {
        const p = a % n;
        // solve x · L = cart by Cramer's rule (rows = vectors)
        const [x, y, z] = [cartBig[3 * a], cartBig[3 * a + 1], cartBig[3 * a + 2]];
        for (let col = 0; col < 3; col++) {
          const m2 = Float64Array.from(l);
          m2[3 * col] = x;
          m2[3 * col + 1] = y;
          m2[3 * col + 2] = z;
          oldFrac[col] = determinant(m2) / det3;
        }
        for (let k2 = 0; k2 < 3; k2++) {
          const diff = oldFrac[k2] - c.fracCoords[3 * p + k2];
          expect(Math.abs(diff - Math.round(diff))).toBeLessThan(1e-8);
        }
      }
      const d1 = distancesFrom(c, 0);
      const d2 = distancesFrom(big, 0).slice(0, d1.length);
      // The supercell's nearest neighbours of atom 0 include the small cell's minimum images.
      expect(d2[0]).toBeCloseTo(0, 12);
      expect(d2[1]).toBeLessThanOrEqual(d1[1] + 1e-9);
    },
  );

  test('makeSupercell repeats occupancies and labels', () => {
    const c = createCrystal({ ...cscl, occupancies: [1, 0.5], labels: ['Cs1', 'Cl1'] });
    const big = makeSupercell(c, [1, 1, 2]);
    expect(Array.from(big.occupancies!)).toEqual([1, 0.5, 1, 0.5]);
    expect(big.labels).toEqual(['Cs1', 'Cl1', 'Cs1', 'Cl1']);
  });

  test('makeSupercell rejects singular, non-integer and short matrices', () => {
    expect(() => makeSupercell(cscl, [1, 0, 0, 1, 0, 0, 0, 0, 1])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: makeSupercell: matrix must be non-singular, got det 0 for [1, 0, 0, 1, 0, 0, 0, 0, 1] (length 9)]`,
    );
    expect(() => makeSupercell(cscl, [1, 1.5, 1])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: makeSupercell: matrix must hold integers (|m| ≤ 2²⁰), got 1.5 at index 1]`,
    );
    expect(() => makeSupercell(cscl, [1, 1])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: makeSupercell: matrix must have 3 (diagonal) or 9 integers, got length 2]`,
    );
  });
});

describe('changeOfCell', () => {
  test.prop([fc.integer({ min: 0, max: 1e9 })])(
    'changeOfCell(c, T) keeps the atoms: same Cartesian positions modulo the lattice and same distances',
    (s) => {
      const c = randomCrystal(s);
      const t = randomUnimodular(createRng(s + 1), { steps: 5 });
      const d = changeOfCell(c, t);
      // rounding grows with the size of the lattice and of T's entries: compare relative to the value (a failure
      // at 6.5e-12 relative, 8.3e-10 absolute on a 128 Å³ cell, broke the fixed 5e-10 bound)
      const closeTo = (x: number, y: number) => expect(Math.abs(x - y)).toBeLessThan(1e-10 * Math.max(1, Math.abs(y)));
      closeTo(volume(d.lattice), volume(c.lattice));
      const back = changeOfCell(d, Int32Array.from(niggliInverse(t)));
      for (let i = 0; i < c.fracCoords.length; i++) {
        const diff = back.fracCoords[i] - c.fracCoords[i];
        expect(Math.abs(diff - Math.round(diff))).toBeLessThan(1e-9);
      }
      const a = distancesFrom(c, 0),
        b = distancesFrom(d, 0);
      for (let i = 0; i < a.length; i++) closeTo(b[i], a[i]);
    },
  );

  test('changeOfCell with the Niggli transform expresses a crystal in its reduced cell', () => {
    const skewed = changeOfCell(cscl, [1, 0, 0, 3, 1, 0, -2, 5, 1]);
    const { transform, lattice } = niggliReduce(skewed.lattice);
    const back = changeOfCell(skewed, transform);
    expect(Array.from(back.lattice)).toEqual(Array.from(lattice));
    expect(distancesFrom(back, 0)[1]).toBeCloseTo((4.12 * Math.sqrt(3)) / 2, 12);
  });

  test('changeOfCell rejects a matrix that is not unimodular', () => {
    expect(() => changeOfCell(cscl, [2, 0, 0, 0, 1, 0, 0, 0, 1])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: changeOfCell: unimodular must have determinant ±1, got 2 for [2, 0, 0, 0, 1, 0, 0, 0, 1] (length 9)]`,
    );
    expect(() => changeOfCell(cscl, [1, 0, 0])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: changeOfCell: unimodular must have length 9, got 3]`,
    );
  });
});

/** Integer inverse of a unimodular matrix (adjugate / det). */
function niggliInverse(t: ArrayLike<number>): number[] {
  const [a, b, c, d, e, f, g, h, i] = Array.from(t);
  const adj = [
    e * i - f * h,
    c * h - b * i,
    b * f - c * e,
    f * g - d * i,
    a * i - c * g,
    c * d - a * f,
    d * h - e * g,
    b * g - a * h,
    a * e - b * d,
  ];
  const det = a * adj[0] + b * adj[3] + c * adj[6];
  return adj.map((x) => x / det);
}
