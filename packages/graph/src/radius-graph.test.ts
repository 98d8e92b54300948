import { describe, expect, it } from 'vitest';
import { radiusGraphFromArrays } from './radius-graph.js';
import { bruteRadius, edgeKeys, graphEdges } from './test-helpers/brute.js';
import { loadVal } from './test-helpers/datasets.js';

describe('radiusGraphFromArrays', () => {
  it('joins a 2 Å simple cubic atom to its 6 images at 2.5 Å and 18 at 3 Å', () => {
    expect(radiusGraphFromArrays([2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0, 0], 2.5).src.length).toBe(6);
    const g = radiusGraphFromArrays([2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0, 0], 3);
    expect(g.src.length).toBe(18);
  });
  it('matches brute force on dataset crystals with both methods', () => {
    const rows = [...loadVal('perov_5').slice(0, 20), ...loadVal('carbon_24').slice(0, 20)];
    for (const { crystal } of rows) {
      for (const rc of [4, 8]) {
        const ref = bruteRadius(crystal.lattice, crystal.fracCoords, rc);
        for (const method of ['pairs', 'cells'] as const) {
          const g = radiusGraphFromArrays(crystal.lattice, crystal.fracCoords, rc, { method });
          const mine = graphEdges(g);
          expect(edgeKeys(mine)).toEqual(edgeKeys(ref));
        }
      }
    }
  });
  it('matches brute force on skewed cells', () => {
    const l = [3, 0, 0, 2.9, 0.6, 0, -5.5, 1.1, 0.8];
    const f = [0.1, 0.2, 0.3, 0.9, -0.4, 1.7, 0.5, 0.5, 0.5];
    const ref = bruteRadius(l, f, 6);
    for (const method of ['pairs', 'cells'] as const) {
      expect(edgeKeys(graphEdges(radiusGraphFromArrays(l, f, 6, { method })))).toEqual(edgeKeys(ref));
    }
  });
});
