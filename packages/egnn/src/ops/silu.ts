// silu: SiLU (swish) `x·σ(x)`. Kernels: a plain loop on cpu; SIMD loops on wasm (forward, gradient, and under a
// gradient tape a forward pass that also writes σ(x) so the backward pass needs no exponential); `x·sigmoid(x)`
// elsewhere. Gradient: `dy·σ(x)·(1 + x·(1 − σ(x)))`, one pass.
import * as tf from '@tensorflow/tfjs';
import {
  add,
  and,
  doWhile,
  fadd,
  fdiv,
  fmul,
  fsub,
  get,
  i32,
  type Instr,
  ltU,
  set,
  sub,
  vload,
  vstore,
  type WasmFunction,
  when,
} from '../wasm/assembler.js';
import { advance, constantPool } from '../wasm/fragments.js';
import { kernelModule } from '../wasm/instance.js';
import { EXP_SCRATCH, negExpCode, sigmoidCode } from './exp.js';
import { hasWasmSimd, kernelRegistration } from './kernel-registry.js';
import { assertRows, customGrad, tapeOn } from './op-utils.js';
import { byteOffset, elementwise, elementwiseCalls, sizeOf } from './storage.js';

export const KERNEL_SILU = 'CrysSilu';
export const KERNEL_SILU_GRAD = 'CrysSiluGrad';
export const KERNEL_SIMD_SILU = 'CrysSimdSilu';
export const KERNEL_SIMD_SILU_GRAD = 'CrysSimdSiluGrad';
export const KERNEL_SIMD_SILU_SIG = 'CrysSimdSiluSig';
export const KERNEL_SIMD_SILU_GRAD_SIG = 'CrysSimdSiluGradSig';

// ------------------------------------------------------------------------------------------------ wasm

/** Vectors per iteration of the SiLU loops while whole groups are left (then one at a time). */
const UNROLL = 4;

/**
 * The loop of an elementwise kernel over the bytes [x, end): {@link UNROLL} vectors per iteration while whole groups
 * are left, then one at a time. `vector(u, l)` is the code of vector u (at byte offset 16u from the pointers) with
 * its own five v128 scratch locals l … l + 4 (independent exponentials the core can overlap: SiLU ≈ 15 % faster than
 * one vector per iteration, with the same operations on every value); `bump(bytes)` advances the output pointers.
 * Locals: `endU` an i32, scratch the v128 locals from `scratch` on (5·UNROLL of them).
 */
function unrolledLoop(
  x: number,
  end: number,
  endU: number,
  scratch: number,
  vector: (u: number, l: number) => Instr[],
  bump: (bytes: number) => Instr[],
): Instr[] {
  const group: Instr[] = [];
  for (let u = 0; u < UNROLL; u++) group.push(...vector(u, scratch + 5 * u));
  group.push(...bump(16 * UNROLL));
  const single = [...vector(0, scratch), ...bump(16)];
  const groupBytes = 16 * UNROLL;
  return [
    // endU = x + (end − x) rounded down to whole groups
    ...get(end),
    ...get(x),
    ...sub,
    ...i32(-groupBytes),
    ...and,
    ...get(x),
    ...add,
    ...set(endU),
    ...when([...get(x), ...get(endU), ...ltU], doWhile(group, advance(x, i32(groupBytes), endU))),
    ...when([...get(x), ...get(end), ...ltU], doWhile(single, advance(x, i32(16), end))),
  ];
}

/** The names of {@link unrolledLoop}'s v128 scratch locals. */
const UNROLL_SCRATCH = Array.from({ length: UNROLL }, (_, u) => EXP_SCRATCH.map((n) => `${n}${u}`)).flat();

/** silu(out, x, bytes): out = x / (1 + exp(−x)), four lanes at a time (out may equal x). */
function siluWasm(): WasmFunction {
  const [OUT, X, END, END_U] = [0, 1, 2, 3];
  const SCRATCH = 4;
  const c = constantPool(SCRATCH + 5 * UNROLL);
  const vector = (u: number, l: number): Instr[] => {
    const [V, T, NF, R, P] = [l, l + 1, l + 2, l + 3, l + 4];
    return [
      ...negExpCode(c, X, V, T, P, NF, R, 16 * u),
      ...get(OUT),
      ...get(V),
      ...get(P),
      ...c.f32(1),
      ...fadd,
      ...fdiv,
      ...vstore(16 * u),
    ];
  };
  const bump = (bytes: number) => [...get(OUT), ...i32(bytes), ...add, ...set(OUT)];
  const loop = unrolledLoop(X, END, END_U, SCRATCH, vector, bump);
  return {
    name: 'silu',
    params: ['out', 'x', 'bytes'],
    locals: [
      ['i32', ['endU']],
      ['v128', [...UNROLL_SCRATCH, ...c.names()]],
    ],
    code: [...c.init(), ...get(X), ...get(END), ...add, ...set(END), ...loop],
  };
}

/** siluGrad(out, dy, x, bytes): out = dy·s·(1 + x·(1 − s)) with s = σ(x). */
function siluGradWasm(): WasmFunction {
  const [OUT, DY, X, END] = [0, 1, 2, 3];
  const [V, T, NF, R, P] = [4, 5, 6, 7, 8];
  const c = constantPool(9);
  const body: Instr[] = [];
  body.push(...sigmoidCode(c, X, V, T, P, NF, R));
  body.push(...get(OUT), ...get(DY), ...vload(0), ...get(P), ...fmul);
  body.push(...c.f32(1), ...get(V), ...c.f32(1), ...get(P), ...fsub, ...fmul, ...fadd, ...fmul, ...vstore(0));
  body.push(...get(OUT), ...i32(16), ...add, ...set(OUT), ...get(DY), ...i32(16), ...add, ...set(DY));
  const loop = doWhile(body, advance(X, i32(16), END));
  return {
    name: 'siluGrad',
    params: ['out', 'dy', 'x', 'bytes'],
    locals: [['v128', [...EXP_SCRATCH, ...c.names()]]],
    code: [...c.init(), ...get(X), ...get(END), ...add, ...set(END), ...loop],
  };
}

/**
 * siluSig(out, sig, x, bytes): out = x·s and sig = s with s = σ(x) = 1 / (1 + exp(−x)), the forward pass under a
 * gradient tape: the saved σ lets the backward pass (siluGradSig) skip the exponential.
 */
function siluSigWasm(): WasmFunction {
  const [OUT, SIG, X, END, END_U] = [0, 1, 2, 3, 4];
  const SCRATCH = 5;
  const c = constantPool(SCRATCH + 5 * UNROLL);
  const vector = (u: number, l: number): Instr[] => {
    const [V, T, NF, R, P] = [l, l + 1, l + 2, l + 3, l + 4];
    return [
      ...sigmoidCode(c, X, V, T, P, NF, R, 16 * u),
      ...get(SIG),
      ...get(P),
      ...vstore(16 * u),
      ...get(OUT),
      ...get(V),
      ...get(P),
      ...fmul,
      ...vstore(16 * u),
    ];
  };
  const bump = (bytes: number) => [
    ...get(OUT),
    ...i32(bytes),
    ...add,
    ...set(OUT),
    ...get(SIG),
    ...i32(bytes),
    ...add,
    ...set(SIG),
  ];
  const loop = unrolledLoop(X, END, END_U, SCRATCH, vector, bump);
  return {
    name: 'siluSig',
    params: ['out', 'sig', 'x', 'bytes'],
    locals: [
      ['i32', ['endU']],
      ['v128', [...UNROLL_SCRATCH, ...c.names()]],
    ],
    code: [...c.init(), ...get(X), ...get(END), ...add, ...set(END), ...loop],
  };
}

/** siluGradSig(out, dy, y, s, bytes): out = dy·(s + y·(1 − s)), SiLU's derivative from y = silu(x) and s = σ(x). */
function siluGradSigWasm(): WasmFunction {
  const [OUT, DY, Y, S, END] = [0, 1, 2, 3, 4];
  const [P] = [5];
  const c = constantPool(6);
  const body: Instr[] = [];
  body.push(...get(S), ...vload(0), ...set(P));
  body.push(...get(OUT), ...get(DY), ...vload(0));
  body.push(
    ...get(P),
    ...get(Y),
    ...vload(0),
    ...c.f32(1),
    ...get(P),
    ...fsub,
    ...fmul,
    ...fadd,
    ...fmul,
    ...vstore(0),
  );
  for (const ptr of [OUT, DY, Y]) body.push(...get(ptr), ...i32(16), ...add, ...set(ptr));
  const loop = doWhile(body, advance(S, i32(16), END));
  return {
    name: 'siluGradSig',
    params: ['out', 'dy', 'y', 's', 'bytes'],
    locals: [['v128', ['p', ...c.names()]]],
    code: [...c.init(), ...get(S), ...get(END), ...add, ...set(END), ...loop],
  };
}

export interface SiluExports {
  silu(out: number, x: number, bytes: number): void;
  siluGrad(out: number, dy: number, x: number, bytes: number): void;
  siluSig(out: number, sig: number, x: number, bytes: number): void;
  siluGradSig(out: number, dy: number, y: number, s: number, bytes: number): void;
}

export const siluModule = kernelModule<SiluExports>(() => [
  siluWasm(),
  siluGradWasm(),
  siluSigWasm(),
  siluGradSigWasm(),
]);

// ------------------------------------------------------------------------------------------------ kernels

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

const ensureRegistered = kernelRegistration<SiluExports>([
  {
    kernelName: KERNEL_SILU,
    backends: ['cpu', 'wasm'],
    run({ inputs: { x }, storage }) {
      const out = storage.alloc(x.shape.slice(), 'float32');
      const xs = storage.read(x);
      const o = out.values;
      for (let i = 0; i < xs.length; i++) {
        const v = xs[i];
        o[i] = v / (1 + Math.exp(-v));
      }
      return out.info;
    },
  },
  {
    kernelName: KERNEL_SILU_GRAD,
    backends: ['cpu', 'wasm'],
    run({ inputs: { dy, x }, storage }) {
      const out = storage.alloc(x.shape.slice(), 'float32');
      const xs = storage.read(x);
      const dys = storage.read(dy);
      const o = out.values;
      for (let i = 0; i < xs.length; i++) {
        const v = xs[i];
        const s = sigmoid(v);
        o[i] = dys[i] * (s + v * s * (1 - s));
      }
      return out.info;
    },
  },
  {
    kernelName: KERNEL_SIMD_SILU,
    backends: ['wasm'],
    module: siluModule,
    simdOnly: true,
    run: (call) => elementwise(call, call.inputs.x, 'silu', (v) => v / (1 + Math.exp(-v))),
  },
  {
    kernelName: KERNEL_SIMD_SILU_GRAD,
    backends: ['wasm'],
    module: siluModule,
    simdOnly: true,
    run({ inputs: { dy, x }, storage, threads, parts }) {
      const out = storage.alloc(x.shape.slice(), 'float32');
      const size = out.values.length;
      const body = size & ~3;
      if (body > 0) {
        const o = (t: tf.TensorInfo) => byteOffset(storage, t);
        parts('siluGrad', elementwiseCalls([o(out.info), o(dy), o(x)], body, threads));
      }
      const xs = storage.read(x);
      const dys = storage.read(dy);
      const o = storage.read(out.info);
      for (let i = body; i < size; i++) {
        const s = sigmoid(xs[i]);
        o[i] = dys[i] * (s + xs[i] * s * (1 - s));
      }
      return out.info;
    },
  },
  {
    // [silu(x), σ(x)]: SiLU and the sigmoid its gradient needs, in one pass (under a gradient tape).
    kernelName: KERNEL_SIMD_SILU_SIG,
    backends: ['wasm'],
    module: siluModule,
    simdOnly: true,
    run({ inputs: { x }, storage, threads, parts }) {
      const out = storage.alloc(x.shape.slice(), 'float32');
      const sig = storage.alloc(x.shape.slice(), 'float32');
      const size = sizeOf(x.shape);
      const body = size & ~3;
      if (body > 0) {
        const o = (t: tf.TensorInfo) => byteOffset(storage, t);
        parts('siluSig', elementwiseCalls([o(out.info), o(sig.info), o(x)], body, threads));
      }
      const xs = storage.read(x);
      const o = storage.read(out.info);
      const sg = storage.read(sig.info);
      for (let i = body; i < size; i++) {
        sg[i] = sigmoid(xs[i]);
        o[i] = xs[i] * sg[i];
      }
      return [out.info, sig.info];
    },
  },
  {
    // SiLU's input gradient dy·(s + y·(1 − s)) from its output y and the saved sigmoid s: no exponential.
    kernelName: KERNEL_SIMD_SILU_GRAD_SIG,
    backends: ['wasm'],
    module: siluModule,
    simdOnly: true,
    run({ inputs: { dy, y, s }, storage, threads, parts }) {
      const out = storage.alloc(y.shape.slice(), 'float32');
      const size = out.values.length;
      const body = size & ~3;
      if (body > 0) {
        const o = (t: tf.TensorInfo) => byteOffset(storage, t);
        parts('siluGradSig', elementwiseCalls([o(out.info), o(dy), o(y), o(s)], body, threads));
      }
      const dys = storage.read(dy);
      const ys = storage.read(y);
      const ss = storage.read(s);
      const o = storage.read(out.info);
      for (let i = body; i < size; i++) o[i] = dys[i] * (ss[i] + ys[i] * (1 - ss[i]));
      return out.info;
    },
  },
]);

// ------------------------------------------------------------------------------------------------ gradient and op

const siluGrad = customGrad((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  // On wasm, one pass of our SIMD kernel on tfjs's heap (tfjs's own sigmoid + multiply are two passes forward and six
  // backward). On cpu the plain loop beats tfjs-cpu's generic elementwise ops.
  if (hasWasmSimd()) {
    ensureRegistered();
    return {
      value: tf.engine().runKernel(KERNEL_SIMD_SILU, { x }, {}) as tf.Tensor,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        tf.engine().runKernel(KERNEL_SIMD_SILU_GRAD, { dy: dy as tf.Tensor, x: saved[0] }, {}) as tf.Tensor,
    };
  }
  if (tf.getBackend() === 'cpu') {
    ensureRegistered();
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
  ensureRegistered();
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
