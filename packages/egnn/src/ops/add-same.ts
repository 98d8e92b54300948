// addSame: `a + b` for two float32 tensors of one shape (a layer's residual sums), bit for bit `tf.add` (one float32
// rounding per value) with tf.add's gradient. Kernel on wasm with SIMD: one pass four values at a time, split across the
// kernel threads. tfjs-backend-wasm's Add took 15–50 µs on a perov_5 batch's `[320, 64]` node features (≈ 0.4 ms of the
// forward pass); `tf.add` elsewhere.
import * as tf from '@tensorflow/tfjs';
import { add, doWhile, fadd, get, i32, type Instr, set, vload, vstore, type WasmFunction } from '../wasm/assembler.js';
import { advance } from '../wasm/fragments.js';
import { kernelModule } from '../wasm/instance.js';
import { hasWasmSimd, kernelRegistration } from './kernel-registry.js';
import { byteOffset, elementwiseCalls, sizeOf } from './storage.js';

export const KERNEL_SIMD_ADD = 'CrysSimdAdd';

// ------------------------------------------------------------------------------------------------ wasm

/** addVectors(out, a, b, bytes): out = a + b over `bytes` bytes (a positive multiple of 16), four floats at a time. */
function addVectorsWasm(): WasmFunction {
  const [OUT, A, B, END] = [0, 1, 2, 3];
  const [AP] = [4];
  const body: Instr[] = [
    ...get(OUT),
    ...get(AP),
    ...vload(0),
    ...get(B),
    ...vload(0),
    ...fadd,
    ...vstore(0),
    ...get(OUT),
    ...i32(16),
    ...add,
    ...set(OUT),
    ...get(B),
    ...i32(16),
    ...add,
    ...set(B),
  ];
  return {
    name: 'addVectors',
    params: ['out', 'a', 'b', 'bytes'],
    locals: [['i32', ['ap']]],
    code: [
      ...get(A),
      ...set(AP),
      ...get(A),
      ...get(END),
      ...add,
      ...set(END),
      ...doWhile(body, advance(AP, i32(16), END)),
    ],
  };
}

interface AddExports {
  addVectors(out: number, a: number, b: number, bytes: number): void;
}

export const addModule = kernelModule<AddExports>(() => [addVectorsWasm()]);

// ------------------------------------------------------------------------------------------------ kernel

const ensureRegistered = kernelRegistration<AddExports>([
  {
    kernelName: KERNEL_SIMD_ADD,
    backends: ['wasm'],
    module: addModule,
    simdOnly: true,
    run({ inputs: { a, b }, storage, threads, parts }) {
      const out = storage.alloc(a.shape.slice(), 'float32');
      const size = sizeOf(a.shape);
      const body = size & ~3;
      if (body > 0) {
        const pointers = [byteOffset(storage, out.info), byteOffset(storage, a), byteOffset(storage, b)];
        parts('addVectors', elementwiseCalls(pointers, body, threads));
      }
      if (body < size) {
        const [as, bs, o] = [storage.read(a), storage.read(b), storage.read(out.info)];
        for (let i = body; i < size; i++) o[i] = as[i] + bs[i];
      }
      return out.info;
    },
  },
]);

/** tf.add's gradient for inputs of the output's shape: the upstream gradient, reshaped, to each. */
function ensureGradientRegistered(): void {
  if (tf.getGradient(KERNEL_SIMD_ADD) !== undefined) return;
  tf.registerGradient({
    kernelName: KERNEL_SIMD_ADD,
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
      const g = dy as tf.Tensor;
      return { a: () => tf.reshape(g, g.shape), b: () => tf.reshape(g, g.shape) };
    },
  });
}

// ------------------------------------------------------------------------------------------------ op

const sameShape = (a: tf.Tensor, b: tf.Tensor) => a.rank === b.rank && a.shape.every((d, i) => d === b.shape[i]);

/**
 * `a + b` for float32 tensors of the same shape, as `tf.add` (the same values and gradients), in one pass of our kernel
 * on wasm; `tf.add` for anything else (broadcasting, other dtypes, other backends). Internal: the layers' residual sums.
 */
export function addSame<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  if (!(a.dtype === 'float32' && b.dtype === 'float32' && sameShape(a, b) && a.size > 0 && hasWasmSimd())) {
    return tf.add(a, b) as T;
  }
  ensureRegistered();
  ensureGradientRegistered();
  return tf.engine().runKernel(KERNEL_SIMD_ADD, { a, b }, {}) as T;
}
