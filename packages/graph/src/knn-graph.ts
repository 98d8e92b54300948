import { type Crystal, determinant, InvalidArgumentError, type Mat3Like } from '@crys/lattice';
import { buf, releaseBuffer, resetBuffer } from './edge-buffer.js';
import { EdgeBudgetError } from './errors.js';
import { checkBuildOptions, checkCutoff, checkInputs } from './radius-graph.js';
import { searchRadius } from './search.js';
import type { PeriodicGraph } from './types.js';

/** Distances are compared on this grid (Å) when ranking neighbours: closer than this counts as a tie. *
 * @example
 * // neighbours at 2.0000001 Å and 2.0000004 Å tie (both round to 2000000 quanta): the lower dst wins
 * knnGraph(crystal, { k: 12 });
 */
export const KNN_DISTANCE_QUANTUM = 1e-6;

/** Options of {@link knnGraphFromArrays}. *
 * @example
 * knnGraphFromArrays(lattice, fracCoords, 12, { cutoff: 8, vectors: true });
 */
export interface KnnGraphArrayOptions {
  /** Only neighbours with |r| ≤ cutoff (Å); atoms may then get fewer than k. Default: no cap. */
  readonly cutoff?: number;
  /** Return `distances` (E). Default true. */
  readonly distances?: boolean;
  /** Return Cartesian `vectors` (3·E). Default false. */
  readonly vectors?: boolean;
  /** Edge budget of the internal radius search, as in {@link radiusGraph}. */
  readonly maxEdges?: number;
  /**
   * What to do with neighbours tied with the k-th (within one {@link KNN_DISTANCE_QUANTUM}): `'break'` (default)
   * keeps exactly k by the tie order; `'keep'` keeps the whole tie group, so an atom may get more than k edges and
   * the graph does not depend on atom order or on the frame (what an equivariant network needs on symmetric
   * crystals, where the k-th shell is often cut in the middle).
   */
  readonly ties?: 'break' | 'keep';
}

/** Options of {@link knnGraph}. *
 * @example
 * const options: KnnGraphOptions = { k: 12, cutoff: 8 };
 */
export interface KnnGraphOptions extends KnnGraphArrayOptions {
  /** Number of neighbours per atom, an integer ≥ 1. */
  readonly k: number;
}

/**
 * The periodic k-nearest-neighbour graph on raw arrays: for every atom i, the k closest (j, τ) among all atoms
 * and their periodic images (own images included, (i, i, 0) excluded), as edges i → j. Deterministic tie policy:
 * candidates are ranked by distance rounded to {@link KNN_DISTANCE_QUANTUM} (round(d / 1e-6)), then by `dst`,
 * then by image (τx, τy, τz) ascending; the first k are kept, so of several equidistant neighbours at rank k
 * the lowest-indexed win. Edges come grouped by `src` ascending, in rank order. Not symmetric: use
 * {@link reverseEdges} for twins (−1 where missing).
 *
 * @example
 * const g = knnGraphFromArrays([2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0, 0], 6);
 * g.src.length; // 6: the six images at 2 Å
 */
export function knnGraphFromArrays(
  lattice: Mat3Like,
  fracCoords: ArrayLike<number>,
  k: number,
  options: KnnGraphArrayOptions = {},
): PeriodicGraph {
  return buildKnn('knnGraphFromArrays', lattice, fracCoords, k, options);
}

/**
 * The periodic k-nearest-neighbour graph of a crystal; see {@link knnGraphFromArrays} for the tie policy.
 *
 * @example
 * const g = knnGraph(crystal, { k: 12, cutoff: 8 }); // at most 12 neighbours per atom, none beyond 8 Å
 */
export function knnGraph(crystal: Crystal, options: KnnGraphOptions): PeriodicGraph {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('knnGraph', 'options', `must be an object with k, got ${String(options)}`);
  }
  return buildKnn('knnGraph', crystal.lattice, crystal.fracCoords, options.k, options);
}

function buildKnn(
  fn: string,
  lattice: Mat3Like,
  fracCoords: ArrayLike<number>,
  k: number,
  options: KnnGraphArrayOptions,
): PeriodicGraph {
  const n = checkInputs(fn, lattice, fracCoords);
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new InvalidArgumentError(fn, 'k', `must be an integer ≥ 1, got ${String(k)}`, k);
  }
  const cap = options.cutoff === undefined ? Number.POSITIVE_INFINITY : checkCutoff(fn, options.cutoff);
  const { maxEdges } = checkBuildOptions(fn, { maxEdges: options.maxEdges });
  const ties = options.ties ?? 'break';
  if (ties !== 'break' && ties !== 'keep') {
    throw new InvalidArgumentError(fn, 'options.ties', `must be 'break' or 'keep', got ${String(ties)}`, ties);
  }
  if (n * k > maxEdges) throw new EdgeBudgetError(fn, n * k, maxEdges, true);
  const vol = Math.abs(determinant(lattice));
  // A radius expected to hold ~2.5 k neighbours at the mean density; grown until every atom has k within
  // rc − 2·quantum, so that the whole tie group of its k-th neighbour is inside rc.
  let rc = Math.min(cap, 1.35 * Math.cbrt((3 * (k + 1) * vol) / (4 * Math.PI * Math.max(n, 1))));
  const margin = 2 * KNN_DISTANCE_QUANTUM;
  let counts = new Int32Array(n);
  for (;;) {
    resetBuffer(fn, maxEdges, false);
    searchRadius(fn, lattice, fracCoords, n, rc, maxEdges, 'auto');
    if (rc >= cap) break;
    counts = new Int32Array(n);
    for (let e = 0; e < buf.length; e++) if (buf.dist[e] <= rc - margin) counts[buf.src[e]]++;
    let ok = true;
    for (let a = 0; a < n && ok; a++) ok = counts[a] >= k;
    if (ok) break;
    rc = Math.min(cap, rc * 1.3);
  }
  // The radius search groups edges by src ascending; rank each group and keep the first k.
  const e = buf.length;
  const quant = new Float64Array(e);
  for (let q = 0; q < e; q++) quant[q] = Math.round(buf.dist[q] / KNN_DISTANCE_QUANTUM);
  const order: number[] = [];
  const keep: number[] = [];
  let start = 0;
  while (start < e) {
    const s = buf.src[start];
    let end = start;
    while (end < e && buf.src[end] === s) end++;
    order.length = 0;
    for (let q = start; q < end; q++) order.push(q);
    order.sort(
      (p, q) =>
        quant[p] - quant[q] ||
        buf.dst[p] - buf.dst[q] ||
        buf.image[3 * p] - buf.image[3 * q] ||
        buf.image[3 * p + 1] - buf.image[3 * q + 1] ||
        buf.image[3 * p + 2] - buf.image[3 * q + 2],
    );
    let take = Math.min(k, order.length);
    if (ties === 'keep' && take > 0) {
      const last = quant[order[take - 1]];
      while (take < order.length && quant[order[take]] - last <= 1) take++;
    }
    for (let r = 0; r < take; r++) keep.push(order[r]);
    start = end;
  }
  const m = keep.length;
  const src = new Int32Array(m),
    dst = new Int32Array(m),
    image = new Int32Array(3 * m);
  const distances = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    const q = keep[r];
    src[r] = buf.src[q];
    dst[r] = buf.dst[q];
    image[3 * r] = buf.image[3 * q];
    image[3 * r + 1] = buf.image[3 * q + 1];
    image[3 * r + 2] = buf.image[3 * q + 2];
    distances[r] = buf.dist[q];
  }
  releaseBuffer();
  const g: PeriodicGraph = { numNodes: n, src, dst, image };
  const withVectors = options.vectors ?? false;
  let vectors: Float64Array | undefined;
  if (withVectors) {
    vectors = new Float64Array(3 * m);
    const l = lattice,
      x = fracCoords;
    for (let r = 0; r < m; r++) {
      const i = src[r],
        j = dst[r];
      const fx = x[3 * j] - x[3 * i] + image[3 * r];
      const fy = x[3 * j + 1] - x[3 * i + 1] + image[3 * r + 1];
      const fz = x[3 * j + 2] - x[3 * i + 2] + image[3 * r + 2];
      vectors[3 * r] = fx * l[0] + fy * l[3] + fz * l[6];
      vectors[3 * r + 1] = fx * l[1] + fy * l[4] + fz * l[7];
      vectors[3 * r + 2] = fx * l[2] + fy * l[5] + fz * l[8];
    }
  }
  return {
    ...g,
    ...((options.distances ?? true) ? { distances } : {}),
    ...(vectors ? { vectors } : {}),
  };
}
