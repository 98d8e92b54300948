// outerRows: `out[e, 3c + k] = a[e, c] · b[e, k]` for a `[E, C]` and b `[E, 3]`, each edge's channel coefficients
// times its unit vector (VectorChannels). Bit-for-bit `tf.reshape(tf.mul(tf.reshape(a, [E, C, 1]),
// tf.reshape(b, [E, 1, 3])), [E, 3C])` and its gradients, in one pass: scalar float32 WebAssembly split by rows across
// the kernel threads on wasm (the JavaScript loops before took ≈ 0.15 ms on 12 058 rows of 3), plain loops on cpu. tfjs-backend-wasm's
// broadcasting multiply took ≈ 3 ms per call on a 12 000-edge batch, and its gradient as much again, ≈ 20 % of a
// structure model's training step. The gradient of a is a kernel too on wasm (tfjs ops on cpu, whose sum adds in
// another order); b's (unit vectors hold no weights) is computed by tfjs ops only when asked for.
import * as tf from '@tensorflow/tfjs';
import {
  add,
  f32add,
  f32load,
  f32mul,
  f32store,
  get,
  i32,
  type Instr,
  set,
  type WasmFunction,
} from '../wasm/assembler.js';
import { countedLoop } from '../wasm/fragments.js';
import { kernelModule } from '../wasm/instance.js';
import { hasLoopKernels, type KernelCall, kernelRegistration } from './kernel-registry.js';
import { byteOffset, rowRanges } from './storage.js';

export const KERNEL_OUTER_ROWS = 'CrysOuterRows';
export const KERNEL_OUTER_ROWS_GRAD = 'CrysOuterRowsGrad';

// ------------------------------------------------------------------------------------------------ wasm

/**
 * outerRows(out, a, b, rows, c): out[e, 3j + k] = a[e, j]·b[e, k] for e < rows, j < c (c ≥ 1, rows ≥ 1), each product
 * one float32 rounding; with `grad`, outerRowsGrad(out, dy, b, rows, c): out[e, j] = ((dy[e, 3j]·b[e, 0] +
 * dy[e, 3j + 1]·b[e, 1]) + dy[e, 3j + 2]·b[e, 2]), every product and sum one float32 rounding (as tfjs-backend-wasm's
 * multiply and sum over the last axis). Legend: ap (dp) and op walk the input's and out's rows, b0 … b2 hold b[e, :].
 */
function outerRowsWasm(grad: boolean): WasmFunction {
  const [OUT, IN, B, ROWS, C] = [0, 1, 2, 3, 4];
  const [E, J, IP, OP, BP] = [5, 6, 7, 8, 9];
  const V = 10;
  const B0 = grad ? 10 : 11;
  const inner: Instr[] = [];
  if (grad) {
    inner.push(...get(OP), ...get(IP), ...f32load(0), ...get(B0), ...f32mul);
    for (let k = 1; k < 3; k++) inner.push(...get(IP), ...f32load(4 * k), ...get(B0 + k), ...f32mul, ...f32add);
    inner.push(...f32store(0));
  } else {
    inner.push(...get(IP), ...f32load(0), ...set(V));
    for (let k = 0; k < 3; k++) inner.push(...get(OP), ...get(V), ...get(B0 + k), ...f32mul, ...f32store(4 * k));
  }
  inner.push(...get(IP), ...i32(grad ? 12 : 4), ...add, ...set(IP), ...get(OP), ...i32(grad ? 4 : 12), ...add);
  inner.push(...set(OP));
  const row: Instr[] = [];
  for (let k = 0; k < 3; k++) row.push(...get(BP), ...f32load(4 * k), ...set(B0 + k));
  row.push(...countedLoop(J, C, 1, inner));
  row.push(...get(BP), ...i32(12), ...add, ...set(BP));
  return {
    name: grad ? 'outerRowsGrad' : 'outerRows',
    params: ['out', grad ? 'dy' : 'a', 'b', 'rows', 'c'],
    locals: [
      ['i32', ['e', 'j', grad ? 'dp' : 'ap', 'op', 'bp']],
      ['f32', grad ? ['b0', 'b1', 'b2'] : ['v', 'b0', 'b1', 'b2']],
    ],
    code: [...get(IN), ...set(IP), ...get(OUT), ...set(OP), ...get(B), ...set(BP), ...countedLoop(E, ROWS, 1, row)],
  };
}

interface OuterRowsExports {
  outerRows(out: number, a: number, b: number, rows: number, c: number): void;
  outerRowsGrad(out: number, dy: number, b: number, rows: number, c: number): void;
}

export const outerRowsModule = kernelModule<OuterRowsExports>(() => [outerRowsWasm(false), outerRowsWasm(true)]);

/**
 * The module's `fn` over the rows of `input` (c values a row for outerRows, 3c for its gradient), split across the
 * kernel threads: `out` and `input` advance by their own row widths, b by 3 values a row.
 */
function runRows(
  call: KernelCall<OuterRowsExports>,
  fn: 'outerRows' | 'outerRowsGrad',
  out: tf.TensorInfo,
  input: tf.TensorInfo,
  b: tf.TensorInfo,
  E: number,
  C: number,
): void {
  if (E === 0 || C === 0) return;
  const [o, ip, bp] = [out, input, b].map((t) => byteOffset(call.storage, t));
  // bytes per row of out and of the input: 12c and 4c (outerRows), 4c and 12c (its gradient)
  const [oRow, iRow] = fn === 'outerRows' ? [12 * C, 4 * C] : [4 * C, 12 * C];
  call.parts(
    fn,
    rowRanges(E, E * (16 * C + 12), call.threads).map(([e0, e1]) => [
      o + oRow * e0,
      ip + iRow * e0,
      bp + 12 * e0,
      e1 - e0,
      C,
    ]),
  );
}

// ------------------------------------------------------------------------------------------------ kernels

const ensureRegistered = kernelRegistration<OuterRowsExports>([
  {
    kernelName: KERNEL_OUTER_ROWS,
    backends: ['cpu', 'wasm'],
    module: outerRowsModule,
    run(call) {
      const {
        inputs: { a, b },
        storage,
      } = call;
      const [E, C] = a.shape;
      const out = storage.alloc([E, 3 * C], 'float32');
      if (call.simd !== null) {
        runRows(call, 'outerRows', out.info, a, b, E, C);
        return out.info;
      }
      const as = storage.read(a);
      const bs = storage.read(b);
      const o = storage.read(out.info);
      for (let e = 0, ae = 0, oe = 0; e < E; e++, ae += C, oe += 3 * C) {
        const b0 = bs[3 * e];
        const b1 = bs[3 * e + 1];
        const b2 = bs[3 * e + 2];
        for (let c = 0; c < C; c++) {
          const v = as[ae + c];
          o[oe + 3 * c] = v * b0;
          o[oe + 3 * c + 1] = v * b1;
          o[oe + 3 * c + 2] = v * b2;
        }
      }
      return out.info;
    },
  },
  {
    // da[e, c] = Σ_k dy[e, 3c + k]·b[e, k], summed k = 0, 1, 2 in float32 (as tfjs-backend-wasm's multiply and sum).
    kernelName: KERNEL_OUTER_ROWS_GRAD,
    backends: ['wasm'],
    module: outerRowsModule,
    run(call) {
      const {
        inputs: { dy, b },
        storage,
      } = call;
      const [E, C3] = dy.shape;
      const C = C3 / 3;
      const out = storage.alloc([E, C], 'float32');
      if (call.simd !== null) {
        runRows(call, 'outerRowsGrad', out.info, dy, b, E, C);
        return out.info;
      }
      const dys = storage.read(dy);
      const bs = storage.read(b);
      const o = storage.read(out.info);
      const f = Math.fround;
      for (let e = 0, de = 0, oe = 0; e < E; e++, de += C3, oe += C) {
        const b0 = bs[3 * e];
        const b1 = bs[3 * e + 1];
        const b2 = bs[3 * e + 2];
        for (let c = 0; c < C; c++) {
          o[oe + c] = f(f(f(dys[de + 3 * c] * b0) + f(dys[de + 3 * c + 1] * b1)) + f(dys[de + 3 * c + 2] * b2));
        }
      }
      return out.info;
    },
  },
]);

function ensureGradientRegistered(): void {
  if (tf.getGradient(KERNEL_OUTER_ROWS) !== undefined) return;
  tf.registerGradient({
    kernelName: KERNEL_OUTER_ROWS,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [a, b] = saved as [tf.Tensor2D, tf.Tensor2D];
      const [E, C] = a.shape;
      return {
        // tfjs-backend-cpu's sum adds the three products in another order: there the stock ops, for the same bits.
        a: () =>
          tf.getBackend() === 'wasm'
            ? (tf.engine().runKernel(KERNEL_OUTER_ROWS_GRAD, { dy: g, b }, {}) as tf.Tensor2D)
            : tf.reshape(tf.sum(tf.mul(tf.reshape(g, [E, C, 3]), tf.reshape(b, [E, 1, 3])), 2), [E, C]),
        b: () => tf.reshape(tf.sum(tf.mul(tf.reshape(g, [E, C, 3]), tf.reshape(a, [E, C, 1])), 1), [E, 3]),
      };
    },
  });
}

/**
 * `[E, C] × [E, 3] → [E, 3C]`: row e of the result holds a[e, c]·b[e, :] for c = 0 … C − 1, as the broadcasting
 * `tf.mul` of `[E, C, 1]` and `[E, 1, 3]` reshaped (the same float32 values and gradients), in one pass on cpu and
 * wasm. Internal: VectorChannels builds its per-edge vectors with it.
 */
export function outerRows(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const [E, C] = a.shape;
  if (!(hasLoopKernels() && a.dtype === 'float32' && b.dtype === 'float32' && b.shape[0] === E && b.shape[1] === 3)) {
    return tf.reshape(tf.mul(tf.reshape(a, [E, C, 1]), tf.reshape(b, [E, 1, 3])), [E, 3 * C]);
  }
  ensureRegistered();
  ensureGradientRegistered();
  return tf.engine().runKernel(KERNEL_OUTER_ROWS, { a, b }, {}) as tf.Tensor2D;
}
