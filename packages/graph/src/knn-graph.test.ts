import { fc, test } from '@fast-check/vitest';
import { createCrystal } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { KNN_DISTANCE_QUANTUM, knnGraph, knnGraphFromArrays } from './knn-graph.js';
import { fracCoords, skewedLattice } from '../test/arbitraries.js';
import { bruteRadius, type EdgeRecord } from '../test/brute.js';
import { loadVal } from '../test/datasets.js';

/** Brute-force kNN with the documented tie policy: (round(d / 1e-6), dst, τ) ascending, first k per atom. */
function bruteKnn(
  lattice: ArrayLike<number>,
  x: ArrayLike<number>,
  k: number,
  cap = Number.POSITIVE_INFINITY,
): EdgeRecord[] {
  const n = x.length / 3;
  let rc = Math.min(cap, 3);
  for (;;) {
    const all = bruteRadius(lattice, x, rc);
    const counts = new Array(n).fill(0);
    for (const e of all) if (e.distance <= rc - 2 * KNN_DISTANCE_QUANTUM) counts[e.src]++;
    if (rc >= cap || counts.every((c) => c >= k)) {
      const out: EdgeRecord[] = [];
      for (let i = 0; i < n; i++) {
        const mine = all
          .filter((e) => e.src === i)
          .sort(
            (p, q) =>
              Math.round(p.distance / KNN_DISTANCE_QUANTUM) - Math.round(q.distance / KNN_DISTANCE_QUANTUM) ||
              p.dst - q.dst ||
              p.image[0] - q.image[0] ||
              p.image[1] - q.image[1] ||
              p.image[2] - q.image[2],
          );
        out.push(...mine.slice(0, k));
      }
      return out;
    }
    rc = Math.min(cap, rc * 1.5);
  }
}

function records(g: ReturnType<typeof knnGraphFromArrays>): string[] {
  const out: string[] = [];
  for (let e = 0; e < g.src.length; e++)
    out.push(`${g.src[e]},${g.dst[e]},${g.image.subarray(3 * e, 3 * e + 3).join(',')}`);
  return out;
}

describe('knnGraphFromArrays', () => {
  it('knnGraphFromArrays(L, x, k) breaks ties by dst then image: 3 of the 6 equal images of a cubic atom', () => {
    const g = knnGraphFromArrays([2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0, 0], 3);
    expect(records(g)).toEqual(['0,0,-1,0,0', '0,0,0,-1,0', '0,0,0,0,-1']);
    expect(knnGraphFromArrays([2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0, 0], 6).src.length).toBe(6);
  });

  it("knnGraphFromArrays(L, x, k, { ties: 'keep' }) keeps the whole tie group of the k-th neighbour", () => {
    const g = knnGraphFromArrays([2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0, 0], 3, { ties: 'keep' });
    expect(g.src.length).toBe(6);
    // a tetragonal cell: 4 images at 2 Å then 2 at 2.5 Å; k = 5 keeps both 2.5 Å images
    const t = knnGraphFromArrays([2, 0, 0, 0, 2, 0, 0, 0, 2.5], [0, 0, 0], 5, { ties: 'keep' });
    expect(Array.from(t.distances ?? []).sort()).toEqual([2, 2, 2, 2, 2.5, 2.5]);
    expect(knnGraphFromArrays([2, 0, 0, 0, 2, 0, 0, 0, 2.5], [0, 0, 0], 4, { ties: 'keep' }).src.length).toBe(4);
    expect(knnGraphFromArrays([2, 0, 0, 0, 2, 0, 0, 0, 2.5], [0, 0, 0], 5).src.length).toBe(5);
  });

  it("knnGraph with ties: 'keep' does not depend on atom order (same edge lengths per atom)", () => {
    for (const { crystal: c } of loadVal('perov_5', 20)) {
      const n = c.atomicNumbers.length;
      const perm = Array.from({ length: n }, (_, i) => n - 1 - i);
      const x = new Float64Array(3 * n);
      for (let i = 0; i < n; i++) for (let q = 0; q < 3; q++) x[3 * i + q] = c.fracCoords[3 * perm[i] + q];
      const a = knnGraphFromArrays(c.lattice, c.fracCoords, 7, { ties: 'keep' });
      const b = knnGraphFromArrays(c.lattice, x, 7, { ties: 'keep' });
      for (let i = 0; i < n; i++) {
        const da = Array.from(a.distances ?? [])
          .filter((_, e) => a.src[e] === perm[i])
          .map((d) => d.toFixed(6));
        const db = Array.from(b.distances ?? [])
          .filter((_, e) => b.src[e] === i)
          .map((d) => d.toFixed(6));
        expect(db.sort()).toEqual(da.sort());
      }
    }
  });

  it('knnGraph rejects an unknown tie policy', () => {
    expect(() => knnGraphFromArrays([2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0, 0], 3, { ties: 'x' as 'keep' })).toThrow(
      /ties/,
    );
  });

  it('knnGraph(crystal, { k }) matches a brute-force reference on val crystals', () => {
    for (const { crystal } of [...loadVal('perov_5', 4), ...loadVal('carbon_24', 4)]) {
      for (const k of [1, 12]) {
        const g = knnGraph(crystal, { k, vectors: true });
        const ref = bruteKnn(crystal.lattice, crystal.fracCoords, k);
        expect(records(g)).toEqual(ref.map((e) => `${e.src},${e.dst},${e.image.join(',')}`));
        for (let e = 0; e < ref.length; e++) expect((g.distances as Float64Array)[e]).toBeCloseTo(ref[e].distance, 12);
      }
    }
  });

  test.prop([skewedLattice, fracCoords, fc.integer({ min: 1, max: 20 })], { numRuns: 40 })(
    'knnGraphFromArrays(L, x, k) equals brute force on skewed cells, k edges per atom in rank order',
    (l, x, k) => {
      const g = knnGraphFromArrays(l, x, k);
      const ref = bruteKnn(l, x, k);
      expect(records(g)).toEqual(ref.map((e) => `${e.src},${e.dst},${e.image.join(',')}`));
    },
  );

  it('knnGraphFromArrays(L, x, k, { cutoff }) never goes beyond the cap', () => {
    const g = knnGraphFromArrays([2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0, 0], 12, { cutoff: 2.5 });
    expect(g.src.length).toBe(6);
    expect(records(g)).toEqual(
      bruteKnn([2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0, 0], 12, 2.5).map((e) => `${e.src},${e.dst},${e.image.join(',')}`),
    );
  });

  it('knnGraph rejects k < 1, a non-integer k and a bad cap', () => {
    const c = createCrystal({ lattice: [2, 0, 0, 0, 2, 0, 0, 0, 2], fracCoords: [0, 0, 0], atomicNumbers: [6] });
    expect(() => knnGraph(c, { k: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: knnGraph: k must be an integer ≥ 1, got 0]`,
    );
    expect(() => knnGraph(c, { k: 2.5 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: knnGraph: k must be an integer ≥ 1, got 2.5]`,
    );
    expect(() => knnGraph(c, { k: 3, cutoff: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: knnGraph: cutoff must be positive and finite, got 0]`,
    );
  });
});
