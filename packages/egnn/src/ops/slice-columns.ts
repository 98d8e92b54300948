// sliceColumns and padColumns, each the other's gradient: columns `[begin, begin + size)` of a matrix, and a matrix
// placed in columns `[before, before + cols)` of zeros. Kernels: one pass over the rows (cpu and wasm); `tf.slice` and
// `tf.pad` elsewhere. (tfjs-backend-wasm's Slice and SplitV take ≈ 7 ms per column of an `[48170, 2]` matrix, and its
// Concat ≈ 27 ms to put two columns back together.)
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import {
  f32add,
  f32load,
  f32store,
  get,
  i32,
  i32load,
  i32store,
  type Instr,
  mul,
  set,
  type WasmFunction,
} from '../wasm/assembler.js';
import { directRow, plus, rowLoop } from '../wasm/fragments.js';
import { kernelModule } from '../wasm/instance.js';
import { type KernelCall, hasLoopKernels, kernelRegistration } from './kernel-registry.js';
import { assertMatrix, customGrad } from './op-utils.js';
import { byteOffset, rowRanges } from './storage.js';

export const KERNEL_SLICE_COLUMNS = 'CrysSliceColumns';
export const KERNEL_PAD_COLUMNS = 'CrysPadColumns';

// ------------------------------------------------------------------------------------------------ wasm

/**
 * copyWords(out, x, rows, words, outStride, xStride): word k of row e of x (row stride xStride bytes) to word k of row
 * e of out (outStride bytes), for e < rows and k < words (rows, words ≥ 1). The JavaScript loop it replaces took
 * ≈ 4 ns per value (≈ 1 ms of a perov_5 training step's slices and pads).
 */
function copyWordsWasm(): WasmFunction {
  const [OUT, X, E, W, OS, XS] = [0, 1, 2, 3, 4, 5];
  const [I, FB, FBE, OP, XP] = [6, 7, 8, 9, 10];
  const row = [...directRow(X, I, XS), ...set(XP), ...directRow(OUT, I, OS), ...set(OP)];
  const word: Instr[] = [...plus(OP, FB), ...plus(XP, FB), ...i32load(0), ...i32store(0)];
  return {
    name: 'copyWords',
    params: ['out', 'x', 'rows', 'words', 'outStride', 'xStride'],
    locals: [['i32', ['e', 'fb', 'fbEnd', 'op', 'xp']]],
    code: [...get(W), ...i32(4), ...mul, ...set(FBE), ...rowLoop(I, E, FB, FBE, row, word, 4)],
  };
}

/**
 * copyWordsBias(out, x, rows, words, outStride, xStride, bias): as copyWords, each value plus bias[k] (one float32 add,
 * as tf.add): a narrow head's outputs sliced from its padded product with their bias added in the same pass (tf.add's
 * broadcasting add took ≈ 0.15 ms on a perov_5 batch's `[12 058, 2]`).
 */
function copyWordsBiasWasm(): WasmFunction {
  const [OUT, X, E, W, OS, XS, BIAS] = [0, 1, 2, 3, 4, 5, 6];
  const [I, FB, FBE, OP, XP] = [7, 8, 9, 10, 11];
  const row = [...directRow(X, I, XS), ...set(XP), ...directRow(OUT, I, OS), ...set(OP)];
  const word: Instr[] = [
    ...plus(OP, FB),
    ...plus(XP, FB),
    ...f32load(0),
    ...plus(BIAS, FB),
    ...f32load(0),
    ...f32add,
    ...f32store(0),
  ];
  return {
    name: 'copyWordsBias',
    params: ['out', 'x', 'rows', 'words', 'outStride', 'xStride', 'bias'],
    locals: [['i32', ['e', 'fb', 'fbEnd', 'op', 'xp']]],
    code: [...get(W), ...i32(4), ...mul, ...set(FBE), ...rowLoop(I, E, FB, FBE, row, word, 4)],
  };
}

interface CopyExports {
  copyWords(out: number, x: number, rows: number, words: number, outStride: number, xStride: number): void;
  copyWordsBias(
    out: number,
    x: number,
    rows: number,
    words: number,
    outStride: number,
    xStride: number,
    bias: number,
  ): void;
}

export const copyModule = kernelModule<CopyExports>(() => [copyWordsWasm(), copyWordsBiasWasm()]);

/**
 * Columns [from, from + cols) of x `[rows, ·]` into columns [at, at + cols) of out `[rows, width]`, split by rows; with
 * `bias` (float32 `[cols]`) each value plus its column's bias.
 */
function copyColumns(
  call: KernelCall<CopyExports>,
  out: tf.TensorInfo,
  width: number,
  at: number,
  x: tf.TensorInfo,
  from: number,
  cols: number,
  bias?: tf.TensorInfo,
): void {
  const { storage } = call;
  const rows = x.shape[0];
  const xWidth = x.shape[1] as number;
  if (rows === 0 || cols === 0) return;
  if (call.simd) {
    const [o, xp] = [byteOffset(storage, out) + 4 * at, byteOffset(storage, x) + 4 * from];
    const ranges = rowRanges(rows, 8 * rows * cols, call.threads);
    const args = ([r0, r1]: [number, number]) => [
      o + 4 * r0 * width,
      xp + 4 * r0 * xWidth,
      r1 - r0,
      cols,
      4 * width,
      4 * xWidth,
    ];
    if (bias) {
      const bp = byteOffset(storage, bias);
      call.parts(
        'copyWordsBias',
        ranges.map((range) => [...args(range), bp]),
      );
    } else call.parts('copyWords', ranges.map(args));
    return;
  }
  const xs = storage.read(x);
  const os = storage.read(out);
  const bs = bias ? storage.read(bias) : undefined;
  for (let r = 0, xr = from, or = at; r < rows; r++, xr += xWidth, or += width) {
    if (bs) for (let j = 0; j < cols; j++) os[or + j] = xs[xr + j] + bs[j];
    else for (let j = 0; j < cols; j++) os[or + j] = xs[xr + j];
  }
}

// ------------------------------------------------------------------------------------------------ kernels

const ensureRegistered = kernelRegistration<CopyExports>([
  {
    kernelName: KERNEL_SLICE_COLUMNS,
    backends: ['cpu', 'wasm'],
    module: copyModule,
    // With a bias input (float32 `[size]`), each column plus its bias.
    run(call) {
      const {
        inputs: { x, bias },
        attrs,
        storage,
      } = call;
      const { begin, size } = attrs as { begin: number; size: number };
      const out = storage.alloc([x.shape[0], size], x.dtype as 'float32' | 'int32');
      copyColumns(call, out.info, size, 0, x, begin, size, bias);
      return out.info;
    },
  },
  {
    kernelName: KERNEL_PAD_COLUMNS,
    backends: ['cpu', 'wasm'],
    module: copyModule,
    run(call) {
      const {
        inputs: { x },
        attrs,
        storage,
      } = call;
      const { before, total } = attrs as { before: number; total: number };
      const out = storage.alloc([x.shape[0], total], x.dtype as 'float32' | 'int32');
      storage.read(out.info).fill(0);
      copyColumns(call, out.info, total, before, x, 0, x.shape[1] as number);
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

/**
 * `tf.add(sliceColumns(x, begin, size), bias)` for float32 x and bias `[size]` in one pass (the same values and
 * gradients: the upstream gradient padded back into x's columns, and its column sums, as tf.add's, to the bias).
 * Internal: a narrow head's outputs from its product padded to 8 columns.
 */
export const sliceColumnsAddBias = (x: tf.Tensor2D, begin: number, size: number, bias: tf.Tensor1D): tf.Tensor2D =>
  hasLoopKernels()
    ? (sliceColumnsBiasGrad(begin, size)(x, bias) as tf.Tensor2D)
    : tf.add(sliceColumns(x, begin, size), bias);

const sliceColumnsBiasGrad = (begin: number, size: number) =>
  customGrad((x: tf.Tensor, bias: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    const cols = (x as tf.Tensor2D).shape[1];
    ensureRegistered();
    return {
      value: tf.engine().runKernel(KERNEL_SLICE_COLUMNS, { x, bias }, { begin, size }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const g = dy as tf.Tensor2D;
        return [padColumns(g, begin, cols), tf.reshape(tf.sum(g, [0]), [size])];
      },
    };
  });

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
