import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { latticeFromParameters, latticeParameters } from './cell.js';
import { create, determinant, multiply } from './mat3.js';
import { createRng } from './random.js';
import { randomLattice, randomUnimodular } from './random-cell.js';
import { lllReduce, niggliReduce } from './reduce.js';

function paramsArray(l: Float64Array): number[] {
  const p = latticeParameters(l);
  return [p.a, p.b, p.c, p.alpha, p.beta, p.gamma];
}

function expectParamsClose(p: number[], q: number[], tol: number): void {
  for (let i = 0; i < 6; i++) expect(Math.abs(p[i] - q[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(q[i])));
}

/** Checks the Niggli main and special conditions on G (Křivý & Gruber 1976, with tolerance ε). */
function expectNiggliConditions(l: Float64Array, eps: number): void {
  const dot = (i: number, j: number) => l[3 * i] * l[3 * j] + l[3 * i + 1] * l[3 * j + 1] + l[3 * i + 2] * l[3 * j + 2];
  const A = dot(0, 0),
    B = dot(1, 1),
    C = dot(2, 2);
  const xi = 2 * dot(1, 2),
    eta = 2 * dot(0, 2),
    zeta = 2 * dot(0, 1);
  expect(A).toBeLessThanOrEqual(B + eps);
  expect(B).toBeLessThanOrEqual(C + eps);
  expect(Math.abs(xi)).toBeLessThanOrEqual(B + eps);
  expect(Math.abs(eta)).toBeLessThanOrEqual(A + eps);
  expect(Math.abs(zeta)).toBeLessThanOrEqual(A + eps);
  const allPositive = xi > eps && eta > eps && zeta > eps;
  const allNonPositive = xi <= eps && eta <= eps && zeta <= eps;
  expect(allPositive || allNonPositive).toBe(true);
  if (allNonPositive) expect(xi + eta + zeta + A + B).toBeGreaterThanOrEqual(-eps);
}

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('niggliReduce', () => {
  test('niggliReduce(L) recovers an orthorhombic cell from a sheared basis', () => {
    const { lattice, transform } = niggliReduce([3, 0, 0, 3, 4, 0, 6, 4, 5]);
    expectParamsClose(paramsArray(lattice), [3, 4, 5, 90, 90, 90], 1e-13);
    expect(determinant(transform)).toBe(1);
  });

  test('niggliReduce(L) of fcc (primitive rhombohedral setting, 60°) is the 60° cell', () => {
    const { lattice } = niggliReduce([0, 2, 2, 2, 0, 2, 2, 2, 0]);
    expectParamsClose(paramsArray(lattice), [Math.sqrt(8), Math.sqrt(8), Math.sqrt(8), 60, 60, 60], 1e-12);
  });

  test.prop([seed])(
    'niggliReduce(L) returns transform ∈ SL(3,Z) with lattice = transform · L and Niggli conditions',
    (s) => {
      const rng = createRng(s);
      const l = randomLattice(rng, { skew: 6 });
      const { lattice, transform } = niggliReduce(l);
      expect(determinant(transform)).toBe(1);
      const tl = multiply(create(), transform, l);
      for (let i = 0; i < 9; i++) expect(lattice[i]).toBeCloseTo(tl[i], 9);
      const eps = 1e-5 * Math.cbrt(Math.abs(determinant(l)));
      expectNiggliConditions(lattice, eps);
    },
  );

  test.prop([seed])('niggliReduce of any SL(3,Z) transform of a lattice gives the same reduced parameters', (s) => {
    const rng = createRng(s);
    const l = randomLattice(rng);
    const t = randomUnimodular(rng, { steps: 1 + rng.int(10) });
    const reference = paramsArray(niggliReduce(l).lattice);
    const other = paramsArray(niggliReduce(multiply(create(), t, l)).lattice);
    expectParamsClose(other, reference, 1e-9);
  });

  test('niggliReduce gives the same cell for every basis of lattices with exact ties (cubic, hexagonal, bcc)', () => {
    const rng = createRng(7);
    for (const l of [
      latticeFromParameters(4, 4, 4, 90, 90, 90),
      latticeFromParameters(2.5, 2.5, 6, 90, 90, 120),
      Float64Array.of(-1.5, 1.5, 1.5, 1.5, -1.5, 1.5, 1.5, 1.5, -1.5),
    ]) {
      const reference = paramsArray(niggliReduce(l).lattice);
      for (let k = 0; k < 50; k++) {
        const t = randomUnimodular(rng, { steps: 8 });
        expectParamsClose(paramsArray(niggliReduce(multiply(create(), t, l)).lattice), reference, 1e-9);
      }
    }
  });

  test('niggliReduce rejects degenerate lattices and bad tolerances', () => {
    expect(() => niggliReduce([1, 0, 0, 2, 0, 0, 0, 0, 1])).toThrowErrorMatchingInlineSnapshot(
      `[DegenerateLatticeError: niggliReduce: lattice is singular or degenerate (det 0.000), got [1, 0, 0, 2, 0, 0, 0, 0, 1] (length 9)]`,
    );
    expect(() => niggliReduce([1, 0, 0, 0, 1, 0, 0, 0, 1], { tolerance: -1 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: niggliReduce: options.tolerance must be finite and ≥ 0, got -1]`,
    );
  });
});

describe('lllReduce', () => {
  test('lllReduce(L) turns a unimodular image of the unit cube back into it', () => {
    const { lattice, transform } = lllReduce([1, 0, 0, 5, 1, 0, 7, 3, 1]);
    expect(Array.from(lattice)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(transform)).toEqual([1, 0, 0, -5, 1, 0, 8, -3, 1]);
  });

  test.prop([seed])('lllReduce(L) is size-reduced and Lovász-reduced with lattice = transform · L', (s) => {
    const rng = createRng(s);
    const l = randomLattice(rng, { skew: 8 });
    const { lattice: b, transform } = lllReduce(l);
    expect(Math.abs(determinant(transform))).toBe(1);
    const tl = multiply(create(), transform, l);
    for (let i = 0; i < 9; i++) expect(b[i]).toBeCloseTo(tl[i], 8);
    // Gram–Schmidt of the reduced basis
    const dot = (x: ArrayLike<number>, i: number, y: ArrayLike<number>, j: number) =>
      x[3 * i] * y[3 * j] + x[3 * i + 1] * y[3 * j + 1] + x[3 * i + 2] * y[3 * j + 2];
    const g = new Float64Array(9);
    const mu = new Float64Array(9);
    for (let i = 0; i < 3; i++) {
      for (let c = 0; c < 3; c++) g[3 * i + c] = b[3 * i + c];
      for (let j = 0; j < i; j++) {
        mu[3 * i + j] = dot(b, i, g, j) / dot(g, j, g, j);
        for (let c = 0; c < 3; c++) g[3 * i + c] -= mu[3 * i + j] * g[3 * j + c];
      }
    }
    for (let i = 1; i < 3; i++) {
      for (let j = 0; j < i; j++) expect(Math.abs(mu[3 * i + j])).toBeLessThanOrEqual(0.5 + 1e-9);
      const lhs = dot(g, i, g, i);
      const rhs = (0.75 - mu[3 * i + i - 1] ** 2) * dot(g, i - 1, g, i - 1);
      expect(lhs).toBeGreaterThanOrEqual(rhs * (1 - 1e-9));
    }
  });

  test('lllReduce rejects a δ outside (0.25, 1]', () => {
    expect(() => lllReduce([1, 0, 0, 0, 1, 0, 0, 0, 1], { delta: 0.2 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: lllReduce: options.delta must be in (0.25, 1], got 0.2]`,
    );
  });
});
