// scaleRows: `x · s` for x `[E, F]` and s `[E, 1]`, each row scaled by its own factor (messages by their edge's
// envelope). Bit-for-bit `tf.mul(x, s)` with broadcasting, forward and backward. Kernel on wasm: a SIMD loop for rows of
// a multiple of 4 floats, a scalar loop for other rows (edge vectors, their outer products, a head's two columns), both
// split by rows across the kernel threads; `tf.mul` elsewhere.
import * as tf from '@tensorflow/tfjs';
import {
  get,
  i32,
  type Instr,
  load32Splat,
  mul,
  set,
  shl,
  add,
  f32load,
  f32mul,
  f32store,
  fmul,
  vload,
  vstore,
  type WasmFunction,
} from '../wasm/assembler.js';
import { directRow, plus, rowLoop } from '../wasm/fragments.js';
import { kernelModule } from '../wasm/instance.js';
import { hasWasmSimd, kernelRegistration } from './kernel-registry.js';
import { byteOffset, rowRanges } from './storage.js';

export const KERNEL_SIMD_SCALE_ROWS = 'CrysSimdScaleRows';

// ------------------------------------------------------------------------------------------------ wasm

/**
 * scaleRows(out, x, s, rows, f): out[e, :] = x[e, :]·s[e] for e < rows, rows of f floats (f % 4 = 0), four at a time;
 * with `narrow`, scaleRowsNarrow: rows of any f ≥ 1 floats, one float32 product at a time (each rounded once, as the
 * SIMD loop and tf.mul round it; the JavaScript loop it replaced took ≈ 0.2 ms on 12 058 rows of 9, one thread).
 */
function scaleRowsWasm(narrow: boolean): WasmFunction {
  const [OUT, X, S, E, F] = [0, 1, 2, 3, 4];
  const [I, FB, FBE, OP, XP] = [5, 6, 7, 8, 9];
  const [SV] = [10];
  const row: Instr[] = [
    ...directRow(X, I, FBE),
    ...set(XP),
    ...directRow(OUT, I, FBE),
    ...set(OP),
    ...get(S),
    ...get(I),
    ...i32(2),
    ...shl,
    ...add,
    ...(narrow ? f32load(0) : load32Splat(0)),
    ...set(SV),
  ];
  const [load, times, store] = narrow ? [f32load(0), f32mul, f32store(0)] : [vload(0), fmul, vstore(0)];
  const value: Instr[] = [...plus(OP, FB), ...plus(XP, FB), ...load, ...get(SV), ...times, ...store];
  return {
    name: narrow ? 'scaleRowsNarrow' : 'scaleRows',
    params: ['out', 'x', 's', 'rows', 'f'],
    locals: [
      ['i32', ['e', 'fb', 'fbEnd', 'op', 'xp']],
      [narrow ? 'f32' : 'v128', ['sv']],
    ],
    code: [...get(F), ...i32(4), ...mul, ...set(FBE), ...rowLoop(I, E, FB, FBE, row, value, narrow ? 4 : 16)],
  };
}

interface ScaleRowsExports {
  scaleRows(out: number, x: number, s: number, rows: number, f: number): void;
  scaleRowsNarrow(out: number, x: number, s: number, rows: number, f: number): void;
}

export const scaleRowsModule = kernelModule<ScaleRowsExports>(() => [scaleRowsWasm(false), scaleRowsWasm(true)]);

// ------------------------------------------------------------------------------------------------ kernel

const ensureRegistered = kernelRegistration<ScaleRowsExports>([
  {
    kernelName: KERNEL_SIMD_SCALE_ROWS,
    backends: ['wasm'],
    module: scaleRowsModule,
    simdOnly: true,
    run({ inputs: { x, s }, storage, threads, parts }) {
      const [E, F] = x.shape;
      const out = storage.alloc([E, F], 'float32');
      if (E > 0) {
        // Rows of 3 or 9 (edge vectors, their outer products) take the scalar loop (tfjs-backend-wasm's broadcasting
        // multiply took ≈ 0.2 ms on 12 058 rows of 9).
        const fn = F % 4 === 0 ? 'scaleRows' : 'scaleRowsNarrow';
        const [o, xp, sp] = [byteOffset(storage, out.info), byteOffset(storage, x), byteOffset(storage, s)];
        const ranges = rowRanges(E, 8 * E * F, threads);
        parts(
          fn,
          ranges.map(([e0, e1]) => [o + 4 * e0 * F, xp + 4 * e0 * F, sp + 4 * e0, e1 - e0, F]),
        );
      }
      return out.info;
    },
  },
]);

/** The gradients of `tf.mul(x, s)` as tfjs computes them (each only when the backward pass needs it). */
function ensureGradientRegistered(): void {
  if (tf.getGradient(KERNEL_SIMD_SCALE_ROWS) !== undefined) return;
  tf.registerGradient({
    kernelName: KERNEL_SIMD_SCALE_ROWS,
    inputsToSave: ['x', 's'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [x, s] = saved as [tf.Tensor2D, tf.Tensor2D];
      return {
        x: () => scaleRows(g, s),
        s: () => tf.reshape(tf.sum(tf.mul(g, x), [1]), s.shape),
      };
    },
  });
}

// ------------------------------------------------------------------------------------------------ op

/**
 * `x · s` for x `[E, F]` and s `[E, 1]`: every row of x times its factor, as `tf.mul(x, s)` (the same float32 values
 * and gradients) in one pass of our kernel on wasm, split across the kernel threads. Internal: messages and vector
 * coefficients are scaled by their edges' envelope with it.
 */
export function scaleRows(x: tf.Tensor2D, s: tf.Tensor2D): tf.Tensor2D {
  const F = x.shape[1];
  if (!(x.dtype === 'float32' && s.dtype === 'float32' && F > 0 && s.shape[0] === x.shape[0] && hasWasmSimd())) {
    return tf.mul(x, s);
  }
  ensureRegistered();
  ensureGradientRegistered();
  return tf.engine().runKernel(KERNEL_SIMD_SCALE_ROWS, { x, s }, {}) as tf.Tensor2D;
}
