import { fc, test } from '@fast-check/vitest';
import { type Crystal, createCrystal, multiply } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { EdgeBudgetError } from './errors.js';
import { radiusGraph, radiusGraphFromArrays } from './radius-graph.js';
import { reverseEdges } from './reverse.js';
import { fracCoords, rotation, skewedLattice } from '../test/arbitraries.js';
import { bruteRadius, type EdgeRecord, edgeKeys, graphEdges } from '../test/brute.js';
import { loadVal } from '../test/datasets.js';

const cubic2 = [2, 0, 0, 0, 2, 0, 0, 0, 2];

/** Keys of the edges farther than 1e-9 Å from the cutoff (where rounding cannot decide). */
/** The 2×2×2 supercell of a crystal. */
function supercell2(c: Crystal): Crystal {
  const m = c.atomicNumbers.length;
  const frac: number[] = [];
  const z: number[] = [];
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 2; j++)
      for (let k = 0; k < 2; k++)
        for (let s = 0; s < m; s++) {
          frac.push(
            (c.fracCoords[3 * s] + i) / 2,
            (c.fracCoords[3 * s + 1] + j) / 2,
            (c.fracCoords[3 * s + 2] + k) / 2,
          );
          z.push(c.atomicNumbers[s]);
        }
  return createCrystal({ lattice: Array.from(c.lattice, (v) => 2 * v), fracCoords: frac, atomicNumbers: z });
}

function clearKeys(edges: readonly EdgeRecord[], cutoff: number): string[] {
  return edgeKeys(edges.filter((e) => Math.abs(e.distance - cutoff) > 1e-9));
}

describe('radiusGraphFromArrays', () => {
  it('radiusGraphFromArrays(L, x, r) joins a 2 Å simple cubic atom to its 6 images at 2.5 Å and 18 at 3 Å', () => {
    const g6 = radiusGraphFromArrays(cubic2, [0, 0, 0], 2.5);
    expect(g6.src.length).toBe(6);
    expect(Array.from(g6.dst)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(g6.distances as Float64Array)).toEqual([2, 2, 2, 2, 2, 2]);
    const images = new Set<string>();
    for (let e = 0; e < 6; e++) images.add(Array.from(g6.image.subarray(3 * e, 3 * e + 3)).join(','));
    expect([...images].sort()).toEqual(['-1,0,0', '0,-1,0', '0,0,-1', '0,0,1', '0,1,0', '1,0,0']);
    expect(radiusGraphFromArrays(cubic2, [0, 0, 0], 3).src.length).toBe(18);
  });

  it('radiusGraphFromArrays(L, x, r) matches brute force on val crystals with both search methods', () => {
    const rows = [...loadVal('perov_5', 5), ...loadVal('carbon_24', 5)];
    for (const { crystal } of rows) {
      for (const rc of [4, 7]) {
        const ref = bruteRadius(crystal.lattice, crystal.fracCoords, rc);
        for (const method of ['pairs', 'cells'] as const) {
          const g = radiusGraphFromArrays(crystal.lattice, crystal.fracCoords, rc, { method });
          const mine = graphEdges(g);
          expect(edgeKeys(mine)).toEqual(edgeKeys(ref));
          for (let e = 0; e < mine.length; e++)
            expect(Math.abs(mine[e].distance - ref[e].distance)).toBeLessThan(1e-12);
        }
      }
    }
  });

  test.prop(
    [skewedLattice, fracCoords, fc.double({ min: 0.5, max: 7, noNaN: true }), fc.constantFrom('pairs', 'cells')],
    {
      numRuns: 60,
    },
  )('radiusGraphFromArrays(L, x, r) equals brute force on any cell, however skewed', (l, x, rc, method) => {
    const ref = bruteRadius(l, x, rc);
    const mine = graphEdges(radiusGraphFromArrays(l, x, rc, { method }));
    expect(clearKeys(mine, rc)).toEqual(clearKeys(ref, rc));
  });

  test.prop(
    [
      skewedLattice,
      fracCoords,
      fc.double({ min: 1, max: 6, noNaN: true }),
      fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 })),
    ],
    { numRuns: 40 },
  )('radiusGraph is unchanged when all atoms shift by one lattice translation', (l, x, rc, t) => {
    const shifted = x.map((v, k) => v + t[k % 3]);
    const a = graphEdges(radiusGraphFromArrays(l, x, rc));
    const b = graphEdges(radiusGraphFromArrays(l, shifted, rc));
    expect(clearKeys(b, rc)).toEqual(clearKeys(a, rc));
  });

  test.prop([skewedLattice, fracCoords, fc.double({ min: 1, max: 6, noNaN: true })], { numRuns: 40 })(
    'every edge has a reverse twin with negated image (reverseEdges)',
    (l, x, rc) => {
      const g = radiusGraphFromArrays(l, x, rc, { reverse: true, vectors: true });
      const rev = g.reverse as Int32Array;
      expect(Array.from(rev)).toEqual(Array.from(reverseEdges(g)));
      const v = g.vectors as Float64Array,
        d = g.distances as Float64Array;
      const bad: number[] = [];
      for (let e = 0; e < rev.length; e++) {
        const f = rev[e];
        // only an edge within rounding of the cutoff could lose its twin
        if (f < 0) {
          if (!(Math.abs(d[e] - rc) < 1e-9)) bad.push(e);
          continue;
        }
        let ok = g.src[f] === g.dst[e] && g.dst[f] === g.src[e];
        for (let c = 0; c < 3; c++) {
          ok &&= g.image[3 * f + c] + g.image[3 * e + c] === 0 && Math.abs(v[3 * f + c] + v[3 * e + c]) < 1e-9;
        }
        if (!ok) bad.push(e);
      }
      expect(bad).toEqual([]);
    },
  );

  test.prop([skewedLattice, fracCoords, fc.double({ min: 1, max: 6, noNaN: true }), rotation], { numRuns: 40 })(
    'radiusGraph edges are invariant under a rotation of the lattice',
    (l, x, rc, rot) => {
      const rotated = multiply(new Float64Array(9), l, rot); // rows a_i · R
      const a = graphEdges(radiusGraphFromArrays(l, x, rc));
      const b = graphEdges(radiusGraphFromArrays(rotated, x, rc));
      expect(clearKeys(b, rc)).toEqual(clearKeys(a, rc));
    },
  );

  it('radiusGraphFromArrays(L, x, r) keeps coincident atoms as a zero-length edge but never (i, i, 0)', () => {
    const g = radiusGraphFromArrays([10, 0, 0, 0, 10, 0, 0, 0, 10], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], 1);
    expect(graphEdges(g).map((e) => [e.src, e.dst, ...e.image, e.distance])).toEqual([
      [0, 1, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0],
    ]);
    expect(radiusGraphFromArrays(cubic2, [], 3).src.length).toBe(0);
  });

  it('radiusGraphFromArrays(L, x, r) returns only the requested optional fields', () => {
    const g = radiusGraphFromArrays(cubic2, [0, 0, 0], 2.5, { distances: false });
    expect(Object.keys(g).sort()).toEqual(['dst', 'image', 'numNodes', 'src']);
    const h = radiusGraphFromArrays(cubic2, [0, 0, 0], 2.5, { vectors: true, reverse: true });
    expect(Object.keys(h).sort()).toEqual(['distances', 'dst', 'image', 'numNodes', 'reverse', 'src', 'vectors']);
  });
});

describe('radiusGraph errors', () => {
  const c = createCrystal({ lattice: cubic2, fracCoords: [0, 0, 0], atomicNumbers: [6] });
  it('radiusGraph rejects a non-positive or non-finite cutoff', () => {
    expect(() => radiusGraph(c, { cutoff: -1 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: radiusGraph: cutoff must be positive and finite, got -1]`,
    );
    expect(() => radiusGraph(c, { cutoff: Number.NaN })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: radiusGraph: cutoff must be positive and finite, got NaN]`,
    );
    expect(() => radiusGraph(c, { cutoff: Number.POSITIVE_INFINITY })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: radiusGraph: cutoff must be positive and finite, got Infinity]`,
    );
  });
  it('radiusGraphFromArrays rejects a degenerate lattice and ragged coordinates', () => {
    expect(() => radiusGraphFromArrays([1, 0, 0, 2, 0, 0, 0, 0, 1], [0, 0, 0], 3)).toThrowErrorMatchingInlineSnapshot(
      `[DegenerateLatticeError: radiusGraphFromArrays: lattice is singular or degenerate (det 0.000), got [1, 0, 0, 2, 0, 0, 0, 0, 1] (length 9)]`,
    );
    expect(() => radiusGraphFromArrays(cubic2, [0, 0, 0, 1], 3)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: radiusGraphFromArrays: fracCoords must have length 3·n, got 4]`,
    );
    expect(() => radiusGraphFromArrays(cubic2, [0, Number.NaN, 0], 3)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: radiusGraphFromArrays: fracCoords must be finite, got NaN at index 1]`,
    );
    expect(() =>
      radiusGraphFromArrays(cubic2, [0, 0, 0], 3, { method: 'fast' as 'auto' }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: radiusGraphFromArrays: method must be 'auto', 'pairs' or 'cells', got fast]`,
    );
  });
  it("method 'auto' runs the pairs search on small cells and the cells search from a few dozen atoms", () => {
    // The searches list the same edges in different orders, so the order shows which one ran. A 5-atom perov_5 cell:
    // pairs. Its 2×2×2 supercell (40 atoms) at 6.5 Å and a 64-atom carbon_24 supercell at 5 Å: cells (the rule these
    // replaced ran pairs on both, 1.2× and 1.5× slower).
    const order = (g: { src: Int32Array; dst: Int32Array; image: Int32Array }) =>
      Array.from(g.src, (s, e) => `${s} ${g.dst[e]} ${g.image.subarray(3 * e, 3 * e + 3).join(',')}`).join(';');
    const cases: [Crystal, number, 'pairs' | 'cells'][] = [
      [loadVal('perov_5', 1)[0].crystal, 5, 'pairs'],
      [supercell2(loadVal('perov_5', 1)[0].crystal), 6.5, 'cells'],
      [
        supercell2(
          loadVal('carbon_24', 20)
            .map((r) => r.crystal)
            .find((x) => x.atomicNumbers.length === 8) as Crystal,
        ),
        5,
        'cells',
      ],
    ];
    for (const [crystal, cutoff, expected] of cases) {
      const other = expected === 'pairs' ? 'cells' : 'pairs';
      const auto = order(radiusGraph(crystal, { cutoff }));
      expect(auto).toBe(order(radiusGraph(crystal, { cutoff, method: expected })));
      expect(auto).not.toBe(order(radiusGraph(crystal, { cutoff, method: other })));
    }
  });

  it('radiusGraph throws EdgeBudgetError from the estimate, before allocating', () => {
    let err: unknown;
    try {
      radiusGraph(c, { cutoff: 1000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EdgeBudgetError);
    expect((err as EdgeBudgetError).estimated).toBe(true);
    expect(() => radiusGraph(c, { cutoff: 10, maxEdges: 100 })).toThrowErrorMatchingInlineSnapshot(
      `[EdgeBudgetError: radiusGraph: the request would give about 524 edges, more than maxEdges = 100 (raise options.maxEdges or lower the cutoff)]`,
    );
  });
  it('radiusGraph throws EdgeBudgetError once the count passes the budget for atoms denser than average', () => {
    // 50 atoms piled at one point in a huge cell: the mean density predicts almost no edges
    const x = new Array(150).fill(0.5);
    expect(() =>
      radiusGraphFromArrays([100, 0, 0, 0, 100, 0, 0, 0, 100], x, 1, { maxEdges: 1000 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[EdgeBudgetError: radiusGraphFromArrays: the graph has more than maxEdges = 1000 edges (atoms denser than average; raise options.maxEdges or lower the cutoff)]`,
    );
  });
});
