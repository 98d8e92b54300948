import { knnGraphFromArrays, type PeriodicGraph } from '@crys/graph';
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
 * The periodic k-nearest multigraph the model runs on (`@crys/graph`'s {@link knnGraphFromArrays} with
 * `ties: 'keep'`, so that symmetric crystals keep their symmetry), with Cartesian edge vectors.
 *
 * @example
 * const g = modelGraph(crystal.lattice, crystal.fracCoords, 16);
 */
export function modelGraph(lattice: ArrayLike<number>, frac: ArrayLike<number>, k: number): PeriodicGraph {
  return knnGraphFromArrays(lattice, frac, k, { ties: 'keep', vectors: true, distances: false });
}

/**
 * Builds the constant input tensors for a batch of states from their graphs (one per state; built with
 * {@link modelGraph} when not given), concatenated with node offsets. Dispose with {@link disposeInputs}.
 *
 * @example
 * const inputs = buildInputs([{ lattice, frac, atomicNumbers, level: 0.5 }], 16);
 */
export function buildInputs(
  states: readonly NetworkState[],
  k: number,
  graphs: readonly PeriodicGraph[] = states.map((s) => modelGraph(s.lattice, s.frac, k)),
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
  return {
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
  ]);
}
