import * as tf from '@tensorflow/tfjs';

// Private adapter: differentiable gather-rows / segment-sum built from `gatherND`, `scatterND` and
// `tf.customGrad`, so no gradient goes through tfjs's `unsortedSegmentSum` (which wasm lacks and the cpu
// backend runs in O(segments × edges)). To be replaced by @crys/egnn's kernels once they land.

/**
 * Rows `x[index[e]]` for every e, differentiable in `x` (gradient: segment sum of dy by index).
 * @internal
 */
export function gatherRows(x: tf.Tensor2D, index: tf.Tensor1D): tf.Tensor2D {
  const n = x.shape[0];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args[0] as tf.Tensor;
    return {
      value: tf.gatherND(xs, tf.reshape(index, [index.shape[0], 1])),
      gradFunc: (dy: tf.Tensor) => segmentSum(dy as tf.Tensor2D, index, n),
    };
  });
  return f(x) as tf.Tensor2D;
}

/**
 * Sums the rows of `x` (E × F) into `numSegments` rows by `segment` (E), differentiable in `x`.
 * @internal
 */
export function segmentSum(x: tf.Tensor2D, segment: tf.Tensor1D, numSegments: number): tf.Tensor2D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args[0] as tf.Tensor;
    const indices = tf.reshape(segment, [segment.shape[0], 1]);
    const value = tf.scatterND(indices, xs, [numSegments, xs.shape[1] as number]);
    indices.dispose();
    return { value, gradFunc: (dy: tf.Tensor) => tf.gatherND(dy, tf.reshape(segment, [segment.shape[0], 1])) };
  });
  return f(x) as tf.Tensor2D;
}

/**
 * a·b for 2-D tensors, with a gradient that transposes explicitly: tfjs-wasm's matMul with transpose flags
 * is 5–6× slower than a transpose followed by a plain matMul.
 * @internal
 */
export function matmul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, y, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([x, y]);
    return {
      value: tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ys] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ys)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)];
      },
    };
  });
  return f(a, b) as tf.Tensor2D;
}
