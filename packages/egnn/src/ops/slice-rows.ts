// sliceRows: rows `[start, start + size)`. Kernel: one copy of those rows (cpu and wasm); `tf.slice` elsewhere.
// Gradient: the upstream gradient padded back to x's rows.
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { hasLoopKernels, kernelRegistration } from './kernel-registry.js';
import { assertRows, customGrad } from './op-utils.js';
import { rowSize } from './storage.js';

export const KERNEL_SLICE_ROWS = 'CrysSliceRows';

// tfjs-backend-wasm's Slice reads its input through `readSync`, which first copies the whole tensor out of the heap:
// slicing a chunk of edges off `[E, K]` cost a pass over all of it.
const ensureRegistered = kernelRegistration([
  {
    kernelName: KERNEL_SLICE_ROWS,
    backends: ['cpu', 'wasm'],
    run({ inputs: { x }, attrs, storage }) {
      const { start, size } = attrs as { start: number; size: number };
      const F = rowSize(x.shape);
      const out = storage.alloc([size, ...x.shape.slice(1)], x.dtype as 'float32' | 'int32');
      storage.read(out.info).set(storage.read(x).subarray(start * F, (start + size) * F));
      return out.info;
    },
  },
]);

function sliceRowsForward<T extends tf.Tensor>(x: T, start: number, size: number): T {
  if (hasLoopKernels()) {
    ensureRegistered();
    return tf.engine().runKernel(KERNEL_SLICE_ROWS, { x }, { start, size }) as T;
  }
  return tf.slice(x, [start, ...x.shape.slice(1).map(() => 0)], [size, ...x.shape.slice(1)]) as T;
}

const sliceRowsGrad = (start: number, size: number) =>
  customGrad((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    const n = x.shape[0];
    return {
      value: sliceRowsForward(x, start, size),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) =>
        tf.pad(dy as tf.Tensor, [[start, n - start - size], ...x.shape.slice(1).map((): [number, number] => [0, 0])]),
    };
  });

/**
 * Rows `[start, start + size)` of `x`: `tf.slice` along the first axis, as one copy of those rows on cpu and wasm
 * (tfjs-backend-wasm's own slice first copies the whole input out of its heap). Differentiable in float32 `x` (the
 * gradient pads the upstream gradient back to `x`'s rows). The layers use it to take edges in chunks.
 *
 * @param x - float32 or int32 tensor of rank >= 1.
 * @param start - first row, in `[0, x.shape[0]]`.
 * @param size - number of rows, at most `x.shape[0] − start`.
 * @example
 * ```ts
 * sliceRows(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), 1, 2).print(); // [[3, 4], [5, 6]]
 * ```
 */
export function sliceRows<T extends tf.Tensor>(x: T, start: number, size: number): T {
  assertRows('sliceRows', 'x', x, ['float32', 'int32']);
  const n = x.shape[0];
  if (!Number.isInteger(start) || start < 0 || start > n) {
    throw new InvalidArgumentError('sliceRows', 'start', `must be an integer in [0, ${n}], got ${start}`, start);
  }
  if (!Number.isInteger(size) || size < 0 || start + size > n) {
    throw new InvalidArgumentError('sliceRows', 'size', `must be an integer in [0, ${n - start}], got ${size}`, size);
  }
  if (x.dtype !== 'float32') return sliceRowsForward(x, start, size);
  return sliceRowsGrad(start, size)(x) as T;
}
