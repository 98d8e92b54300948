import * as tf from '@tensorflow/tfjs';
import { knnEdges } from './internal/knn.js';
import type { NetworkInputs } from './network.js';
import { latticeInverse } from './tasks.js';

/** A crystal state the network looks at: lattice (9), fractional coordinates (3·n), species indices, level. */
export interface NetworkState {
  readonly lattice: ArrayLike<number>;
  readonly frac: ArrayLike<number>;
  readonly species: Int32Array;
  readonly level: number;
}

/**
 * Builds the constant input tensors for a batch of states: the periodic k-nearest-neighbour multigraph of
 * every crystal (ties at the k-th distance kept), concatenated with node offsets. Dispose with
 * {@link disposeInputs}.
 *
 * @example
 * const inputs = buildInputs([{ lattice, frac, species, level: 0.5 }], 12);
 */
export function buildInputs(states: readonly NetworkState[], k: number): NetworkInputs {
  let numNodes = 0;
  const graphs = states.map((s) => knnEdges(s.lattice, s.frac, Math.min(k, 64)));
  for (const s of states) numNodes += s.species.length;
  let numEdges = 0;
  for (const g of graphs) numEdges += g.src.length;
  const species = new Int32Array(numNodes);
  const nodeCrystal = new Int32Array(numNodes);
  const src = new Int32Array(numEdges);
  const dst = new Int32Array(numEdges);
  const edgeCrystal = new Int32Array(numEdges);
  const vectors = new Float32Array(3 * numEdges);
  const degree = new Float32Array(numNodes);
  const invEdgeCount = new Float32Array(states.length);
  const nodeLinv = new Float32Array(9 * numNodes);
  const level = new Float32Array(states.length);
  let nodeOffset = 0,
    edgeOffset = 0;
  for (let b = 0; b < states.length; b++) {
    const s = states[b],
      g = graphs[b];
    const n = s.species.length;
    const linv = latticeInverse(s.lattice);
    for (let i = 0; i < n; i++) {
      species[nodeOffset + i] = s.species[i];
      nodeCrystal[nodeOffset + i] = b;
      for (let q = 0; q < 9; q++) nodeLinv[9 * (nodeOffset + i) + q] = linv[q];
    }
    for (let e = 0; e < g.src.length; e++) {
      src[edgeOffset + e] = g.src[e] + nodeOffset;
      dst[edgeOffset + e] = g.dst[e] + nodeOffset;
      edgeCrystal[edgeOffset + e] = b;
      degree[g.src[e] + nodeOffset]++;
      for (let q = 0; q < 3; q++) vectors[3 * (edgeOffset + e) + q] = g.vectors[3 * e + q];
    }
    invEdgeCount[b] = 1 / Math.max(1, g.src.length);
    level[b] = s.level;
    nodeOffset += n;
    edgeOffset += g.src.length;
  }
  for (let i = 0; i < numNodes; i++) degree[i] = 1 / Math.max(1, degree[i]);
  return {
    species: tf.tensor1d(species, 'int32'),
    nodeCrystal: tf.tensor1d(nodeCrystal, 'int32'),
    src: tf.tensor1d(src, 'int32'),
    dst: tf.tensor1d(dst, 'int32'),
    edgeCrystal: tf.tensor1d(edgeCrystal, 'int32'),
    vectors: tf.tensor2d(vectors, [numEdges, 3]),
    invDegree: tf.tensor2d(degree, [numNodes, 1]),
    invEdgeCount: tf.tensor2d(invEdgeCount, [states.length, 1]),
    nodeLatticeInverse: tf.tensor3d(nodeLinv, [numNodes, 3, 3]),
    level: tf.tensor1d(level),
    numNodes,
    numCrystals: states.length,
  };
}

/** Frees the tensors of {@link buildInputs}. */
export function disposeInputs(inputs: NetworkInputs): void {
  tf.dispose([
    inputs.species,
    inputs.nodeCrystal,
    inputs.src,
    inputs.dst,
    inputs.edgeCrystal,
    inputs.vectors,
    inputs.invDegree,
    inputs.invEdgeCount,
    inputs.nodeLatticeInverse,
    inputs.level,
  ]);
}
