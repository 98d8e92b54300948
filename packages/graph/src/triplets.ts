import { InvalidArgumentError } from '@crys/lattice';
import { EdgeBudgetError } from './errors.js';
import { DEFAULT_MAX_EDGES } from './radius-graph.js';
import type { PeriodicGraph } from './types.js';

/** Pairs of distinct edges that share a source atom, for angle features (DimeNet-style). *
 * @example
 * const { first, second } = triplets(radiusGraph(crystal, { cutoff: 4 }));
 */
export interface Triplets {
  /** T first edges (i → j). */
  readonly first: Int32Array;
  /** T second edges (i → k), with src[second[t]] === src[first[t]] and second[t] !== first[t]. */
  readonly second: Int32Array;
  /** Source offsets (numNodes + 1): the edges leaving atom i, in CSR order, are `edgeOrder[srcOffsets[i]…]`. */
  readonly srcOffsets: Int32Array;
  /** E edge indices sorted by source (stable). */
  readonly edgeOrder: Int32Array;
}

/** Options of {@link triplets}. *
 * @example
 * triplets(graph, { maxTriplets: 1e6 });
 */
export interface TripletOptions {
  /** Budget on T = Σ deg(i)·(deg(i) − 1); default {@link DEFAULT_MAX_EDGES}. */
  readonly maxTriplets?: number;
}

/**
 * Every ordered pair (e, f), e ≠ f, of edges leaving the same atom: T = Σᵢ deg(i)·(deg(i) − 1). The count is
 * checked against `maxTriplets` before allocating. Pairs come grouped by source, then by e, then by f, in the
 * graph's edge order. With `vectors`, the angle at the source is acos(r_e·r_f / (|r_e||r_f|)).
 *
 * @example
 * const g = radiusGraph(crystal, { cutoff: 4, vectors: true });
 * const { first, second } = triplets(g); // angle between g.vectors of first[t] and second[t]
 */
export function triplets(graph: PeriodicGraph, options: TripletOptions = {}): Triplets {
  const fn = 'triplets';
  const maxTriplets = options.maxTriplets ?? DEFAULT_MAX_EDGES;
  if (typeof maxTriplets !== 'number' || !(maxTriplets >= 0)) {
    throw new InvalidArgumentError(fn, 'maxTriplets', `must be a non-negative number, got ${String(maxTriplets)}`);
  }
  const n = graph.numNodes,
    src = graph.src,
    e = src.length;
  const srcOffsets = new Int32Array(n + 1);
  for (let q = 0; q < e; q++) {
    const s = src[q];
    if (!(s >= 0 && s < n)) {
      throw new InvalidArgumentError(fn, 'graph.src', `must hold node ids in [0, ${n}), got ${s} at edge ${q}`);
    }
    srcOffsets[s + 1]++;
  }
  let t = 0;
  for (let i = 0; i < n; i++) {
    const d = srcOffsets[i + 1];
    t += d * (d - 1);
    srcOffsets[i + 1] += srcOffsets[i];
  }
  if (t > maxTriplets) throw new EdgeBudgetError(fn, t, maxTriplets, true, 'triplets');
  const edgeOrder = new Int32Array(e);
  const cursor = srcOffsets.slice(0, n);
  for (let q = 0; q < e; q++) edgeOrder[cursor[src[q]]++] = q;
  const first = new Int32Array(t),
    second = new Int32Array(t);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const lo = srcOffsets[i],
      hi = srcOffsets[i + 1];
    for (let a = lo; a < hi; a++) {
      for (let b = lo; b < hi; b++) {
        if (a === b) continue;
        first[k] = edgeOrder[a];
        second[k] = edgeOrder[b];
        k++;
      }
    }
  }
  return { first, second, srcOffsets, edgeOrder };
}
