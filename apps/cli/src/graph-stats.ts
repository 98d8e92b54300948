import type { PeriodicGraph } from '@crys/graph';

/** A summary of a periodic multigraph, as `crys graph` and `crys info` print it. */
export interface GraphStats {
  readonly numNodes: number;
  readonly numEdges: number;
  /** Out-degree of each atom. */
  readonly degrees: Int32Array;
  /** degree → number of atoms with it, ascending degree. */
  readonly degreeHistogram: readonly (readonly [number, number])[];
  readonly meanDegree: number;
  /** Edges from an atom to one of its own periodic images (src = dst, image ≠ 0). */
  readonly selfImageEdges: number;
  /** Ordered pairs (src, dst) joined by more than one edge (through different images). */
  readonly multiEdgePairs: number;
  /** Edges belonging to such pairs. */
  readonly multiEdges: number;
  /** image offset "τx τy τz" → number of edges, most frequent first. */
  readonly imageHistogram: readonly (readonly [string, number])[];
  /** Shortest edge (Å) and its endpoints, or null for an empty graph. */
  readonly nearest: { readonly distance: number; readonly src: number; readonly dst: number } | null;
  /** Each atom's nearest-neighbour distance (Å), Infinity for an isolated atom. */
  readonly nearestPerAtom: Float64Array;
}

/** Counts degrees, image offsets, image self-loops and multi-edges of a graph built with `distances: true`. */
export function graphStats(graph: PeriodicGraph): GraphStats {
  const n = graph.numNodes;
  const E = graph.src.length;
  const degrees = new Int32Array(n);
  const nearestPerAtom = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const pairs = new Map<number, number>();
  const images = new Map<string, number>();
  let selfImageEdges = 0;
  let nearest: GraphStats['nearest'] = null;
  const d = graph.distances;
  for (let e = 0; e < E; e++) {
    const s = graph.src[e];
    const t = graph.dst[e];
    degrees[s]++;
    if (s === t) selfImageEdges++;
    const key = s * n + t;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
    const img = `${graph.image[3 * e]} ${graph.image[3 * e + 1]} ${graph.image[3 * e + 2]}`;
    images.set(img, (images.get(img) ?? 0) + 1);
    if (d) {
      if (d[e] < nearestPerAtom[s]) nearestPerAtom[s] = d[e];
      if (!nearest || d[e] < nearest.distance) nearest = { distance: d[e], src: s, dst: t };
    }
  }
  let multiEdgePairs = 0;
  let multiEdges = 0;
  for (const c of pairs.values()) {
    if (c > 1) {
      multiEdgePairs++;
      multiEdges += c;
    }
  }
  const hist = new Map<number, number>();
  for (let i = 0; i < n; i++) hist.set(degrees[i], (hist.get(degrees[i]) ?? 0) + 1);
  return {
    numNodes: n,
    numEdges: E,
    degrees,
    degreeHistogram: [...hist.entries()].sort((a, b) => a[0] - b[0]),
    meanDegree: n > 0 ? E / n : 0,
    selfImageEdges,
    multiEdgePairs,
    multiEdges,
    imageHistogram: [...images.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    nearest,
    nearestPerAtom,
  };
}
