import * as tf from '@tensorflow/tfjs';
import { outerRows } from './ops/outer-rows.js';
import { scaleRows } from './ops/scale-rows.js';
import { segmentSum } from './ops/segment-sum.js';
import { sliceColumns } from './ops/slice-columns.js';

/** Outputs of {@link _referenceReadout}. */
export type ReferenceReadout = {
  /** `a_i = Σ_{e: src = i} w_e[0] · r_e`, `[N, 3]`. */
  atomVectors: tf.Tensor2D;
  /** `A_b = Σ_{e in crystal b} w_e[1] · r_e r_eᵀ / |r_e|²`, `[B, 3, 3]`. */
  latticeActions: tf.Tensor3D;
};

/**
 * The PyTorch peer's output readout (`egnn_ref.py`), for cross-checks and benchmarks; `@crys/actions` owns the real
 * actions. Not stable API.
 *
 * @example
 * ```ts
 * const { atomVectors, latticeActions } = _referenceReadout(edgeOutputs, vectors, distances, src, edgeCrystalIndex, N, B);
 * ```
 */
export function _referenceReadout(
  edgeOutputs: tf.Tensor2D,
  vectors: tf.Tensor2D,
  distances: tf.Tensor1D,
  src: tf.Tensor1D,
  edgeCrystalIndex: tf.Tensor1D,
  numNodes: number,
  numGraphs: number,
): ReferenceReadout {
  return tf.tidy(() => {
    const E = vectors.shape[0];
    const w0 = sliceColumns(edgeOutputs, 0, 1);
    const w1 = sliceColumns(edgeOutputs, 1, 1);
    // Row kernels in place of tfjs's broadcasting multiplies (the same float32 values and gradients):
    // w0·r = scaleRows(r, w0), r rᵀ = outerRows(r, r) as [E, 9], its scaling by w1 / |r|² scaleRows again.
    const atomVectors = segmentSum(scaleRows(vectors, w0), src, numNodes);
    const scale = tf.div(w1, tf.reshape(tf.square(distances), [E, 1])) as tf.Tensor2D;
    const weighted = scaleRows(outerRows(vectors, vectors), scale);
    const latticeActions = tf.reshape(segmentSum(weighted, edgeCrystalIndex, numGraphs), [
      numGraphs,
      3,
      3,
    ]) as tf.Tensor3D;
    return { atomVectors, latticeActions };
  });
}
