// Index vectors of the tensor face: segment ids (crystal of each edge or atom) as an Int32Array or an int32 tensor.
import type * as tf from '@tensorflow/tfjs';

/** An int32 index vector, as an `Int32Array` or a 1-D int32 tensor. */
export type IndexLike = tf.Tensor1D | Int32Array;

/** The index as an Int32Array (a tensor is read once). */
export function indexArray(idx: IndexLike): Int32Array {
  if (idx instanceof Int32Array) return idx;
  const data = idx.dataSync();
  return data instanceof Int32Array ? data : Int32Array.from(data);
}

/** Per-segment counts of an index (Float64Array of `numSegments`). */
export function countSegments(seg: Int32Array, numSegments: number): Float64Array {
  const counts = new Float64Array(numSegments);
  for (let e = 0; e < seg.length; e++) counts[seg[e]]++;
  return counts;
}
