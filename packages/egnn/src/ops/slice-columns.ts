// sliceColumns and padColumns, each the other's gradient: columns `[begin, begin + size)` of a matrix, and a matrix
// placed in columns `[before, before + cols)` of zeros. Kernels: one pass over the rows (cpu and wasm); `tf.slice` and
// `tf.pad` elsewhere. (tfjs-backend-wasm's Slice and SplitV take ≈ 7 ms per column of an `[48170, 2]` matrix, and its
// Concat ≈ 27 ms to put two columns back together.)
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { hasLoopKernels, kernelRegistration } from './kernel-registry.js';
import { assertMatrix, customGrad } from './op-utils.js';

export const KERNEL_SLICE_COLUMNS = 'CrysSliceColumns';
export const KERNEL_PAD_COLUMNS = 'CrysPadColumns';

const ensureRegistered = kernelRegistration([
  {
    kernelName: KERNEL_SLICE_COLUMNS,
    backends: ['cpu', 'wasm'],
    run({ inputs: { x }, attrs, storage }) {
      const { begin, size } = attrs as { begin: number; size: number };
      const [rows, cols] = x.shape;
      const out = storage.alloc([rows, size], x.dtype as 'float32' | 'int32');
      const xs = storage.read(x);
      const o = out.values;
      for (let r = 0, xr = begin, or = 0; r < rows; r++, xr += cols, or += size)
        for (let j = 0; j < size; j++) o[or + j] = xs[xr + j];
      return out.info;
    },
  },
  {
    kernelName: KERNEL_PAD_COLUMNS,
    backends: ['cpu', 'wasm'],
    run({ inputs: { x }, attrs, storage }) {
      const { before, total } = attrs as { before: number; total: number };
      const [rows, cols] = x.shape;
      const out = storage.alloc([rows, total], x.dtype as 'float32' | 'int32');
      const xs = storage.read(x);
      const o = storage.read(out.info);
      o.fill(0);
      for (let r = 0, xr = 0, or = before; r < rows; r++, xr += cols, or += total)
        for (let j = 0; j < cols; j++) o[or + j] = xs[xr + j];
      return out.info;
    },
  },
]);

function sliceColumnsForward(x: tf.Tensor2D, begin: number, size: number): tf.Tensor2D {
  if (hasLoopKernels()) {
    ensureRegistered();
    return tf.engine().runKernel(KERNEL_SLICE_COLUMNS, { x }, { begin, size }) as tf.Tensor2D;
  }
  return tf.slice(x, [0, begin], [x.shape[0], size]);
}

function padColumnsForward(x: tf.Tensor2D, before: number, total: number): tf.Tensor2D {
  if (hasLoopKernels()) {
    ensureRegistered();
    return tf.engine().runKernel(KERNEL_PAD_COLUMNS, { x }, { before, total }) as tf.Tensor2D;
  }
  return tf.pad(x, [
    [0, 0],
    [before, total - before - x.shape[1]],
  ]);
}

const sliceColumnsGrad = (begin: number, size: number) =>
  customGrad((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    const cols = (x as tf.Tensor2D).shape[1];
    return {
      value: sliceColumnsForward(x as tf.Tensor2D, begin, size),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => padColumns(dy as tf.Tensor2D, begin, cols),
    };
  });

const padColumnsGrad = (before: number, total: number) =>
  customGrad((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    const cols = (x as tf.Tensor2D).shape[1];
    return {
      value: padColumnsForward(x as tf.Tensor2D, before, total),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => sliceColumns(dy as tf.Tensor2D, before, cols),
    };
  });

/**
 * Columns `[begin, begin + size)` of a matrix, e.g. one output of a per-edge head `[E, outputs]`: `tf.slice` along
 * the second axis, as one pass over the rows on cpu and wasm (tfjs-backend-wasm's Slice and SplitV take ≈ 7 ms per
 * column of an `[48170, 2]` matrix, and the Concat in their gradient ≈ 27 ms). Differentiable in float32 `x` (the
 * gradient puts the upstream gradient back in those columns, zeros elsewhere).
 *
 * @param x - float32 or int32 matrix `[rows, cols]`.
 * @param begin - first column, in `[0, cols]`.
 * @param size - number of columns, at most `cols − begin`.
 * @example
 * ```ts
 * sliceColumns(tf.tensor2d([[1, 2, 3], [4, 5, 6]]), 1, 2).print(); // [[2, 3], [5, 6]]
 * ```
 */
export function sliceColumns(x: tf.Tensor2D, begin: number, size: number): tf.Tensor2D {
  assertMatrix('sliceColumns', x);
  const cols = x.shape[1];
  if (!Number.isInteger(begin) || begin < 0 || begin > cols) {
    throw new InvalidArgumentError('sliceColumns', 'begin', `must be an integer in [0, ${cols}], got ${begin}`, begin);
  }
  if (!Number.isInteger(size) || size < 0 || begin + size > cols) {
    throw new InvalidArgumentError(
      'sliceColumns',
      'size',
      `must be an integer in [0, ${cols - begin}], got ${size}`,
      size,
    );
  }
  if (x.dtype !== 'float32') return sliceColumnsForward(x, begin, size);
  return sliceColumnsGrad(begin, size)(x) as tf.Tensor2D;
}

/** `[rows, total]` with `x` in columns `[before, before + cols)` and zeros elsewhere (sliceColumns' gradient). */
export function padColumns(x: tf.Tensor2D, before: number, total: number): tf.Tensor2D {
  return (
    x.dtype === 'float32' ? padColumnsGrad(before, total)(x) : padColumnsForward(x, before, total)
  ) as tf.Tensor2D;
}
