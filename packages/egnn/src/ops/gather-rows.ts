// gatherRows: `out[e] = x[indices[e]]`. Kernel: one pass over the indices (cpu and wasm; a SIMD loop on wasm for rows
// of a multiple of 4 floats); `tf.gather` elsewhere. Gradient: a segment sum of the upstream gradient back onto the
// rows (segment-sum.ts), never tfjs's `unsortedSegmentSum`.
import * as tf from '@tensorflow/tfjs';
import {
  get,
  i32,
  i32load,
  i32store,
  type Instr,
  mul,
  set,
  vload,
  vstore,
  type WasmFunction,
} from '../wasm/assembler.js';
import { directRow, indexedRow, plus, rowLoop } from '../wasm/fragments.js';
import { kernelModule } from '../wasm/instance.js';
import { checkIndices, hasLoopKernels, kernelRegistration } from './kernel-registry.js';
import { assertIndexVector, assertRows, customGrad } from './op-utils.js';
import { segmentSumDifferentiable } from './segment-sum.js';
import { byteOffset, rowRanges, rowSize } from './storage.js';

export const KERNEL_GATHER_ROWS = 'CrysGatherRows';

// ------------------------------------------------------------------------------------------------ wasm

/**
 * gatherRows(out, x, idx, rows, f): out[e] = x[idx[e]] for e < rows, rows of f floats (f % 4 = 0), a vector at a
 * time; gatherWords the same for rows of any f ≥ 1 four-byte words (float32 or int32), a word at a time: the
 * fractional coordinates' and lattices' rows of 3 and 9 (in JavaScript these took ≈ 4 ns per value, 0.55 ms of a
 * perov_5 batch's edge vectors).
 */
function gatherWasm(name: 'gatherRows' | 'gatherWords'): WasmFunction {
  const [OUT, X, IDX, E, F] = [0, 1, 2, 3, 4];
  const [I, FB, FBE, OP, XP] = [5, 6, 7, 8, 9];
  const row = [...indexedRow(X, IDX, I, FBE), ...set(XP), ...directRow(OUT, I, FBE), ...set(OP)];
  const [load, store, step] = name === 'gatherRows' ? [vload, vstore, 16] : [i32load, i32store, 4];
  const move: Instr[] = [...plus(OP, FB), ...plus(XP, FB), ...load(0), ...store(0)];
  return {
    name,
    params: ['out', 'x', 'idx', 'rows', 'f'],
    locals: [['i32', ['e', 'fb', 'fbEnd', 'op', 'xp']]],
    code: [...get(F), ...i32(4), ...mul, ...set(FBE), ...rowLoop(I, E, FB, FBE, row, move, step)],
  };
}

interface GatherRowsExports {
  gatherRows(out: number, x: number, idx: number, rows: number, f: number): void;
  gatherWords(out: number, x: number, idx: number, rows: number, f: number): void;
}

export const gatherRowsModule = kernelModule<GatherRowsExports>(() => [
  gatherWasm('gatherRows'),
  gatherWasm('gatherWords'),
]);

// ------------------------------------------------------------------------------------------------ kernel

const ensureRegistered = kernelRegistration<GatherRowsExports>([
  {
    kernelName: KERNEL_GATHER_ROWS,
    backends: ['cpu', 'wasm'],
    module: gatherRowsModule,
    run({ inputs: { x, indices }, storage, simd, threads, parts }) {
      const F = rowSize(x.shape);
      const E = indices.shape[0];
      checkIndices('gatherRows', 'indices', storage.read(indices) as Int32Array, x.shape[0], indices.dataId);
      const out = storage.alloc([E, ...x.shape.slice(1)], x.dtype as 'float32' | 'int32');
      if (simd && F > 0 && E > 0) {
        const [o, xp, ip] = [byteOffset(storage, out.info), byteOffset(storage, x), byteOffset(storage, indices)];
        const ranges = rowRanges(E, 8 * E * F, threads);
        parts(
          F % 4 === 0 ? 'gatherRows' : 'gatherWords',
          ranges.map(([e0, e1]) => [o + 4 * e0 * F, xp, ip + 4 * e0, e1 - e0, F]),
        );
        return out.info;
      }
      const xs = storage.read(x);
      const idx = storage.read(indices) as Int32Array;
      const o = out.values;
      if (F === 1) {
        for (let e = 0; e < E; e++) o[e] = xs[idx[e]];
      } else {
        for (let e = 0, oe = 0; e < E; e++, oe += F) {
          const xi = idx[e] * F;
          for (let f = 0; f < F; f++) o[oe + f] = xs[xi + f];
        }
      }
      return out.info;
    },
  },
]);

function gatherRowsForward<T extends tf.Tensor>(x: T, indices: tf.Tensor1D): T {
  if (hasLoopKernels()) {
    ensureRegistered();
    return tf.engine().runKernel(KERNEL_GATHER_ROWS, { x, indices }, {}) as T;
  }
  return tf.gather(x, indices) as T;
}

// ------------------------------------------------------------------------------------------------ gradient and op

const gatherRowsGrad = customGrad((x: tf.Tensor, indices: tf.Tensor, save: tf.GradSaveFunc) => {
  save([indices]);
  const numRows = x.shape[0];
  return {
    value: gatherRowsForward(x, indices as tf.Tensor1D),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [
      segmentSumDifferentiable(dy as tf.Tensor, saved[0] as tf.Tensor1D, numRows),
      tf.zerosLike(saved[0]),
    ],
  };
});

/** {@link gatherRows} of float32 rows without argument checks (the gradient of a segment sum). */
export function gatherRowsDifferentiable(x: tf.Tensor, indices: tf.Tensor): tf.Tensor {
  return gatherRowsGrad(x, indices);
}

/**
 * Rows of `x` picked by `indices`: `out[e] = x[indices[e]]`, shape `[E, ...x.shape.slice(1)]`. Differentiable in
 * `x`; its gradient is a `segmentSum` of the upstream gradient back onto the rows (never tfjs's
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
