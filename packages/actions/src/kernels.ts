/**
 * Differentiable row gather and segment sum for the tensor face. Not tfjs's `gather` gradient or
 * `unsortedSegmentSum` (O(segments × rows) on cpu, missing on wasm): the forward pass of a segment sum is a
 * `scatterND` (which sums duplicate indices) and its gradient a row gather, and vice versa.
 * Internal to @crys/actions; @crys/egnn owns the tuned versions of the same kernels.
 */
import * as tf from '@tensorflow/tfjs';

/** An int32 index vector, as a tensor or a typed array (converted once, inside the caller's scope). */
export type IndexLike = tf.Tensor1D | Int32Array;

/** The index as an int32 tensor of shape [n, 1] (for scatterND / gatherND). */
function indexColumn(idx: IndexLike): tf.Tensor2D {
  if (idx instanceof Int32Array) return tf.tensor2d(idx, [idx.length, 1], 'int32');
  return tf.reshape(idx.dtype === 'int32' ? idx : tf.cast(idx, 'int32'), [idx.shape[0], 1]);
}

/** y[i] = x[idx[i]] for a [N, F] tensor; the gradient scatters back (summing repeated indices). */
export function gatherRows(x: tf.Tensor2D, idx: IndexLike): tf.Tensor2D {
  const col = indexColumn(idx);
  const shape = x.shape;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    // The index goes through `save` so the engine keeps it alive until the backward pass (a closure alone
    // would see it disposed by the caller's tidy).
    (args[1] as tf.GradSaveFunc)([col]);
    return {
      value: tf.gatherND(args[0] as tf.Tensor, col) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.scatterND(saved[0], dy, shape),
    };
  });
  return op(x) as tf.Tensor2D;
}

/** y[s] = Σ_{i: seg[i] = s} x[i] for a [E, F] tensor into [numSegments, F]; the gradient gathers rows. */
export function segmentSum(x: tf.Tensor2D, seg: IndexLike, numSegments: number): tf.Tensor2D {
  const col = indexColumn(seg);
  const features = x.shape[1];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    (args[1] as tf.GradSaveFunc)([col]);
    return {
      value: tf.scatterND(col, args[0] as tf.Tensor, [numSegments, features]) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.gatherND(dy, saved[0]),
    };
  });
  return op(x) as tf.Tensor2D;
}

/** Number of rows per segment, as a [numSegments, 1] float tensor (no gradient). */
export function segmentCounts(seg: IndexLike, numRows: number, numSegments: number): tf.Tensor2D {
  return tf.scatterND(indexColumn(seg), tf.ones([numRows, 1]), [numSegments, 1]) as tf.Tensor2D;
}
