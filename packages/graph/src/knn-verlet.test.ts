import { fc, test } from '@fast-check/vitest';
import { createRng } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { knnGraphFromArrays } from './knn-graph.js';
import { createKnnVerletList } from './knn-verlet.js';
import { fracCoords, skewedLattice } from '../test/arbitraries.js';
import { loadVal } from '../test/datasets.js';
import type { PeriodicGraph } from './types.js';

type Ties = 'break' | 'keep';

/** update() must give the fresh graph exactly: same edges, same order, same numbers to the bit. */
function expectSameGraph(g: PeriodicGraph, l: ArrayLike<number>, x: ArrayLike<number>, k: number, ties: Ties): void {
  const ref = knnGraphFromArrays(l, x, k, { ties, vectors: true });
  expect(g.numNodes).toBe(ref.numNodes);
  expect(g.src).toEqual(ref.src);
  expect(g.dst).toEqual(ref.dst);
  expect(g.image).toEqual(ref.image);
  expect(g.distances).toEqual(ref.distances);
  expect(g.vectors).toEqual(ref.vectors);
}

/** L·(I + ε) and x + δ: one step of a deforming, moving crystal (coordinates never wrapped). */
function step(l: Float64Array, x: Float64Array, strain: ArrayLike<number>, moves: ArrayLike<number>, scale: number) {
  const l2 = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let s = l[3 * r + c];
      for (let q = 0; q < 3; q++) s += scale * l[3 * r + q] * strain[3 * q + c];
      l2[3 * r + c] = s;
    }
  }
  const x2 = x.map((v, q) => v + scale * moves[q % moves.length]);
  return { l: l2, x: x2 };
}

const motion = fc.record({
  strain: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 9, maxLength: 9 }),
  moves: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 15, maxLength: 15 }),
  // still, tiny, small and large steps: the list must stay exact whether it is kept or rebuilt
  scale: fc.constantFrom(0, 1e-4, 3e-3, 0.02, 0.15),
});

describe('createKnnVerletList', () => {
  test.prop(
    [
      skewedLattice,
      fracCoords,
      fc.integer({ min: 1, max: 14 }),
      fc.constantFrom<Ties>('break', 'keep'),
      fc.double({ min: 0.05, max: 2, noNaN: true }),
      fc.array(motion, { minLength: 1, maxLength: 8 }),
    ],
    { numRuns: 80 },
  )(
    'KnnVerletList.update(L, x) equals a fresh knnGraphFromArrays at every step of a motion/strain sequence on skewed cells',
    (l0, x0, k, ties, skin, steps) => {
      const list = createKnnVerletList(l0, x0, { k, skin, ties });
      let l = l0,
        x = x0;
      expectSameGraph(list.update(l, x), l, x, k, ties);
      expect(list.builds).toBe(1);
      for (const s of steps) {
        ({ l, x } = step(l, x, s.strain, s.moves, s.scale));
        const builds = list.builds;
        expectSameGraph(list.update(l, x), l, x, k, ties);
        if (s.scale === 0) expect(list.builds).toBe(builds);
      }
    },
  );

  it('KnnVerletList.update(L, x) equals a fresh kNN graph over random walks of val crystals, symmetric ones included', () => {
    const rng = createRng(11);
    const rows = [...loadVal('perov_5', 6), ...loadVal('carbon_24', 6)];
    for (const [r, { crystal }] of rows.entries()) {
      const ties: Ties = r % 2 === 0 ? 'keep' : 'break';
      let l = Float64Array.from(crystal.lattice);
      let x = Float64Array.from(crystal.fracCoords);
      const list = createKnnVerletList(l, x, { k: 16, skin: 1, ties });
      // the first steps keep the exact symmetry (a uniform scaling keeps every tie), later ones break it
      for (let s = 0; s < 30; s++) {
        const size = s < 3 ? 0 : s % 10 === 9 ? 0.08 : 0.004;
        const strain = Array.from({ length: 9 }, (_, q) => (s < 3 ? (q % 4 === 0 ? 0.01 : 0) : rng.normal()));
        const moves = Array.from({ length: x.length }, () => (s < 3 ? 0 : rng.normal()));
        ({ l, x } = step(l, x, strain, moves, s < 3 ? 1 : size));
        expectSameGraph(list.update(l, x), l, x, 16, ties);
      }
      expect(list.builds).toBeGreaterThan(1);
      expect(list.builds).toBeLessThan(30);
    }
  });

  it('small motions keep the list and a large one rebuilds it', () => {
    const { crystal } = loadVal('carbon_24', 1)[0];
    const l = Float64Array.from(crystal.lattice);
    const x = Float64Array.from(crystal.fracCoords);
    const list = createKnnVerletList(l, x, { k: 16, skin: 1, ties: 'keep' });
    expect(list.builds).toBe(1);
    const radius = list.radius;
    const rng = createRng(5);
    // 20 steps of ~0.01 Å per atom and 0.05 % strain: far inside a 1 Å skin
    for (let s = 0; s < 20; s++) {
      for (let q = 0; q < x.length; q++) x[q] += 0.002 * (rng.next() - 0.5);
      for (let q = 0; q < 9; q++) l[q] *= 1 + 0.0005 * (rng.next() - 0.5);
      expectSameGraph(list.update(l, x), l, x, 16, 'keep');
    }
    expect(list.builds).toBe(1);
    expect(list.radius).toBe(radius);
    // one atom jumps by ~1 Å: the bound fails (2u > skin) and the list is rebuilt around the new geometry
    x[0] += 1 / Math.hypot(l[0], l[1], l[2]);
    expectSameGraph(list.update(l, x), l, x, 16, 'keep');
    expect(list.builds).toBe(2);
    // a uniform 10 % compression scales every distance alike: the ranking survives and the bound agrees
    const small = l.map((v) => 0.9 * v);
    expectSameGraph(list.update(small, x), small, x, 16, 'keep');
    expect(list.builds).toBe(2);
    // squeezing z by 30 % while stretching x moves far images by more than the skin
    const squeezed = small.map((v, q) => v * [1.3, 1, 0.7][q % 3]);
    expectSameGraph(list.update(squeezed, x), squeezed, x, 16, 'keep');
    expect(list.builds).toBe(3);
  });

  it('KnnVerletList keeps a list through a re-entrant sequence: moving away and back needs no rebuild', () => {
    const { crystal } = loadVal('perov_5', 1)[0];
    const l = crystal.lattice;
    const x0 = crystal.fracCoords;
    const list = createKnnVerletList(l, x0, { k: 12, skin: 1.5, ties: 'keep' });
    const x1 = x0.map((v, q) => v + 0.03 * Math.sin(q));
    expectSameGraph(list.update(l, x1), l, x1, 12, 'keep');
    expectSameGraph(list.update(l, x0), l, x0, 12, 'keep');
    expect(list.builds).toBe(1);
    expect(list.candidates).toBeGreaterThan(12 * (x0.length / 3));
  });

  it('KnnVerletList rebuilds exactly when verletSafeMargin(L₀, x₀, L, x, d_k + 2 quanta, R − that) < 0', () => {
    // one atom in a 2 Å cube, k = 6, skin 0.5: R = 2 Å + 2 quanta + 0.5. Compressing z by s gives σ = s and keeps
    // the 2 Å neighbours selected, so the margin s·R − (2 Å + 2 quanta) is ≥ 0 exactly when s ≥ 0.8.
    const l0 = [2, 0, 0, 0, 2, 0, 0, 0, 2];
    for (const [s, builds] of [
      [0.81, 1],
      [0.79, 2],
    ]) {
      const list = createKnnVerletList(l0, [0, 0, 0], { k: 6, skin: 0.5 });
      expect(list.radius).toBeCloseTo(2.5, 5);
      const l = [2, 0, 0, 0, 2, 0, 0, 0, 2 * s];
      expectSameGraph(list.update(l, [0, 0, 0]), l, [0, 0, 0], 6, 'break');
      expect(list.builds).toBe(builds);
    }
  });

  it('KnnVerletList ranks exactly even where quanta · candidates exceed 2⁵³ (a 10¹⁰ Å cell)', () => {
    const l = [1e10, 0, 0, 0, 1.5e10, 0, 0, 0, 2e10];
    const x = [0, 0, 0, 0.3, 0.2, 0.1];
    for (const ties of ['break', 'keep'] as const) {
      const list = createKnnVerletList(l, x, { k: 3, skin: 1e9, ties });
      const l2 = [1e10, 1e8, 0, 0, 1.5e10, 0, 0, 0, 2e10];
      const x2 = [0, 0.01, 0, 0.3, 0.2, 0.11];
      expectSameGraph(list.update(l2, x2), l2, x2, 3, ties);
      expect(list.builds).toBe(1);
    }
  });

  it('createKnnVerletList handles an empty crystal', () => {
    const list = createKnnVerletList([3, 0, 0, 0, 3, 0, 0, 0, 3], [], { k: 4, skin: 1 });
    const g = list.update([3.5, 0, 0, 0, 3, 0, 0, 0, 3], []);
    expect(g.src.length).toBe(0);
    expect(list.builds).toBe(1);
  });

  it('createKnnVerletList rejects bad options and KnnVerletList.update rejects bad geometry', () => {
    const l = [2, 0, 0, 0, 2, 0, 0, 0, 2];
    expect(() => createKnnVerletList(l, [0, 0, 0], { k: 0, skin: 1 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: createKnnVerletList: options.k must be an integer ≥ 1, got 0]`,
    );
    expect(() => createKnnVerletList(l, [0, 0, 0], { k: 4, skin: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: createKnnVerletList: options.skin must be positive and finite, got 0]`,
    );
    expect(() =>
      createKnnVerletList(l, [0, 0, 0], { k: 4, skin: 1, ties: 'all' as Ties }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: createKnnVerletList: options.ties must be 'break' or 'keep', got all]`,
    );
    expect(() => createKnnVerletList(l, [0, 0], { k: 4, skin: 1 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: createKnnVerletList: fracCoords must have length 3·n, got 2]`,
    );
    expect(() =>
      createKnnVerletList(l, [0, 0, 0], null as unknown as { k: number; skin: number }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: createKnnVerletList: options must be an object with k and skin, got null]`,
    );
    const list = createKnnVerletList(l, [0, 0, 0], { k: 4, skin: 1 });
    expect(() => list.update(l, [0, 0, 0, 0.5, 0.5, 0.5])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: KnnVerletList.update: fracCoords must have length 3, got 6]`,
    );
    expect(() => list.update([2, 0, 0, 4, 0, 0, 0, 0, 2], [0, 0, 0])).toThrowErrorMatchingInlineSnapshot(
      `[DegenerateLatticeError: KnnVerletList.update: lattice is singular or degenerate (det 0.000), got [2, 0, 0, 4, 0, 0, 0, 0, 2] (length 9)]`,
    );
    expect(() => list.update(l, [0, Number.NaN, 0])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: KnnVerletList.update: fracCoords must be finite, got NaN at index 1]`,
    );
  });
});
