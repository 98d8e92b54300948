import { describe, expect, it } from 'vitest';
import { radiusGraphFromArrays } from './radius-graph.js';
import { triplets } from './triplets.js';

describe('triplets', () => {
  it('triplets(g) lists every ordered pair of distinct edges sharing a source', () => {
    const g = radiusGraphFromArrays([3, 0, 0, 0, 3.5, 0, 0, 0, 9], [0, 0, 0, 0.5, 0.5, 0.1], 3.2);
    const t = triplets(g);
    const expected: string[] = [];
    for (let a = 0; a < g.src.length; a++) {
      for (let b = 0; b < g.src.length; b++) if (a !== b && g.src[a] === g.src[b]) expected.push(`${a},${b}`);
    }
    const got = Array.from(t.first, (f, k) => `${f},${t.second[k]}`);
    expect(got.sort()).toEqual(expected.sort());
    expect(t.srcOffsets[g.numNodes]).toBe(g.src.length);
    for (let i = 0; i < g.numNodes; i++) {
      for (let q = t.srcOffsets[i]; q < t.srcOffsets[i + 1]; q++) expect(g.src[t.edgeOrder[q]]).toBe(i);
    }
  });

  it('triplets(g, { maxTriplets }) refuses before allocating', () => {
    const g = radiusGraphFromArrays([2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0, 0], 3);
    expect(triplets(g).first.length).toBe(18 * 17);
    expect(() => triplets(g, { maxTriplets: 100 })).toThrowErrorMatchingInlineSnapshot(
      `[EdgeBudgetError: triplets: the request would give about 306 triplets, more than maxEdges = 100 (raise options.maxEdges or lower the cutoff)]`,
    );
  });
});
