import { type Crystal, InvalidArgumentError } from '@crys/lattice';
import { buf, resetBuffer, startCrystal, takeArrays } from './edge-buffer.js';
import { checkBuildOptions, checkCutoff, checkInputs, type RadiusGraphOptions } from './radius-graph.js';
import { reverseEdges } from './reverse.js';
import { searchRadius } from './search.js';
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
  const e = edgeOffsets[b];
  const src = new Int32Array(e),
    dst = new Int32Array(e),
    image = new Int32Array(3 * e);
  const distances = withDist ? new Float64Array(e) : undefined;
  const vectors = withVec ? new Float64Array(3 * e) : undefined;
  const reverse = withRev ? new Int32Array(e) : undefined;
  for (let k = 0; k < b; k++) {
    const g = graphs[k];
    const n0 = nodeOffsets[k],
      e0 = edgeOffsets[k],
      ne = g.src.length;
    for (let q = 0; q < ne; q++) {
      src[e0 + q] = g.src[q] + n0;
      dst[e0 + q] = g.dst[q] + n0;
    }
    image.set(g.image, 3 * e0);
    if (distances && g.distances) distances.set(g.distances, e0);
    if (vectors && g.vectors) vectors.set(g.vectors, 3 * e0);
    if (reverse && g.reverse) for (let q = 0; q < ne; q++) reverse[e0 + q] = g.reverse[q] < 0 ? -1 : g.reverse[q] + e0;
  }
  return assemble(crystals, nodeOffsets, edgeOffsets, src, dst, image, distances, vectors, reverse);
}

/**
 * Radius graphs of B crystals at one cutoff, batched: the same edges, in the same order, as {@link batchGraphs}
 * over {@link radiusGraph} of each crystal, but built straight into the batch's arrays (no per-crystal graphs).
 * The edge budget applies to each crystal; with `workspace` the edge arrays are views on it.
 *
 * @example
 * const batch = radiusGraphBatch(crystals, { cutoff: 5, vectors: true });
 * batch.numGraphs === crystals.length; // true
 */
export function radiusGraphBatch(crystals: readonly Crystal[], options: RadiusGraphOptions): GraphBatch {
  const fn = 'radiusGraphBatch';
  if (!Array.isArray(crystals)) {
    throw new InvalidArgumentError(fn, 'crystals', `must be an array, got ${String(crystals)}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(fn, 'options', `must be an object with a cutoff, got ${String(options)}`);
  }
  const cutoff = checkCutoff(fn, options.cutoff);
  const { maxEdges, method, workspace } = checkBuildOptions(fn, options);
  const b = crystals.length;
  const nodeOffsets = new Int32Array(b + 1);
  for (let k = 0; k < b; k++) {
    const c = crystals[k];
    const where = `${fn}: crystals[${k}]`;
    if (typeof c !== 'object' || c === null)
      throw new InvalidArgumentError(fn, `crystals[${k}]`, `must be a crystal, got ${String(c)}`);
    const n = checkInputs(where, c.lattice, c.fracCoords);
    if (c.atomicNumbers?.length !== n) {
      throw new InvalidArgumentError(
        fn,
        `crystals[${k}].atomicNumbers`,
        `must have one entry per atom (${n}), got ${c.atomicNumbers?.length}`,
      );
    }
    nodeOffsets[k + 1] = nodeOffsets[k] + n;
  }
  const vectors = options.vectors ?? false;
  const edgeOffsets = new Int32Array(b + 1);
  resetBuffer(fn, maxEdges, vectors, workspace);
  for (let k = 0; k < b; k++) {
    const c = crystals[k];
    const n0 = nodeOffsets[k];
    startCrystal();
    const e0 = buf.length;
    searchRadius(fn, c.lattice, c.fracCoords, nodeOffsets[k + 1] - n0, cutoff, maxEdges, method);
    const e1 = buf.length;
    if (n0 !== 0) {
      const src = buf.src,
        dst = buf.dst;
      for (let q = e0; q < e1; q++) {
        src[q] += n0;
        dst[q] += n0;
      }
    }
    edgeOffsets[k + 1] = e1;
  }
  const a = takeArrays(options.distances ?? true, vectors);
  const reverse = options.reverse ? reverseEdges(a) : undefined;
  return assemble(crystals, nodeOffsets, edgeOffsets, a.src, a.dst, a.image, a.dist, a.vec, reverse);
}

/** The per-crystal fields of a batch around its edge arrays. */
function assemble(
  crystals: readonly Crystal[],
  nodeOffsets: Int32Array,
  edgeOffsets: Int32Array,
  src: Int32Array,
  dst: Int32Array,
  image: Int32Array,
  distances: Float64Array | undefined,
  vectors: Float64Array | undefined,
  reverse: Int32Array | undefined,
): GraphBatch {
  const b = crystals.length;
  const numNodes = nodeOffsets[b];
  const numAtoms = new Int32Array(b),
    lattices = new Float64Array(9 * b);
  const fracCoords = new Float64Array(3 * numNodes),
    atomicNumbers = new Uint8Array(numNodes);
  const crystalIndex = new Int32Array(numNodes);
  const edgeCrystalIndex = new Int32Array(edgeOffsets[b]);
  for (let k = 0; k < b; k++) {
    const c = crystals[k];
    const n0 = nodeOffsets[k];
    numAtoms[k] = nodeOffsets[k + 1] - n0;
    lattices.set(c.lattice, 9 * k);
    fracCoords.set(c.fracCoords, 3 * n0);
    atomicNumbers.set(c.atomicNumbers, n0);
    crystalIndex.fill(k, n0, nodeOffsets[k + 1]);
    edgeCrystalIndex.fill(k, edgeOffsets[k], edgeOffsets[k + 1]);
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
