// segmentSum and segmentSumAdd: `out[s] = (acc[s] +) Σ_{e: segmentIds[e] = s} x[e]`. Kernel: one pass over the rows
// adding each into its segment (cpu and wasm; on wasm a SIMD loop for rows of a multiple of 4 floats and a scalar one
// for other rows, tfjs's own scatterND on a wasm backend without our modules); `tf.scatterND` elsewhere. Gradient: a
// row gather (gather-rows.ts).
import { assertCount } from '@crys/lattice/internal';
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import {
  add,
  doWhile,
  f32add,
  f32load,
  f32store,
  fadd,
  get,
  i32,
  i32load,
  type Instr,
  ltU,
  mul,
  set,
  shl,
  sub,
  vload,
  vstore,
  type WasmFunction,
  when,
} from '../wasm/assembler.js';
import { advance, directRow, indexedRow, plus } from '../wasm/fragments.js';
import { kernelModule } from '../wasm/instance.js';
import { splitRange } from '../wasm/threads.js';
import { gatherRowsDifferentiable } from './gather-rows.js';
import { checkIndices, hasLoopKernels, hasWasmSimd, type KernelCall, kernelRegistration } from './kernel-registry.js';
import { assertIndexVector, assertRows, customGrad, describeTensor } from './op-utils.js';
import { byteOffset, PARALLEL_BYTES, rowSize } from './storage.js';

export const KERNEL_SEGMENT_SUM = 'CrysSegmentSum';
export const KERNEL_SEGMENT_SUM_ADD = 'CrysSegmentSumAdd';

// ------------------------------------------------------------------------------------------------ wasm

/**
 * scatterAdd(out, x, seg, rows, f, s0, s1): out[seg[e]] += x[e] for the rows e < rows whose segment is in [s0, s1),
 * rows of f floats (f % 4 = 0), four at a time. Kernel threads each take a range of segments: every output row is then
 * written by one thread, adding its rows in order, as a single thread does. With `words`, scatterAddWords: rows of any
 * f ≥ 1 floats, one float32 add at a time (the readout's edge vectors and outer products, rows of 3 and 9).
 * tfjs-backend-wasm's scatterND, which that replaces, adds the rows in the same order; with its index check in
 * JavaScript it took ≈ 0.07 ms per call on a perov_5 batch.
 */
function scatterAddWasm(words: boolean): WasmFunction {
  const [OUT, X, SEG, E, F, S0, S1] = [0, 1, 2, 3, 4, 5, 6];
  const [I, FB, FBE, OP, XP, SPAN] = [7, 8, 9, 10, 11, 12];
  const [load, sum, store] = words ? [f32load(0), f32add, f32store(0)] : [vload(0), fadd, vstore(0)];
  const value: Instr[] = [...plus(OP, FB), ...plus(OP, FB), ...load, ...plus(XP, FB), ...load, ...sum, ...store];
  // seg[e] − s0 < s1 − s0 (unsigned): the segment is in range.
  const inRange = [
    ...get(SEG),
    ...get(I),
    ...i32(2),
    ...shl,
    ...add,
    ...i32load(),
    ...get(S0),
    ...sub,
    ...get(SPAN),
    ...ltU,
  ];
  const row = [
    ...indexedRow(OUT, SEG, I, FBE),
    ...set(OP),
    ...directRow(X, I, FBE),
    ...set(XP),
    ...i32(0),
    ...set(FB),
    ...doWhile(value, advance(FB, i32(words ? 4 : 16), FBE)),
  ];
  return {
    name: words ? 'scatterAddWords' : 'scatterAdd',
    params: ['out', 'x', 'seg', 'rows', 'f', 's0', 's1'],
    locals: [['i32', ['e', 'fb', 'fbEnd', 'op', 'xp', 'span']]],
    code: [
      ...get(F),
      ...i32(4),
      ...mul,
      ...set(FBE),
      ...get(S1),
      ...get(S0),
      ...sub,
      ...set(SPAN),
      ...i32(0),
      ...set(I),
      ...doWhile(when(inRange, row), advance(I, i32(1), E)),
    ],
  };
}

interface ScatterAddExports {
  scatterAdd(out: number, x: number, seg: number, rows: number, f: number, s0: number, s1: number): void;
  scatterAddWords(out: number, x: number, seg: number, rows: number, f: number, s0: number, s1: number): void;
}

export const segmentSumModule = kernelModule<ScatterAddExports>(() => [scatterAddWasm(false), scatterAddWasm(true)]);

// ------------------------------------------------------------------------------------------------ kernels
// Legend: E = number of rows of x, S = segments, F = row size.

/** `out[seg[e]] += x[e]` for every row e of x, in order (indices already checked). */
function scatterAddInto(
  { storage, simd, threads, parts }: KernelCall<ScatterAddExports>,
  out: tf.TensorInfo,
  x: tf.TensorInfo,
  segmentIds: tf.TensorInfo,
): void {
  const F = rowSize(x.shape);
  const E = x.shape[0];
  if (simd && x.dtype === 'float32' && F > 0 && E > 0) {
    const [o, xp, sp] = [byteOffset(storage, out), byteOffset(storage, x), byteOffset(storage, segmentIds)];
    // Segment ranges per thread (each scans all rows and adds those of its segments).
    const S = out.shape[0];
    const ranges = splitRange(S, 8 * E * F >= PARALLEL_BYTES ? threads : 1, 1);
    parts(
      F % 4 === 0 ? 'scatterAdd' : 'scatterAddWords',
      ranges.map(([s0, s1]) => [o, xp, sp, E, F, s0, s1]),
    );
    return;
  }
  const xs = storage.read(x);
  const seg = storage.read(segmentIds) as Int32Array;
  const o = storage.read(out);
  if (F === 1) {
    for (let e = 0; e < E; e++) o[seg[e]] += xs[e];
  } else {
    for (let e = 0, xe = 0; e < E; e++, xe += F) {
      const os = seg[e] * F;
      for (let f = 0; f < F; f++) o[os + f] += xs[xe + f];
    }
  }
}

const ensureRegistered = kernelRegistration<ScatterAddExports>([
  {
    kernelName: KERNEL_SEGMENT_SUM,
    backends: ['cpu', 'wasm'],
    module: segmentSumModule,
    run(call: KernelCall<ScatterAddExports>) {
      const {
        inputs: { x, segmentIds },
        attrs,
        storage,
      } = call;
      const numSegments = attrs.numSegments as number;
      checkIndices('segmentSum', 'segmentIds', storage.read(segmentIds) as Int32Array, numSegments, segmentIds.dataId);
      const out = storage.alloc([numSegments, ...x.shape.slice(1)], x.dtype as 'float32' | 'int32');
      storage.read(out.info).fill(0);
      scatterAddInto(call, out.info, x, segmentIds);
      return out.info;
    },
  },
  {
    // A copy of acc, then the rows of x added in order.
    kernelName: KERNEL_SEGMENT_SUM_ADD,
    backends: ['cpu', 'wasm'],
    module: segmentSumModule,
    run(call: KernelCall<ScatterAddExports>) {
      const {
        inputs: { acc, x, segmentIds },
        storage,
      } = call;
      checkIndices(
        'segmentSumAdd',
        'segmentIds',
        storage.read(segmentIds) as Int32Array,
        acc.shape[0],
        segmentIds.dataId,
      );
      const out = storage.alloc(acc.shape.slice(), 'float32');
      storage.read(out.info).set(storage.read(acc));
      scatterAddInto(call, out.info, x, segmentIds);
      return out.info;
    },
  },
]);

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

/**
 * Whether float32 rows run tfjs-backend-wasm's scatterND rather than our kernel (see below): on a wasm backend without
 * our modules (no WebAssembly SIMD), whatever the row size.
 */
const wasmWithoutModules = () => tf.getBackend() === 'wasm' && !hasWasmSimd();

/** The segment sum, not differentiable. */
export function segmentSumForward<T extends tf.Tensor>(x: T, segmentIds: tf.Tensor1D, numSegments: number): T {
  if (x.shape[0] === 0) return tf.zeros([numSegments, ...x.shape.slice(1)], x.dtype) as T;
  if (x.dtype === 'float32' && wasmWithoutModules()) {
    // Measured (bench/run.mjs): wasm's native scatterND, which sums duplicates, beats a JS loop over the heap by
    // ~1.7× here (our modules, when the backend runs them, beat both). It does not check its indices, so we do
    // (out-of-range ids would write outside the output).
    checkSegmentIds(segmentIds, numSegments);
    return tf.tidy(() => tf.scatterND(tf.reshape(segmentIds, [-1, 1]), x, [numSegments, ...x.shape.slice(1)])) as T;
  }
  if (hasLoopKernels()) {
    ensureRegistered();
    return tf.engine().runKernel(KERNEL_SEGMENT_SUM, { x, segmentIds }, { numSegments }) as T;
  }
  // scatterND sums duplicate indices, in one pass on webgl and webgpu.
  return tf.tidy(() => tf.scatterND(tf.expandDims(segmentIds, 1), x, [numSegments, ...x.shape.slice(1)])) as T;
}

// ------------------------------------------------------------------------------------------------ gradients and ops

const segmentSumGrad = (numSegments: number) =>
  customGrad((x: tf.Tensor, segmentIds: tf.Tensor, save: tf.GradSaveFunc) => {
    save([segmentIds]);
    return {
      value: segmentSumForward(x, segmentIds as tf.Tensor1D, numSegments),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [
        gatherRowsDifferentiable(dy as tf.Tensor, saved[0]),
        tf.zerosLike(saved[0]),
      ],
    };
  });

/**
 * {@link segmentSum} of float32 rows without argument checks: the gradient of a row gather. The gradients of gather and
 * segment sum call each other, so second derivatives through them work as well.
 */
export function segmentSumDifferentiable(x: tf.Tensor, segmentIds: tf.Tensor1D, numSegments: number): tf.Tensor {
  return segmentSumGrad(numSegments)(x, segmentIds);
}

/**
 * Sums the rows of `x` into segments: `out[s] = Σ_{e: segmentIds[e] = s} x[e]`, shape
 * `[numSegments, ...x.shape.slice(1)]` (empty segments are zero). Differentiable in `x`; the gradient is
 * `gatherRows`. One pass over the rows on cpu and wasm (plain loop), `tf.scatterND` elsewhere.
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
  // As segmentSumForward: on wasm without our modules, tfjs's scatterND beats a JS loop over the heap.
  if (hasLoopKernels() && !wasmWithoutModules()) {
    ensureRegistered();
    value = tf.engine().runKernel(KERNEL_SEGMENT_SUM_ADD, { acc, x, segmentIds }, {}) as tf.Tensor;
  } else {
    value = tf.tidy(() => tf.add(acc, segmentSumForward(x, ids, acc.shape[0])));
  }
  return {
    value,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [
      (dy as tf.Tensor).clone(),
      gatherRowsDifferentiable(dy as tf.Tensor, saved[0]),
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
