import { createRng, latticeFromParameters, latticePointGroup } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { alignedDisplacement } from './align.js';

// SrTiO3-like cubic perovskite with a polar displacement of Ti along x (P4mm)
const lattice = latticeFromParameters(3.9, 3.9, 3.9, 90, 90, 90);
const clean = Float64Array.of(0, 0, 0, 0.56, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5);
const species = Int32Array.of(0, 1, 2, 2, 2);
const ops = latticePointGroup(lattice);
const identity = [Int8Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1)];

function rms(d: Float64Array): number {
  let s = 0;
  for (const x of d) s += x * x;
  return Math.sqrt(s / d.length);
}

describe('alignedDisplacement', () => {
  it('undoes a small noise exactly when nothing else moved (identity only), mean removed', () => {
    const rng = createRng(1);
    const noise = Float64Array.from(clean, () => 0.01 * rng.normal());
    const x = Float64Array.from(clean, (v, i) => v + noise[i]);
    const d = alignedDisplacement(x, clean, species, lattice, identity);
    const mean = [0, 1, 2].map((q) => noise.filter((_, i) => i % 3 === q).reduce((a, b) => a + b, 0) / 5);
    for (let i = 0; i < 15; i++) expect(d[i]).toBeCloseTo(-(noise[i] - mean[i % 3]), 12);
  });

  it('finds the copy of the crystal that a rotation, a translation and a permutation of the O atoms made', () => {
    // rotate by a cubic operation (x→y, y→z, z→x), translate, swap O atoms, add a little noise
    const r = [0, 1, 0, 0, 0, 1, 1, 0, 0];
    const rng = createRng(7);
    const order = [0, 1, 4, 2, 3];
    const x = new Float64Array(15);
    for (let i = 0; i < 5; i++) {
      const j = order[i];
      for (let q = 0; q < 3; q++) {
        const v = clean[3 * j] * r[q] + clean[3 * j + 1] * r[3 + q] + clean[3 * j + 2] * r[6 + q];
        const f = v + [0.31, -0.12, 0.47][q] + 0.005 * rng.normal();
        x[3 * i + q] = f - Math.floor(f);
      }
    }
    const aligned = alignedDisplacement(x, clean, species, lattice, ops);
    expect(rms(aligned)).toBeLessThan(0.01);
    // without the point group the best copy is far: Ti's displacement points the wrong way
    const plain = alignedDisplacement(x, clean, species, lattice, identity);
    expect(rms(plain)).toBeGreaterThan(0.02);
    // x + d is a copy of the clean crystal: every atom lands on a site of its species
    for (let i = 0; i < 5; i++) {
      const p = [0, 1, 2].map((q) => x[3 * i + q] + aligned[3 * i + q]);
      let best = Number.POSITIVE_INFINITY;
      for (const rot of ops)
        for (let j = 0; j < 5; j++) {
          if (species[j] !== species[i]) continue;
          // some translation is common to all atoms; compare differences to atom 0 instead
          const p0 = [0, 1, 2].map((q) => x[q] + aligned[q]);
          const y = [0, 1, 2].map(
            (q) => clean[3 * j] * rot[q] + clean[3 * j + 1] * rot[3 + q] + clean[3 * j + 2] * rot[6 + q],
          );
          const y0 = [0, 1, 2].map((q) => clean[0] * rot[q] + clean[1] * rot[3 + q] + clean[2] * rot[6 + q]);
          let s = 0;
          for (let q = 0; q < 3; q++) {
            const v = p[q] - p0[q] - (y[q] - y0[q]);
            s += (v - Math.round(v)) ** 2;
          }
          best = Math.min(best, s);
        }
      expect(Math.sqrt(best)).toBeLessThan(0.03);
    }
  });

  it('is never longer than the plain (identity, no permutation) target and is deterministic', () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 50; trial++) {
      const x = Float64Array.from(clean, () => rng.next());
      const a = alignedDisplacement(x, clean, species, lattice, ops);
      const b = alignedDisplacement(x, clean, species, lattice, ops);
      expect(Array.from(a)).toEqual(Array.from(b));
      // the plain target: nearest image of y − x, mean removed
      const plain = Float64Array.from(clean, (v, i) => {
        const d = v - x[i];
        return d - Math.round(d);
      });
      const mean = [0, 1, 2].map((q) => plain.filter((_, i) => i % 3 === q).reduce((s, v) => s + v, 0) / 5);
      for (let i = 0; i < 15; i++) plain[i] -= mean[i % 3];
      expect(rms(a)).toBeLessThanOrEqual(rms(plain) + 1e-9);
    }
  });
});
