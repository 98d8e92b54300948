import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from './errors.js';
import { edgeVectorsKernel } from './ops/edge-vectors.js';
import { gatherRows } from './ops/gather-rows.js';
import { hasLoopKernels } from './ops/kernel-registry.js';

/**
 * The arrays of a batch of periodic graphs that the network reads: `@crys/graph`'s `GraphBatch` has this shape
 * (any object with these fields works). Edge e goes from `src[e]` to `dst[e]` shifted by `image[3e…3e+2]`:
 * `r_e = (frac[dst] + image − frac[src]) · L`.
 */
export interface GraphBatchLike {
  /** E centre atoms. */
  readonly src: Int32Array;
  /** E neighbour atoms. */
  readonly dst: Int32Array;
  /** 3·E integer lattice translations of dst. */
  readonly image: Int32Array;
  /** 3·N fractional coordinates, atom-major. */
  readonly fracCoords: Float64Array;
  /** 9·B lattices, row-major (row i is lattice vector i), crystal-major. */
  readonly lattices: Float64Array;
  /** N atomic numbers. */
  readonly atomicNumbers: Uint8Array;
  /** N crystal index of each atom. */
  readonly crystalIndex: Int32Array;
  /** E crystal index of each edge (derived from `crystalIndex[src]` when absent). */
  readonly edgeCrystalIndex?: Int32Array;
}

/** Tensors of a graph batch (float32 and int32), as {@link graphTensors} makes them. Dispose with {@link disposeGraphTensors}. */
export interface GraphTensors {
  /** Atomic numbers, int32 `[N]`. */
  readonly atomicNumbers: tf.Tensor1D;
  /** Centre atoms, int32 `[E]`. */
  readonly src: tf.Tensor1D;
  /** Neighbour atoms, int32 `[E]`. */
  readonly dst: tf.Tensor1D;
  /** Lattice translations of dst, float32 `[E, 3]`. */
  readonly image: tf.Tensor2D;
  /** Fractional coordinates, float32 `[N, 3]`. */
  readonly fracCoords: tf.Tensor2D;
  /** Lattices, float32 `[B, 3, 3]`. */
  readonly lattices: tf.Tensor3D;
  /** Crystal of each atom, int32 `[N]`. */
  readonly crystalIndex: tf.Tensor1D;
  /** Crystal of each edge, int32 `[E]`. */
  readonly edgeCrystalIndex: tf.Tensor1D;
  /** N. */
  readonly numNodes: number;
  /** B. */
  readonly numGraphs: number;
}

/**
 * Converts a graph batch (e.g. `@crys/graph`'s `radiusGraphBatch` output) into tensors, converting Float64 to
 * float32 once. The index arrays are used without a copy where tfjs allows.
 *
 * @example
 * ```ts
 * const t = graphTensors(batch);
 * const vectors = edgeVectors(t.fracCoords, t.lattices, t.src, t.dst, t.image, t.edgeCrystalIndex);
 * ```
 */
export function graphTensors(batch: GraphBatchLike): GraphTensors {
  const fn = 'graphTensors';
  const N = batch.atomicNumbers?.length;
  const E = batch.src?.length;
  if (!(batch.fracCoords instanceof Float64Array) || batch.fracCoords.length !== 3 * N) {
    throw new InvalidArgumentError(
      fn,
      'batch.fracCoords',
      `must be a Float64Array of length 3·N = ${3 * N}, got length ${batch.fracCoords?.length}`,
    );
  }
  if (
    !(batch.dst instanceof Int32Array) ||
    batch.dst.length !== E ||
    !(batch.image instanceof Int32Array) ||
    batch.image.length !== 3 * E
  ) {
    throw new InvalidArgumentError(
      fn,
      'batch',
      `must have src, dst Int32Array [E] and image Int32Array [3·E] with E = ${E}, got dst ${batch.dst?.length}, image ${batch.image?.length}`,
    );
  }
  if (!(batch.crystalIndex instanceof Int32Array) || batch.crystalIndex.length !== N) {
    throw new InvalidArgumentError(
      fn,
      'batch.crystalIndex',
      `must be an Int32Array of length N = ${N}, got length ${batch.crystalIndex?.length}`,
    );
  }
  if (batch.lattices.length % 9 !== 0) {
    throw new InvalidArgumentError(fn, 'batch.lattices', `must have length 9·B, got ${batch.lattices.length}`);
  }
  const B = batch.lattices.length / 9;
  let edgeCrystal = batch.edgeCrystalIndex;
  if (!edgeCrystal) {
    edgeCrystal = new Int32Array(E);
    for (let e = 0; e < E; e++) edgeCrystal[e] = batch.crystalIndex[batch.src[e]];
  }
  return {
    atomicNumbers: tf.tensor1d(Int32Array.from(batch.atomicNumbers), 'int32'),
    src: tf.tensor1d(batch.src, 'int32'),
    dst: tf.tensor1d(batch.dst, 'int32'),
    image: tf.tensor2d(Float32Array.from(batch.image), [E, 3]),
    fracCoords: tf.tensor2d(Float32Array.from(batch.fracCoords), [N, 3]),
    lattices: tf.tensor3d(Float32Array.from(batch.lattices), [B, 3, 3]),
    crystalIndex: tf.tensor1d(batch.crystalIndex, 'int32'),
    edgeCrystalIndex: tf.tensor1d(edgeCrystal, 'int32'),
    numNodes: N,
    numGraphs: B,
  };
}

/**
 * Disposes every tensor of a {@link GraphTensors}.
 *
 * @example
 * ```ts
 * disposeGraphTensors(graphTensors(batch));
 * ```
 */
export function disposeGraphTensors(t: GraphTensors): void {
  tf.dispose([t.atomicNumbers, t.src, t.dst, t.image, t.fracCoords, t.lattices, t.crystalIndex, t.edgeCrystalIndex]);
}

/**
 * Cartesian edge vectors `r_e = (frac[dst] + image − frac[src]) · L[crystal(e)]`, float32 `[E, 3]`, differentiable
 * in the fractional coordinates `[N, 3]` and the lattices `[B, 3, 3]` (rows are lattice vectors), so a model that
 * updates the cell and positions step by step can backpropagate through the geometry. Uses {@link gatherRows}.
 *
 * @example
 * ```ts
 * const frac = tf.tensor2d([[0, 0, 0]]), L = tf.tensor3d([[[2, 0, 0], [0, 2, 0], [0, 0, 2]]]);
 * const i = tf.tensor1d([0], 'int32');
 * edgeVectors(frac, L, i, i, tf.tensor2d([[1, 0, 0]]), i).print(); // [[2, 0, 0]]
 * ```
 */
export function edgeVectors(
  fracCoords: tf.Tensor2D,
  lattices: tf.Tensor3D,
  src: tf.Tensor1D,
  dst: tf.Tensor1D,
  image: tf.Tensor2D,
  edgeCrystalIndex: tf.Tensor1D,
): tf.Tensor2D {
  const fn = 'edgeVectors';
  const E = src.shape[0];
  if (fracCoords.rank !== 2 || fracCoords.shape[1] !== 3) {
    throw new InvalidArgumentError(fn, 'fracCoords', `must have shape [N, 3], got [${fracCoords.shape}]`);
  }
  if (lattices.rank !== 3 || lattices.shape[1] !== 3 || lattices.shape[2] !== 3) {
    throw new InvalidArgumentError(fn, 'lattices', `must have shape [B, 3, 3], got [${lattices.shape}]`);
  }
  if (image.rank !== 2 || image.shape[0] !== E || image.shape[1] !== 3 || edgeCrystalIndex.shape[0] !== E) {
    throw new InvalidArgumentError(
      fn,
      'image',
      `must have shape [E, 3] with E = ${E} (and edgeCrystalIndex [E]), got [${image.shape}] and [${edgeCrystalIndex.shape}]`,
    );
  }
  const int32 = (t: tf.Tensor) => t.dtype === 'int32' && t.rank === 1;
  if (
    hasLoopKernels() &&
    fracCoords.dtype === 'float32' &&
    lattices.dtype === 'float32' &&
    int32(src) &&
    int32(dst) &&
    int32(edgeCrystalIndex) &&
    dst.shape[0] === E
  ) {
    // The same values from one pass over the edges (ops/edge-vectors.ts), with a registered gradient.
    return edgeVectorsKernel(fracCoords, lattices, src, dst, image, edgeCrystalIndex);
  }
  return tf.tidy(() => {
    const df = tf.sub(tf.add(gatherRows(fracCoords, dst), image), gatherRows(fracCoords, src)); // [E, 3]
    const Le = gatherRows(lattices, edgeCrystalIndex); // [E, 3, 3]
    // r_e[j] = Σ_k df[e,k] · L[e,k,j]
    return tf.sum(tf.mul(tf.reshape(df, [E, 3, 1]), Le), 1) as tf.Tensor2D;
  });
}
