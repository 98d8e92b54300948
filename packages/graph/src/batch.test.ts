import { createCrystal } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { batchGraphs, radiusGraphBatch } from './batch.js';
import { radiusGraph } from './radius-graph.js';

const a = createCrystal({ lattice: [2, 0, 0, 0, 2, 0, 0, 0, 2], fracCoords: [0, 0, 0], atomicNumbers: [6] });
const b = createCrystal({
  lattice: [4.12, 0, 0, 0, 4.12, 0, 0, 0, 4.12],
  fracCoords: [0, 0, 0, 0.5, 0.5, 0.5],
  atomicNumbers: [55, 17],
});

describe('batchGraphs', () => {
  it('radiusGraphBatch(crystals, options) offsets nodes, keeps images and indexes crystals', () => {
    const batch = radiusGraphBatch([a, b], { cutoff: 3.6, vectors: true, reverse: true });
    const ga = radiusGraph(a, { cutoff: 3.6 });
    const gb = radiusGraph(b, { cutoff: 3.6 });
    expect(batch.numGraphs).toBe(2);
    expect(batch.numNodes).toBe(3);
    expect(Array.from(batch.numAtoms)).toEqual([1, 2]);
    expect(Array.from(batch.nodeOffsets)).toEqual([0, 1, 3]);
    expect(Array.from(batch.edgeOffsets)).toEqual([0, ga.src.length, ga.src.length + gb.src.length]);
    expect(Array.from(batch.crystalIndex)).toEqual([0, 1, 1]);
    expect(Array.from(batch.atomicNumbers)).toEqual([6, 55, 17]);
    expect(Array.from(batch.lattices.subarray(9))).toEqual(Array.from(b.lattice));
    const e0 = ga.src.length;
    for (let q = 0; q < gb.src.length; q++) {
      expect(batch.src[e0 + q]).toBe(gb.src[q] + 1);
      expect(batch.dst[e0 + q]).toBe(gb.dst[q] + 1);
      expect(batch.edgeCrystalIndex[e0 + q]).toBe(1);
      expect(Array.from(batch.image.subarray(3 * (e0 + q), 3 * (e0 + q) + 3))).toEqual(
        Array.from(gb.image.subarray(3 * q, 3 * q + 3)),
      );
    }
    const rev = batch.reverse as Int32Array;
    for (let e = 0; e < rev.length; e++) {
      expect(batch.src[rev[e]]).toBe(batch.dst[e]);
      expect(batch.edgeCrystalIndex[rev[e]]).toBe(batch.edgeCrystalIndex[e]);
    }
    expect(batch.vectors?.length).toBe(3 * batch.src.length);
  });
  it('batchGraphs(crystals, graphs) rejects a graph that does not match its crystal', () => {
    expect(() => batchGraphs([a], [radiusGraph(b, { cutoff: 3 })])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: batchGraphs: graphs[0] has 2 nodes but crystals[0] has 1 atoms]`,
    );
  });
});
