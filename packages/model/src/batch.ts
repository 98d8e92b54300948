import { knnGraphFromArrays, type PeriodicGraph, radiusGraphFromArrays } from '@crys/graph';
import { WEIGHTED_MEAN_EPSILON } from '@crys/egnn';
import { invert } from '@crys/lattice';
import * as tf from '@tensorflow/tfjs';
import type { NetworkInputs } from './network.js';

/** A crystal state the network looks at: lattice (9), fractional coordinates (3·n), atomic numbers, level. */
export interface NetworkState {
  readonly lattice: ArrayLike<number>;
  readonly frac: ArrayLike<number>;
  /** n atomic numbers. */
  readonly atomicNumbers: ArrayLike<number>;
  readonly level: number;
}

/**
 * Which graph a model runs on: `{ k }`, the k-nearest multigraph (every model before 2026-12-05), or `{ cutoff }`,
 * every neighbour within the cutoff (Å), whose edges enter with a zero envelope weight so the network's outputs are
 * continuous in the positions (see `NetworkConfig.graph`). A bare number is `{ k }`.
 *
 * @example
 * const spec: GraphSpec = { cutoff: 6 };
 */
export type GraphSpec = number | { readonly k: number } | { readonly cutoff: number };

/** The cutoff of a spec, or undefined for a k-nearest graph. */
export function specCutoff(spec: GraphSpec): number | undefined {
  return typeof spec === 'object' && 'cutoff' in spec ? spec.cutoff : undefined;
}

/**
 * The periodic multigraph the model runs on, with Cartesian edge vectors: for `k` (a number or `{ k }`) the
 * k-nearest multigraph (`@crys/graph`'s {@link knnGraphFromArrays} with `ties: 'keep'`, so that symmetric crystals
 * keep their symmetry), for `{ cutoff }` the radius multigraph ({@link radiusGraphFromArrays}).
 *
 * @example
 * const g = modelGraph(crystal.lattice, crystal.fracCoords, 16);
 * const h = modelGraph(crystal.lattice, crystal.fracCoords, { cutoff: 6 });
 */
export function modelGraph(lattice: ArrayLike<number>, frac: ArrayLike<number>, spec: GraphSpec): PeriodicGraph {
  const cutoff = specCutoff(spec);
  if (cutoff !== undefined) return radiusGraphFromArrays(lattice, frac, cutoff, { vectors: true, distances: false });
  const k = typeof spec === 'number' ? spec : (spec as { readonly k: number }).k;
  return knnGraphFromArrays(lattice, frac, k, { ties: 'keep', vectors: true, distances: false });
}

/**
 * The cosine envelope f(d) = ½(cos(πd/r_c) + 1) for d < r_c, else 0 (`@crys/egnn`'s `CosineCutoff`) of the edges
 * of float32 vectors (3·E), in float32.
 */
export function edgeEnvelope(vectors: Float32Array, cutoff: number): Float32Array {
  const E = vectors.length / 3;
  const out = new Float32Array(E);
  for (let e = 0; e < E; e++) {
    const d = Math.hypot(vectors[3 * e], vectors[3 * e + 1], vectors[3 * e + 2]);
    out[e] = d < cutoff ? 0.5 * (Math.cos((Math.PI * d) / cutoff) + 1) : 0;
  }
  return out;
}

/**
 * 1 / (Σ_{e: group[e] = g} f(d_e) + ε) for each of `numGroups` groups (atoms: group = src; crystals), the normaliser
 * of an envelope-weighted mean; ε is `@crys/egnn`'s `WEIGHTED_MEAN_EPSILON`, as in its `'weighted-mean'`.
 */
export function inverseSoftDegree(envelope: Float32Array, group: Int32Array, numGroups: number): Float32Array {
  const sums = new Float64Array(numGroups);
  for (let e = 0; e < envelope.length; e++) sums[group[e]] += envelope[e];
  return Float32Array.from(sums, (s) => 1 / (s + WEIGHTED_MEAN_EPSILON));
}

/**
 * Builds the constant input tensors for a batch of states from their graphs (one per state; built with
 * {@link modelGraph} when not given), concatenated with node offsets. With a `{ cutoff }` spec the inputs also
 * carry the envelope weights of the actions (`weighting`). Dispose with {@link disposeInputs}.
 *
 * @example
 * const inputs = buildInputs([{ lattice, frac, atomicNumbers, level: 0.5 }], 16);
 */
export function buildInputs(
  states: readonly NetworkState[],
  spec: GraphSpec,
  graphs: readonly PeriodicGraph[] = states.map((s) => modelGraph(s.lattice, s.frac, spec)),
): NetworkInputs {
  let numNodes = 0;
  for (const s of states) numNodes += s.atomicNumbers.length;
  let numEdges = 0;
  for (const g of graphs) numEdges += g.src.length;
  const atomicNumbers = new Int32Array(numNodes);
  const nodeCrystal = new Int32Array(numNodes);
  const src = new Int32Array(numEdges);
  const dst = new Int32Array(numEdges);
  const edgeCrystal = new Int32Array(numEdges);
  const vectors = new Float32Array(3 * numEdges);
  const nodeLinv = new Float32Array(9 * numNodes);
  const level = new Float32Array(states.length);
  const linv = new Float64Array(9);
  let nodeOffset = 0,
    edgeOffset = 0;
  for (let b = 0; b < states.length; b++) {
    const s = states[b],
      g = graphs[b];
    const n = s.atomicNumbers.length;
    if (invert(linv, s.lattice) === null) linv.fill(0);
    for (let i = 0; i < n; i++) {
      atomicNumbers[nodeOffset + i] = s.atomicNumbers[i];
      nodeCrystal[nodeOffset + i] = b;
      for (let q = 0; q < 9; q++) nodeLinv[9 * (nodeOffset + i) + q] = linv[q];
    }
    const v = g.vectors as Float64Array;
    for (let e = 0; e < g.src.length; e++) {
      src[edgeOffset + e] = g.src[e] + nodeOffset;
      dst[edgeOffset + e] = g.dst[e] + nodeOffset;
      edgeCrystal[edgeOffset + e] = b;
    }
    for (let q = 0; q < 3 * g.src.length; q++) vectors[3 * edgeOffset + q] = v[q];
    level[b] = s.level;
    nodeOffset += n;
    edgeOffset += g.src.length;
  }
  const cutoff = specCutoff(spec);
  let weighting: NetworkInputs['weighting'];
  if (cutoff !== undefined) {
    const envelope = edgeEnvelope(vectors, cutoff);
    weighting = {
      inverseNodeDegree: tf.tensor2d(inverseSoftDegree(envelope, src, numNodes), [numNodes, 1]),
      inverseCrystalDegree: tf.tensor3d(inverseSoftDegree(envelope, edgeCrystal, states.length), [states.length, 1, 1]),
    };
  }
  return {
    ...(weighting ? { weighting } : {}),
    atomicNumbers: tf.tensor1d(atomicNumbers, 'int32'),
    nodeCrystal: tf.tensor1d(nodeCrystal, 'int32'),
    src: tf.tensor1d(src, 'int32'),
    dst: tf.tensor1d(dst, 'int32'),
    srcIndex: src,
    edgeCrystalIndex: edgeCrystal,
    vectors: tf.tensor2d(vectors, [numEdges, 3]),
    nodeLatticeInverse: tf.tensor3d(nodeLinv, [numNodes, 3, 3]),
    level: tf.tensor1d(level),
    numNodes,
    numCrystals: states.length,
  };
}

/** Frees the tensors of {@link buildInputs}. */
export function disposeInputs(inputs: NetworkInputs): void {
  tf.dispose([
    inputs.atomicNumbers,
    inputs.nodeCrystal,
    inputs.src,
    inputs.dst,
    inputs.vectors,
    inputs.nodeLatticeInverse,
    inputs.level,
    ...(inputs.weighting ? [inputs.weighting.inverseNodeDegree, inputs.weighting.inverseCrystalDegree] : []),
  ]);
}
