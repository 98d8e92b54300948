import { assertFiniteArray, assertLattice, InvalidArgumentError, type Mat3Like } from '@crys/lattice';
import type { GraphBatch, PeriodicGraph } from './types.js';

function checkGeometryTarget(fn: string, graph: PeriodicGraph): void {
  const e = graph.src.length;
  if (!graph.vectors && !graph.distances) {
    throw new InvalidArgumentError(
      fn,
      'graph',
      'has neither distances nor vectors to update (build it with { distances: true } or { vectors: true })',
    );
  }
  if (graph.vectors && graph.vectors.length !== 3 * e) {
    throw new InvalidArgumentError(fn, 'graph.vectors', `must have length 3·E = ${3 * e}, got ${graph.vectors.length}`);
  }
  if (graph.distances && graph.distances.length !== e) {
    throw new InvalidArgumentError(fn, 'graph.distances', `must have length E = ${e}, got ${graph.distances.length}`);
  }
}

/**
 * Recomputes, in place, the `vectors` and `distances` of an existing graph for a new lattice and new
 * fractional coordinates (same atoms, same edges, same images): r_e = (x[dst] − x[src] + τ_e)·L, exactly the
 * formula the builders use. No allocation; O(E). It does not add or drop edges: see {@link createVerletList}
 * for knowing when the edge set must be rebuilt. Returns `graph`.
 *
 * @example
 * const g = radiusGraph(crystal, { cutoff: 5, vectors: true });
 * updateEdgeGeometry(g, strainedLattice, movedFracCoords); // g.vectors, g.distances now describe the new geometry
 */
export function updateEdgeGeometry<G extends PeriodicGraph>(
  graph: G,
  lattice: Mat3Like,
  fracCoords: ArrayLike<number>,
): G {
  const fn = 'updateEdgeGeometry';
  assertLattice(fn, lattice);
  assertFiniteArray(fn, 'fracCoords', fracCoords, 3 * graph.numNodes);
  checkGeometryTarget(fn, graph);
  writeGeometry(graph, lattice, 0, fracCoords, 0, graph.src.length);
  return graph;
}

/**
 * {@link updateEdgeGeometry} for a {@link GraphBatch}: each edge uses its own crystal's lattice from `lattices`
 * (9·B) and the batch-wide `fracCoords` (3·N). Returns `batch`.
 *
 * @example
 * updateBatchEdgeGeometry(batch, newLattices, newFracCoords);
 */
export function updateBatchEdgeGeometry<G extends GraphBatch>(
  batch: G,
  lattices: ArrayLike<number>,
  fracCoords: ArrayLike<number>,
): G {
  const fn = 'updateBatchEdgeGeometry';
  assertFiniteArray(fn, 'lattices', lattices, 9 * batch.numGraphs);
  assertFiniteArray(fn, 'fracCoords', fracCoords, 3 * batch.numNodes);
  checkGeometryTarget(fn, batch);
  for (let b = 0; b < batch.numGraphs; b++) {
    writeGeometry(batch, lattices, 9 * b, fracCoords, batch.edgeOffsets[b], batch.edgeOffsets[b + 1]);
  }
  return batch;
}

/** Kernel: edges [e0, e1) of `g` with the lattice at lattice[lo…lo+8]. */
function writeGeometry(
  g: PeriodicGraph,
  lattice: ArrayLike<number>,
  lo: number,
  x: ArrayLike<number>,
  e0: number,
  e1: number,
): void {
  const l00 = lattice[lo],
    l01 = lattice[lo + 1],
    l02 = lattice[lo + 2];
  const l10 = lattice[lo + 3],
    l11 = lattice[lo + 4],
    l12 = lattice[lo + 5];
  const l20 = lattice[lo + 6],
    l21 = lattice[lo + 7],
    l22 = lattice[lo + 8];
  const { src, dst, image, vectors, distances } = g;
  for (let e = e0; e < e1; e++) {
    const i = src[e],
      j = dst[e];
    const fx = x[3 * j] - x[3 * i] + image[3 * e];
    const fy = x[3 * j + 1] - x[3 * i + 1] + image[3 * e + 1];
    const fz = x[3 * j + 2] - x[3 * i + 2] + image[3 * e + 2];
    const vx = fx * l00 + fy * l10 + fz * l20;
    const vy = fx * l01 + fy * l11 + fz * l21;
    const vz = fx * l02 + fy * l12 + fz * l22;
    if (vectors) {
      vectors[3 * e] = vx;
      vectors[3 * e + 1] = vy;
      vectors[3 * e + 2] = vz;
    }
    if (distances) distances[e] = Math.sqrt(vx * vx + vy * vy + vz * vz);
  }
}
