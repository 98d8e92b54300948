// segmentCounts and segmentMean: segment sizes, and segment sums divided by them (segment-sum.ts does the work).
import { assertCount } from '@crys/lattice/internal';
import * as tf from '@tensorflow/tfjs';
import { assertIndexVector, assertRows } from './op-utils.js';
import { segmentSum, segmentSumForward } from './segment-sum.js';

/**
 * Number of entries in each segment as a float32 tensor `[numSegments]` (not differentiable).
 *
 * @example
 * ```ts
 * segmentCounts(tf.tensor1d([0, 2, 0], 'int32'), 3).print(); // [2, 0, 1]
 * ```
 */
export function segmentCounts(segmentIds: tf.Tensor1D, numSegments: number): tf.Tensor1D {
  assertIndexVector('segmentCounts', 'segmentIds', segmentIds);
  assertCount('segmentCounts', 'numSegments', numSegments);
  return tf.tidy(() => segmentSumForward(tf.ones([segmentIds.shape[0]]), segmentIds, numSegments) as tf.Tensor1D);
}

/**
 * Mean of the rows of `x` in each segment: `segmentSum` divided by the segment's size; an empty segment gives zeros
 * (never NaN). Differentiable in `x`.
 *
 * @param counts - optional precomputed {@link segmentCounts} (saves a pass when several means share segments).
 * @example
 * ```ts
 * const m = tf.tensor2d([[1, 1], [2, 2], [4, 4]]);
 * segmentMean(m, tf.tensor1d([0, 2, 0], 'int32'), 3).print(); // [[2.5, 2.5], [0, 0], [2, 2]]
 * ```
 */
export function segmentMean<T extends tf.Tensor>(
  x: T,
  segmentIds: tf.Tensor1D,
  numSegments: number,
  counts?: tf.Tensor1D,
): T {
  assertRows('segmentMean', 'x', x);
  assertIndexVector('segmentMean', 'segmentIds', segmentIds, x.shape[0]);
  assertCount('segmentMean', 'numSegments', numSegments);
  if (counts !== undefined) assertRows('segmentMean', 'counts', counts);
  return tf.tidy(() => {
    const c = counts ?? segmentCounts(segmentIds, numSegments);
    const inv = tf.div(1, tf.maximum(c, 1));
    const s = segmentSum(x, segmentIds, numSegments);
    return tf.mul(s, tf.reshape(inv, [numSegments, ...x.shape.slice(1).map(() => 1)])) as T;
  });
}
