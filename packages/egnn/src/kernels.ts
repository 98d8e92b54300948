import { assertCount } from '@crys/lattice';
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from './errors.js';
import {
  ensureKernelsRegistered,
  hasLoopKernels,
  hasWasmSimd,
  KERNEL_GATHER_ROWS,
  KERNEL_GATHER2_ADD,
  KERNEL_SEGMENT_SUM,
  KERNEL_SEGMENT_SUM_ADD,
  KERNEL_SILU,
  KERNEL_SILU_GRAD,
  KERNEL_SIMD_COL_SUM,
  KERNEL_SIMD_EXP,
  KERNEL_SIMD_LINEAR,
  KERNEL_SIMD_MATMUL_TN,
  KERNEL_SIMD_SILU,
  KERNEL_SIMD_SILU_GRAD,
  KERNEL_SIMD_SILU_GRAD_SIG,
  KERNEL_SIMD_SILU_SIG,
  KERNEL_PAD_COLUMNS,
  KERNEL_SLICE_COLUMNS,
  KERNEL_SLICE_ROWS,
} from './kernel-registry.js';

type GradResult = {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
};

/** `tf.customGrad` with positional tensor arguments typed (tfjs types them as a union with the save function). */
// biome-ignore lint/suspicious/noExplicitAny: the argument list is typed by each caller's function signature.
function customGrad<F extends (...args: any[]) => GradResult>(
  f: F,
): (...inputs: F extends (...args: [...infer A, tf.GradSaveFunc]) => GradResult ? A : never) => tf.Tensor {
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as never;
}

function describeTensor(t: tf.Tensor): string {
  return `${t.dtype} tensor of shape [${t.shape.join(', ')}]`;
}

function assertIndexVector(fn: string, name: string, t: tf.Tensor, length?: number): void {
  if (
    !(t instanceof tf.Tensor) ||
    t.dtype !== 'int32' ||
    t.rank !== 1 ||
    (length !== undefined && t.shape[0] !== length)
  ) {
    const want = length === undefined ? 'an int32 tensor of rank 1' : `an int32 tensor of shape [${length}]`;
    throw new InvalidArgumentError(
      fn,
      name,
      `must be ${want}, got ${t instanceof tf.Tensor ? describeTensor(t) : String(t)}`,
      t,
    );
  }
}

function assertRows(fn: string, name: string, t: tf.Tensor, dtypes: readonly tf.DataType[] = ['float32']): void {
  if (!(t instanceof tf.Tensor) || t.rank < 1 || !dtypes.includes(t.dtype)) {
    throw new InvalidArgumentError(
      fn,
      name,
      `must be a ${dtypes.join(' or ')} tensor of rank >= 1, got ${t instanceof tf.Tensor ? describeTensor(t) : String(t)}`,
      t,
    );
  }
}

// ------------------------------------------------------------------------------------------------ forward impls

function gatherRowsForward<T extends tf.Tensor>(x: T, indices: tf.Tensor1D): T {
  if (hasLoopKernels()) {
    ensureKernelsRegistered();
    return tf.engine().runKernel(KERNEL_GATHER_ROWS, { x, indices }, {}) as T;
  }
  return tf.gather(x, indices) as T;
}

function checkSegmentIds(segmentIds: tf.Tensor1D, numSegments: number): void {
  const ids = segmentIds.dataSync();
  for (let e = 0; e < ids.length; e++) {
    const s = ids[e];
    if (!(s >= 0 && s < numSegments)) {
      throw new InvalidArgumentError(
        'segmentSum',
        'segmentIds',
        `must be in [0, ${numSegments}), got ${s} at position ${e}`,
        s,
      );
    }
  }
}

function segmentSumForward<T extends tf.Tensor>(x: T, segmentIds: tf.Tensor1D, numSegments: number): T {
  if (x.shape[0] === 0) return tf.zeros([numSegments, ...x.shape.slice(1)], x.dtype) as T;
  const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
  if (tf.getBackend() === 'wasm' && x.dtype === 'float32' && !(rowSize % 4 === 0 && hasWasmSimd())) {
    // Measured (bench/run.mjs): wasm's native scatterND, which sums duplicates, beats a JS loop over the heap by
    // ~1.7× here (our SIMD loop, used when rows are a multiple of 4 floats, beats both). It does not check its
    // indices, so we do (out-of-range ids would write outside the output).
    checkSegmentIds(segmentIds, numSegments);
    return tf.tidy(() => tf.scatterND(tf.reshape(segmentIds, [-1, 1]), x, [numSegments, ...x.shape.slice(1)])) as T;
  }
  if (hasLoopKernels()) {
    ensureKernelsRegistered();
    return tf.engine().runKernel(KERNEL_SEGMENT_SUM, { x, segmentIds }, { numSegments }) as T;
  }
  // scatterND sums duplicate indices, in one pass on webgl and webgpu.
  return tf.tidy(() => tf.scatterND(tf.expandDims(segmentIds, 1), x, [numSegments, ...x.shape.slice(1)])) as T;
}

// ------------------------------------------------------------------------------------------------ public kernels

const gatherRowsGrad = customGrad((x: tf.Tensor, indices: tf.Tensor, save: tf.GradSaveFunc) => {
  save([indices]);
  const numRows = x.shape[0];
  return {
    value: gatherRowsForward(x, indices as tf.Tensor1D),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [
      segmentSumForwardDifferentiable(dy as tf.Tensor, saved[0] as tf.Tensor1D, numRows),
      tf.zerosLike(saved[0]),
    ],
  };
});

const segmentSumGrad = (numSegments: number) =>
  customGrad((x: tf.Tensor, segmentIds: tf.Tensor, save: tf.GradSaveFunc) => {
    save([segmentIds]);
    return {
      value: segmentSumForward(x, segmentIds as tf.Tensor1D, numSegments),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [
        gatherRowsGrad(dy as tf.Tensor, saved[0]),
        tf.zerosLike(saved[0]),
      ],
    };
  });

// Gradients of gather and segment sum call each other (so second derivatives through them work as well).
function segmentSumForwardDifferentiable(x: tf.Tensor, segmentIds: tf.Tensor1D, numSegments: number): tf.Tensor {
  return segmentSumGrad(numSegments)(x, segmentIds);
}

/**
 * Rows of `x` picked by `indices`: `out[e] = x[indices[e]]`, shape `[E, ...x.shape.slice(1)]`. Differentiable in
 * `x`; its gradient is a {@link segmentSum} of the upstream gradient back onto the rows (never tfjs's
 * `unsortedSegmentSum`). On cpu and wasm it runs one plain loop over the typed arrays; elsewhere `tf.gather`.
 *
 * @param x - float32 or int32 tensor of rank >= 1 (N rows).
 * @param indices - int32 tensor `[E]`, each in `[0, N)`.
 * @example
 * ```ts
 * const h = tf.tensor2d([[1, 2], [3, 4]]);
 * gatherRows(h, tf.tensor1d([1, 1, 0], 'int32')).print(); // [[3, 4], [3, 4], [1, 2]]
 * ```
 */
export function gatherRows<T extends tf.Tensor>(x: T, indices: tf.Tensor1D): T {
  assertRows('gatherRows', 'x', x, ['float32', 'int32']);
  assertIndexVector('gatherRows', 'indices', indices);
  if (x.dtype !== 'float32') return gatherRowsForward(x, indices);
  return gatherRowsGrad(x, indices) as T;
}

/**
 * Sums the rows of `x` into segments: `out[s] = Σ_{e: segmentIds[e] = s} x[e]`, shape
 * `[numSegments, ...x.shape.slice(1)]` (empty segments are zero). Differentiable in `x`; the gradient is
 * {@link gatherRows}. One pass over the rows on cpu and wasm (plain loop), `tf.scatterND` elsewhere.
 *
 * @param x - float32 tensor `[E, ...]`.
 * @param segmentIds - int32 tensor `[E]`, each in `[0, numSegments)`; need not be sorted.
 * @param numSegments - number of output rows.
 * @example
 * ```ts
 * const m = tf.tensor2d([[1, 1], [2, 2], [4, 4]]);
 * segmentSum(m, tf.tensor1d([0, 2, 0], 'int32'), 3).print(); // [[5, 5], [0, 0], [2, 2]]
 * ```
 */
export function segmentSum<T extends tf.Tensor>(x: T, segmentIds: tf.Tensor1D, numSegments: number): T {
  assertRows('segmentSum', 'x', x);
  assertIndexVector('segmentSum', 'segmentIds', segmentIds, x.shape[0]);
  assertCount('segmentSum', 'numSegments', numSegments);
  return segmentSumGrad(numSegments)(x, segmentIds) as T;
}

const segmentSumAddGrad = customGrad((acc: tf.Tensor, x: tf.Tensor, segmentIds: tf.Tensor, save: tf.GradSaveFunc) => {
  save([segmentIds]);
  const ids = segmentIds as tf.Tensor1D;
  let value: tf.Tensor;
  const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
  // As segmentSumForward: on wasm without SIMD rows, tfjs's scatterND beats a JS loop over the heap.
  const wasmWithoutSimd = tf.getBackend() === 'wasm' && !(rowSize % 4 === 0 && hasWasmSimd());
  if (hasLoopKernels() && !wasmWithoutSimd) {
    ensureKernelsRegistered();
    value = tf.engine().runKernel(KERNEL_SEGMENT_SUM_ADD, { acc, x, segmentIds }, {}) as tf.Tensor;
  } else {
    value = tf.tidy(() => tf.add(acc, segmentSumForward(x, ids, acc.shape[0])));
  }
  return {
    value,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [
      (dy as tf.Tensor).clone(),
      gatherRowsGrad(dy as tf.Tensor, saved[0]),
      tf.zerosLike(saved[0]),
    ],
  };
});

/**
 * `acc + segmentSum(x, segmentIds, acc.shape[0])` in one pass over x (no zero-filled intermediate), the rows of x
 * added to a copy of `acc` in order: summing the edges of a graph chunk by chunk this way gives the same float32 sums
 * as one {@link segmentSum} over all of them. Differentiable in `acc` and `x`.
 *
 * @param acc - float32 tensor `[S, ...]`.
 * @param x - float32 tensor `[E, ...]` with the row shape of `acc`.
 * @param segmentIds - int32 tensor `[E]`, each in `[0, S)`.
 * @example
 * ```ts
 * const acc = tf.tensor2d([[1, 1], [0, 0]]);
 * segmentSumAdd(acc, tf.tensor2d([[2, 2], [4, 4]]), tf.tensor1d([1, 0], 'int32')).print(); // [[5, 5], [2, 2]]
 * ```
 */
export function segmentSumAdd<T extends tf.Tensor>(acc: T, x: T, segmentIds: tf.Tensor1D): T {
  assertRows('segmentSumAdd', 'acc', acc);
  assertRows('segmentSumAdd', 'x', x);
  if (x.rank !== acc.rank || x.shape.slice(1).some((d, i) => d !== acc.shape[i + 1])) {
    throw new InvalidArgumentError(
      'segmentSumAdd',
      'x',
      `must have the row shape of acc [${acc.shape.slice(1).join(', ')}], got ${describeTensor(x)}`,
      x,
    );
  }
  assertIndexVector('segmentSumAdd', 'segmentIds', segmentIds, x.shape[0]);
  return segmentSumAddGrad(acc, x, segmentIds) as T;
}

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

function sliceRowsForward<T extends tf.Tensor>(x: T, start: number, size: number): T {
  if (hasLoopKernels()) {
    ensureKernelsRegistered();
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

function sliceColumnsForward(x: tf.Tensor2D, begin: number, size: number): tf.Tensor2D {
  if (hasLoopKernels()) {
    ensureKernelsRegistered();
    return tf.engine().runKernel(KERNEL_SLICE_COLUMNS, { x }, { begin, size }) as tf.Tensor2D;
  }
  return tf.slice(x, [0, begin], [x.shape[0], size]);
}

function padColumnsForward(x: tf.Tensor2D, before: number, total: number): tf.Tensor2D {
  if (hasLoopKernels()) {
    ensureKernelsRegistered();
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
function padColumns(x: tf.Tensor2D, before: number, total: number): tf.Tensor2D {
  return (
    x.dtype === 'float32' ? padColumnsGrad(before, total)(x) : padColumnsForward(x, before, total)
  ) as tf.Tensor2D;
}

function assertMatrix(fn: string, x: tf.Tensor): void {
  if (!(x instanceof tf.Tensor) || x.rank !== 2 || (x.dtype !== 'float32' && x.dtype !== 'int32')) {
    throw new InvalidArgumentError(fn, 'x', `must be a float32 or int32 tensor of rank 2, got ${describeTensor(x)}`, x);
  }
}

/**
 * Mean of the rows of `x` in each segment: {@link segmentSum} divided by the segment's size; an empty segment
 * gives zeros (never NaN). Differentiable in `x`.
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

const gatherRowsAddGrad = customGrad(
  (a: tf.Tensor, ia: tf.Tensor, b: tf.Tensor, ib: tf.Tensor, c: tf.Tensor, save: tf.GradSaveFunc) => {
    save([ia, ib]);
    const na = a.shape[0];
    const nb = b.shape[0];
    let value: tf.Tensor;
    if (hasLoopKernels()) {
      ensureKernelsRegistered();
      value = tf.engine().runKernel(KERNEL_GATHER2_ADD, { a, indicesA: ia, b, indicesB: ib, c }, {}) as tf.Tensor;
    } else {
      value = tf.tidy(() => tf.add(tf.add(tf.gather(a, ia), tf.gather(b, ib)), c));
    }
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor;
        return [
          segmentSumForwardDifferentiable(g, saved[0] as tf.Tensor1D, na),
          tf.zerosLike(saved[0]),
          segmentSumForwardDifferentiable(g, saved[1] as tf.Tensor1D, nb),
          tf.zerosLike(saved[1]),
          g.clone(),
        ];
      },
    };
  },
);

/**
 * Fused `a[indicesA] + b[indicesB] + c` for `a` `[Na, F]`, `b` `[Nb, F]`, `c` `[E, F]`: the first layer of an edge
 * MLP on `[h_i ‖ h_j ‖ e_ij]` once the node parts `h·W_a`, `h·W_b` are computed per node. One pass over the edges
 * and no `[E, F]` intermediates; differentiable in `a`, `b` and `c`.
 *
 * @example
 * ```ts
 * const a = tf.tensor2d([[1], [2]]), b = tf.tensor2d([[10], [20]]), c = tf.tensor2d([[100], [200]]);
 * gatherRowsAdd(a, tf.tensor1d([0, 1], 'int32'), b, tf.tensor1d([1, 1], 'int32'), c).print(); // [[121], [222]]
 * ```
 */
export function gatherRowsAdd(
  a: tf.Tensor2D,
  indicesA: tf.Tensor1D,
  b: tf.Tensor2D,
  indicesB: tf.Tensor1D,
  c: tf.Tensor2D,
): tf.Tensor2D {
  const fn = 'gatherRowsAdd';
  assertRows(fn, 'a', a);
  assertRows(fn, 'b', b);
  assertRows(fn, 'c', c);
  assertIndexVector(fn, 'indicesA', indicesA);
  assertIndexVector(fn, 'indicesB', indicesB, indicesA.shape[0]);
  if (
    a.rank !== 2 ||
    b.rank !== 2 ||
    c.rank !== 2 ||
    b.shape[1] !== a.shape[1] ||
    c.shape[1] !== a.shape[1] ||
    c.shape[0] !== indicesA.shape[0]
  ) {
    throw new InvalidArgumentError(
      fn,
      'shapes',
      `must be a [Na, F], b [Nb, F], c [E, F] with E = indices length, got a [${a.shape}], b [${b.shape}], c [${c.shape}], E = ${indicesA.shape[0]}`,
    );
  }
  return gatherRowsAddGrad(a, indicesA, b, indicesB, c) as tf.Tensor2D;
}

const siluGrad = customGrad((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  // On wasm, one pass of our SIMD kernel on tfjs's heap (tfjs's own sigmoid + multiply are two passes forward and six
  // backward). On cpu the plain loop beats tfjs-cpu's generic elementwise ops.
  if (hasWasmSimd()) {
    ensureKernelsRegistered();
    return {
      value: tf.engine().runKernel(KERNEL_SIMD_SILU, { x }, {}) as tf.Tensor,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        tf.engine().runKernel(KERNEL_SIMD_SILU_GRAD, { dy: dy as tf.Tensor, x: saved[0] }, {}) as tf.Tensor,
    };
  }
  if (tf.getBackend() === 'cpu') {
    ensureKernelsRegistered();
    return {
      value: tf.engine().runKernel(KERNEL_SILU, { x }, {}) as tf.Tensor,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        tf.engine().runKernel(KERNEL_SILU_GRAD, { dy: dy as tf.Tensor, x: saved[0] }, {}) as tf.Tensor,
    };
  }
  return {
    value: tf.tidy(() => tf.mul(x, tf.sigmoid(x))),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const s = tf.sigmoid(saved[0]);
        return tf.mul(dy as tf.Tensor, tf.mul(s, tf.add(1, tf.mul(saved[0], tf.sub(1, s)))));
      }),
  };
});

/**
 * SiLU under a gradient tape on wasm with SIMD: the forward pass also writes σ(x), which is saved with the output in
 * place of the input, so the backward pass `dy·(s + y·(1 − s))` needs no exponential (the exponential was half of
 * SiLU's cost in a training step).
 */
const siluSavingSigmoid = customGrad((x: tf.Tensor, save: tf.GradSaveFunc) => {
  ensureKernelsRegistered();
  const [y, s] = tf.engine().runKernel(KERNEL_SIMD_SILU_SIG, { x }, {}) as tf.Tensor[];
  save([y, s]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
      tf
        .engine()
        .runKernel(KERNEL_SIMD_SILU_GRAD_SIG, { dy: dy as tf.Tensor, y: saved[0], s: saved[1] }, {}) as tf.Tensor,
  };
});

/**
 * True while tfjs records operations for a backward pass here (inside `tf.grad`, `optimizer.minimize`, … and not
 * inside another kernel): tfjs's own `isTapeOn`, which has no public export; true if that ever moves. Under a tape
 * SiLU saves σ(x), and the layers take their edges in one piece (the tape keeps every intermediate anyway).
 */
export function tapeOn(): boolean {
  const engine = tf.engine() as unknown as { isTapeOn?: () => boolean };
  return typeof engine.isTapeOn === 'function' ? engine.isTapeOn() : true;
}

/**
 * SiLU (swish) `x·σ(x)`, elementwise, with a one-pass gradient `σ(x)·(1 + x·(1 − σ(x)))`.
 *
 * @example
 * ```ts
 * silu(tf.tensor1d([0, 1])).print(); // [0, 0.7310586]
 * ```
 */
export function silu<T extends tf.Tensor>(x: T): T {
  assertRows('silu', 'x', x);
  return (tapeOn() && hasWasmSimd() ? siluSavingSigmoid(x) : siluGrad(x)) as T;
}

/** Backends on which a matmul with a transpose flag is much slower than transposing first (measured, wasm ≈10×). */
const EXPLICIT_TRANSPOSE_BACKENDS = new Set(['wasm']);

function matMulT(a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean, transposeB: boolean): tf.Tensor2D {
  if (!EXPLICIT_TRANSPOSE_BACKENDS.has(tf.getBackend())) return tf.matMul(a, b, transposeA, transposeB);
  return tf.tidy(() => tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b));
}

const zeroBias = new Map<string, tf.Tensor1D>();

/** x·w + bias (zero when absent). On wasm with SIMD one pass of our 4 × 8-tile kernel, bias fused. */
function dense(x: tf.Tensor2D, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  const m = w.shape[1];
  if (simdDense(x.shape[0], m)) {
    ensureKernelsRegistered();
    let b = bias;
    if (!b) {
      const key = `${tf.getBackend()}:${m}`;
      b = zeroBias.get(key);
      if (!b || b.isDisposed) {
        b = tf.keep(tf.zeros([m]) as tf.Tensor1D);
        zeroBias.set(key, b);
      }
    }
    return tf.engine().runKernel(KERNEL_SIMD_LINEAR, { x, w, bias: b as tf.Tensor1D }, {}) as tf.Tensor2D;
  }
  return tf.tidy(() => (bias ? tf.add(tf.matMul(x, w), bias) : tf.matMul(x, w)));
}

/** g·wᵀ, the input gradient of a dense layer (w is small: transposing it first costs nothing). */
function denseInputGradient(g: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  if (w.shape[0] % 8 === 0 && g.shape[0] >= 4 && hasWasmSimd()) return tf.tidy(() => dense(g, tf.transpose(w)));
  return matMulT(g, w, false, true);
}

/**
 * The weight gradient xᵀ·g of a dense layer (x `[M, in]`, g `[M, out]`). On wasm with SIMD, one pass of our kernel
 * on tfjs's heap: tfjs's matmul of `[in, M]·[M, out]` with M ≫ in, out repacks g (its "weights") on every call and
 * ran at 0.7–2 GMAC/s on carbon_24 batches (measured with tf.profile), the largest cost of a training step.
 */
function weightGradient(x: tf.Tensor2D, g: tf.Tensor2D): tf.Tensor2D {
  const m = g.shape[1];
  if (x.shape[1] % 4 === 0 && hasWasmSimd()) {
    ensureKernelsRegistered();
    if (m % 8 === 0) return tf.engine().runKernel(KERNEL_SIMD_MATMUL_TN, { a: x, b: g }, {}) as tf.Tensor2D;
    // A narrow g (a head's few outputs) is padded to 8 columns: tfjs's flagged matmul would transpose all of x first.
    const padded = Math.ceil(m / 8) * 8;
    return tf.tidy(() => {
      const full = tf.engine().runKernel(KERNEL_SIMD_MATMUL_TN, { a: x, b: padColumns(g, 0, padded) }, {});
      return sliceColumns(full as tf.Tensor2D, 0, m);
    });
  }
  return matMulT(x, g, true, false);
}

/** Σ over rows of g `[M, out]`, the bias gradient (tfjs's sum over axis 0 transposes first on wasm). */
function biasGradient(g: tf.Tensor2D): tf.Tensor1D {
  if (hasWasmSimd()) {
    ensureKernelsRegistered();
    const m = g.shape[1];
    if (m % 4 === 0) return tf.engine().runKernel(KERNEL_SIMD_COL_SUM, { b: g }, {}) as tf.Tensor1D;
    return tf.tidy(() => {
      const full = tf.engine().runKernel(KERNEL_SIMD_COL_SUM, { b: padColumns(g, 0, Math.ceil(m / 4) * 4) }, {});
      return tf.slice(full as tf.Tensor1D, 0, m);
    });
  }
  return tf.sum(g, 0);
}

const linearGrad = customGrad((x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, kernel]);
  return {
    value: dense(x as tf.Tensor2D, kernel as tf.Tensor2D, bias as tf.Tensor1D),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      return [
        denseInputGradient(g, saved[1] as tf.Tensor2D),
        weightGradient(saved[0] as tf.Tensor2D, g),
        biasGradient(g),
      ];
    },
  };
});

const linearNoBiasGrad = customGrad((x: tf.Tensor, kernel: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, kernel]);
  return {
    value: dense(x as tf.Tensor2D, kernel as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      return [denseInputGradient(g, saved[1] as tf.Tensor2D), weightGradient(saved[0] as tf.Tensor2D, g)];
    },
  };
});

/**
 * The gradient of our SIMD dense kernel, registered with tfjs so that each input's gradient is computed only when the
 * backward pass needs it (a `customGrad` computes all of them): the first edge layer's input is the radial basis of
 * the edge lengths, whose gradient `g·W_cᵀ` (an `[E, H]·[H, K]` product) a training step never uses.
 */
function ensureLinearGradientRegistered(): void {
  if (tf.getGradient(KERNEL_SIMD_LINEAR) !== undefined) return;
  tf.registerGradient({
    kernelName: KERNEL_SIMD_LINEAR,
    inputsToSave: ['x', 'w'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [x, w] = saved as tf.Tensor2D[];
      return { x: () => denseInputGradient(g, w), w: () => weightGradient(x, g), bias: () => biasGradient(g) };
    },
  });
}

/** Whether {@link dense} runs our SIMD kernel for an `[rows, ·]·[·, m]` product. */
const simdDense = (rows: number, m: number) => m % 8 === 0 && rows >= 4 && hasWasmSimd();

/**
 * Dense layer `x·W + b` for `x` `[M, in]`, `kernel` `[in, out]` (tfjs/Keras layout) and optional `bias` `[out]`.
 * The forward pass uses no transpose flag, and the backward pass transposes explicitly on wasm (where a flagged
 * matmul is about 10× slower).
 *
 * @example
 * ```ts
 * linear(tf.tensor2d([[1, 2]]), tf.tensor2d([[1, 0], [0, 1]]), tf.tensor1d([10, 20])).print(); // [[11, 22]]
 * ```
 */
export function linear(x: tf.Tensor2D, kernel: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  const fn = 'linear';
  if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.dtype !== 'float32') {
    throw new InvalidArgumentError(fn, 'x', `must be a float32 tensor of rank 2, got ${describeTensor(x)}`, x);
  }
  if (!(kernel instanceof tf.Tensor) || kernel.rank !== 2 || kernel.shape[0] !== x.shape[1]) {
    throw new InvalidArgumentError(
      fn,
      'kernel',
      `must have shape [${x.shape[1]}, out], got ${describeTensor(kernel)}`,
      kernel,
    );
  }
  if (bias !== undefined && (!(bias instanceof tf.Tensor) || bias.rank !== 1 || bias.shape[0] !== kernel.shape[1])) {
    throw new InvalidArgumentError(
      fn,
      'bias',
      `must have shape [${kernel.shape[1]}], got ${describeTensor(bias)}`,
      bias,
    );
  }
  if (simdDense(x.shape[0], kernel.shape[1])) {
    // One kernel with a registered gradient (see ensureLinearGradientRegistered); a missing bias is a shared zero
    // vector, which no gradient reaches.
    ensureLinearGradientRegistered();
    return dense(x, kernel, bias);
  }
  return (bias === undefined ? linearNoBiasGrad(x, kernel) : linearGrad(x, kernel, bias)) as tf.Tensor2D;
}

const expGrad = customGrad((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const y = tf.engine().runKernel(KERNEL_SIMD_EXP, { x }, {}) as tf.Tensor;
  save([y]);
  return { value: y, gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.mul(dy as tf.Tensor, saved[0]) };
});

/**
 * `eˣ` elementwise for float32 `x`, as `tf.exp`: on wasm with SIMD one pass of our kernel (tfjs-backend-wasm's Exp is
 * scalar, ≈ 15 ns per value: the Gaussian basis of a carbon_24 batch took 12 ms), which flushes results below e⁻⁸⁷
 * to 0 and overflows to +∞ above 88 (`tf.exp` gives subnormals down to e⁻¹⁰³ and finite values up to 88.72).
 * Differentiable. Internal: the radial bases use it.
 */
export function exp<T extends tf.Tensor>(x: T): T {
  if (!(x instanceof tf.Tensor && x.dtype === 'float32' && hasWasmSimd())) return tf.exp(x);
  ensureKernelsRegistered();
  return expGrad(x) as T;
}
