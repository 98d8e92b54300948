import { type Crystal, InvalidArgumentError } from '@crys/lattice';
import { type RadiusGraphOptions, radiusGraph } from './radius-graph.js';
import type { GraphBatch, PeriodicGraph } from './types.js';

/**
 * Concatenates B crystals and their graphs into one {@link GraphBatch}: node ids are offset per crystal,
 * images stay relative to each crystal's lattice, and `distances`, `vectors` and `reverse` are kept when every
 * graph has them (reverse indices are offset by the edge offsets).
 *
 * @example
 * const batch = batchGraphs(crystals, crystals.map((c) => radiusGraph(c, { cutoff: 5 })));
 * batch.crystalIndex; // segment id of every node, for per-crystal sums
 */
export function batchGraphs(crystals: readonly Crystal[], graphs: readonly PeriodicGraph[]): GraphBatch {
  const fn = 'batchGraphs';
  if (!Array.isArray(crystals))
    throw new InvalidArgumentError(fn, 'crystals', `must be an array, got ${String(crystals)}`);
  if (!Array.isArray(graphs) || graphs.length !== crystals.length) {
    throw new InvalidArgumentError(
      fn,
      'graphs',
      `must be an array with one graph per crystal (${crystals.length}), got ${Array.isArray(graphs) ? graphs.length : String(graphs)}`,
    );
  }
  const b = crystals.length;
  const nodeOffsets = new Int32Array(b + 1);
  const edgeOffsets = new Int32Array(b + 1);
  let withDist = b > 0,
    withVec = b > 0,
    withRev = b > 0;
  for (let k = 0; k < b; k++) {
    const n = crystals[k].atomicNumbers.length;
    const g = graphs[k];
    if (g.numNodes !== n || crystals[k].fracCoords.length !== 3 * n) {
      throw new InvalidArgumentError(fn, `graphs[${k}]`, `has ${g.numNodes} nodes but crystals[${k}] has ${n} atoms`);
    }
    nodeOffsets[k + 1] = nodeOffsets[k] + n;
    edgeOffsets[k + 1] = edgeOffsets[k] + g.src.length;
    withDist &&= g.distances !== undefined;
    withVec &&= g.vectors !== undefined;
    withRev &&= g.reverse !== undefined;
  }
  const numNodes = nodeOffsets[b],
    e = edgeOffsets[b];
  const src = new Int32Array(e),
    dst = new Int32Array(e),
    image = new Int32Array(3 * e);
  const edgeCrystalIndex = new Int32Array(e);
  const distances = withDist ? new Float64Array(e) : undefined;
  const vectors = withVec ? new Float64Array(3 * e) : undefined;
  const reverse = withRev ? new Int32Array(e) : undefined;
  const numAtoms = new Int32Array(b),
    lattices = new Float64Array(9 * b);
  const fracCoords = new Float64Array(3 * numNodes),
    atomicNumbers = new Uint8Array(numNodes);
  const crystalIndex = new Int32Array(numNodes);
  for (let k = 0; k < b; k++) {
    const c = crystals[k],
      g = graphs[k];
    const n0 = nodeOffsets[k],
      e0 = edgeOffsets[k],
      ne = g.src.length;
    numAtoms[k] = c.atomicNumbers.length;
    lattices.set(c.lattice, 9 * k);
    fracCoords.set(c.fracCoords, 3 * n0);
    atomicNumbers.set(c.atomicNumbers, n0);
    crystalIndex.fill(k, n0, nodeOffsets[k + 1]);
    edgeCrystalIndex.fill(k, e0, e0 + ne);
    for (let q = 0; q < ne; q++) {
      src[e0 + q] = g.src[q] + n0;
      dst[e0 + q] = g.dst[q] + n0;
    }
    image.set(g.image, 3 * e0);
    if (distances && g.distances) distances.set(g.distances, e0);
    if (vectors && g.vectors) vectors.set(g.vectors, 3 * e0);
    if (reverse && g.reverse) for (let q = 0; q < ne; q++) reverse[e0 + q] = g.reverse[q] < 0 ? -1 : g.reverse[q] + e0;
  }
  return {
    numNodes,
    numGraphs: b,
    src,
    dst,
    image,
    ...(distances ? { distances } : {}),
    ...(vectors ? { vectors } : {}),
    ...(reverse ? { reverse } : {}),
    numAtoms,
    lattices,
    fracCoords,
    atomicNumbers,
    crystalIndex,
    edgeCrystalIndex,
    nodeOffsets,
    edgeOffsets,
  };
}

/**
 * Radius graphs of B crystals at one cutoff, batched; see {@link radiusGraph} and {@link batchGraphs}. The
 * edge budget applies to each crystal.
 *
 * @example
 * const batch = radiusGraphBatch(crystals, { cutoff: 5, vectors: true });
 * batch.numGraphs === crystals.length; // true
 */
export function radiusGraphBatch(crystals: readonly Crystal[], options: RadiusGraphOptions): GraphBatch {
  if (!Array.isArray(crystals)) {
    throw new InvalidArgumentError('radiusGraphBatch', 'crystals', `must be an array, got ${String(crystals)}`);
  }
  const graphs: PeriodicGraph[] = new Array(crystals.length);
  for (let k = 0; k < crystals.length; k++) graphs[k] = radiusGraph(crystals[k], options);
  return batchGraphs(crystals, graphs);
}
