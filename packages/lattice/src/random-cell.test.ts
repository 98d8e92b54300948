import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { latticeParameters } from './cell.js';
import { create, determinant, multiply, transpose } from './mat3.js';
import { createRng } from './random.js';
import {
  randomDisplacements,
  randomLattice,
  randomRotation,
  randomSymmetricStrain,
  randomUnimodular,
} from './random-cell.js';
import { niggliReduce } from './reduce.js';

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('random helpers', () => {
  test.prop([seed])('randomRotation(rng) is orthogonal with det +1; properOnly: false also gives det −1', (s) => {
    const rng = createRng(s);
    const r = randomRotation(rng);
    const rrt = multiply(create(), r, transpose(create(), r));
    for (let i = 0; i < 9; i++) expect(rrt[i]).toBeCloseTo(i % 4 === 0 ? 1 : 0, 13);
    expect(determinant(r)).toBeCloseTo(1, 13);
    const dets = new Set<number>();
    for (let k = 0; k < 64; k++) dets.add(Math.round(determinant(randomRotation(rng, { properOnly: false }))));
    expect([...dets].sort()).toEqual([-1, 1]);
  });

  test('randomRotation is uniform: the mean of R over many draws is ≈ 0 and of tr R is ≈ 0', () => {
    const rng = createRng(11);
    const mean = new Float64Array(9);
    const N = 20_000;
    for (let k = 0; k < N; k++) {
      const r = randomRotation(rng);
      for (let i = 0; i < 9; i++) mean[i] += r[i] / N;
    }
    for (let i = 0; i < 9; i++) expect(Math.abs(mean[i])).toBeLessThan(0.02);
  });

  test('the same seed gives the same draws; another seed does not', () => {
    const a = randomLattice(createRng(5), { skew: 6, rotate: true });
    const b = randomLattice(createRng(5), { skew: 6, rotate: true });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(randomLattice(createRng(6)))).not.toEqual(Array.from(a));
  });

  test('randomSymmetricStrain(rng, σ) is symmetric, I + ε with std(ε_ii) ≈ σ and std(ε_ij) ≈ σ/√2', () => {
    const rng = createRng(3);
    let d2 = 0,
      o2 = 0;
    const N = 20_000,
      sigma = 0.1;
    let asymmetric = 0;
    for (let k = 0; k < N; k++) {
      const g = randomSymmetricStrain(rng, sigma);
      if (g[1] !== g[3] || g[2] !== g[6] || g[5] !== g[7]) asymmetric++;
      d2 += (g[0] - 1) ** 2;
      o2 += g[1] ** 2;
    }
    expect(asymmetric).toBe(0);
    expect(Math.sqrt(d2 / N)).toBeCloseTo(sigma, 2);
    expect(Math.sqrt(o2 / N)).toBeCloseTo(sigma / Math.SQRT2, 2);
  });

  test('randomDisplacements(rng, n, σ) has 3n components with standard deviation σ', () => {
    const d = randomDisplacements(createRng(4), 10_000, 0.2);
    expect(d.length).toBe(30_000);
    let s2 = 0;
    for (const x of d) s2 += x * x;
    expect(Math.sqrt(s2 / d.length)).toBeCloseTo(0.2, 2);
  });

  test.prop([seed])('randomUnimodular(rng) is an integer matrix with det +1', (s) => {
    const t = randomUnimodular(createRng(s), { steps: 10 });
    expect(determinant(t)).toBe(1);
  });

  test.prop([seed])('randomLattice(rng, { skew }) is strongly skewed yet the same lattice as the tame cell', (s) => {
    const tame = randomLattice(createRng(s));
    const skewed = randomLattice(createRng(s), { skew: 10 });
    const p = latticeParameters(tame),
      q = latticeParameters(niggliReduce(skewed).lattice);
    const r = latticeParameters(niggliReduce(tame).lattice);
    for (const k of ['a', 'b', 'c', 'alpha', 'beta', 'gamma'] as const) expect(q[k]).toBeCloseTo(r[k], 8);
    expect(p.a).toBeGreaterThanOrEqual(2);
    expect(determinant(skewed)).toBeGreaterThan(0);
  });

  test('random helpers reject a missing rng and bad σ or n', () => {
    expect(() => randomRotation(undefined as never)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: randomRotation: rng must be an Rng from createRng(seed)]`,
    );
    expect(() => randomSymmetricStrain(createRng(1), -1)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: randomSymmetricStrain: sigma must be finite and ≥ 0, got -1]`,
    );
    expect(() => randomDisplacements(createRng(1), 1.5, 1)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: randomDisplacements: n must be an integer ≥ 0, got 1.5]`,
    );
    expect(() => randomLattice(createRng(1), { angles: [10, 200] })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: randomLattice: options.angles must be [min, max] within (0, 180), got [10, 200]]`,
    );
  });
});
