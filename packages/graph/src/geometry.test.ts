import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { radiusGraphBatch } from './batch.js';
import { updateBatchEdgeGeometry, updateEdgeGeometry } from './geometry.js';
import { radiusGraphFromArrays } from './radius-graph.js';
import { fracCoords, skewedLattice } from '../test/arbitraries.js';

const lat = fc.array(fc.double({ min: -0.3, max: 0.3, noNaN: true }), { minLength: 9, maxLength: 9 });

describe('updateEdgeGeometry', () => {
  test.prop([skewedLattice, fracCoords, lat, fc.double({ min: -0.2, max: 0.2, noNaN: true })], { numRuns: 40 })(
    'updateEdgeGeometry(g, L, x) writes exactly what a build at (L, x) computes for the same edges',
    (l, x, dl, dx) => {
      const g = radiusGraphFromArrays(l, x, 4, { vectors: true });
      const l2 = l.map((v, k) => v + dl[k]);
      const x2 = x.map((v, k) => v + dx * ((k % 5) - 2));
      const ret = updateEdgeGeometry(g, l2, x2);
      expect(ret).toBe(g);
      const v = g.vectors as Float64Array,
        d = g.distances as Float64Array;
      for (let e = 0; e < g.src.length; e++) {
        const i = g.src[e],
          j = g.dst[e];
        const f = [0, 1, 2].map((c) => x2[3 * j + c] - x2[3 * i + c] + g.image[3 * e + c]);
        for (let c = 0; c < 3; c++) {
          const r = f[0] * l2[c] + f[1] * l2[3 + c] + f[2] * l2[6 + c];
          expect(v[3 * e + c]).toBe(r);
        }
        expect(d[e]).toBe(Math.sqrt(v[3 * e] * v[3 * e] + v[3 * e + 1] * v[3 * e + 1] + v[3 * e + 2] * v[3 * e + 2]));
      }
    },
  );

  it('updateEdgeGeometry(g, L, x) at the build geometry reproduces the built vectors bit for bit', () => {
    const l = [3, 0.2, 0, 1.1, 2.7, 0, -0.4, 0.3, 3.3];
    const x = [0.1, 0.2, 0.3, 0.7, 1.6, -0.2];
    const g = radiusGraphFromArrays(l, x, 6, { vectors: true });
    const before = Float64Array.from(g.vectors as Float64Array);
    const dist = Float64Array.from(g.distances as Float64Array);
    updateEdgeGeometry(g, l, x);
    expect(g.vectors).toEqual(before);
    expect(g.distances).toEqual(dist);
  });

  it('updateBatchEdgeGeometry(batch, lattices, x) uses each crystal’s lattice', () => {
    const a = {
      lattice: Float64Array.of(2, 0, 0, 0, 2, 0, 0, 0, 2),
      fracCoords: Float64Array.of(0, 0, 0),
      atomicNumbers: Uint8Array.of(6),
    };
    const b = {
      lattice: Float64Array.of(3, 0, 0, 0, 3, 0, 0, 0, 3),
      fracCoords: Float64Array.of(0, 0, 0),
      atomicNumbers: Uint8Array.of(6),
    };
    const batch = radiusGraphBatch([a, b], { cutoff: 3.5, vectors: true });
    const lattices = Float64Array.of(2.2, 0, 0, 0, 2.2, 0, 0, 0, 2.2, 3, 0, 0, 0, 3, 0, 0, 0, 3);
    updateBatchEdgeGeometry(batch, lattices, batch.fracCoords);
    const d = batch.distances as Float64Array;
    for (let e = 0; e < d.length; e++) {
      const t = batch.image.subarray(3 * e, 3 * e + 3);
      const s = batch.edgeCrystalIndex[e] === 0 ? 2.2 : 3;
      expect(d[e]).toBeCloseTo(s * Math.hypot(t[0], t[1], t[2]), 12);
    }
  });

  it('updateEdgeGeometry rejects a graph without geometry and mismatched coordinates', () => {
    const g = radiusGraphFromArrays([2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0, 0], 2.5, { distances: false });
    expect(() => updateEdgeGeometry(g, [2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0, 0])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: updateEdgeGeometry: graph has neither distances nor vectors to update (build it with { distances: true } or { vectors: true })]`,
    );
    const h = radiusGraphFromArrays([2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0, 0], 2.5);
    expect(() => updateEdgeGeometry(h, [2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: updateEdgeGeometry: fracCoords must have length 3, got 2]`,
    );
  });
});
