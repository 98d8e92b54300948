// exp: `eˣ` elementwise. Kernel: a SIMD loop on wasm (tfjs-backend-wasm's Exp is scalar); `tf.exp` elsewhere.
// Gradient: `dy·eˣ` from the saved output. The exponential's code is shared with SiLU (silu.ts).
import * as tf from '@tensorflow/tfjs';
import {
  add,
  doWhile,
  fadd,
  fdiv,
  fgt,
  flt,
  fmul,
  fsub,
  get,
  i32,
  iadd,
  type Instr,
  ishl,
  pmax,
  pmin,
  set,
  vandnot,
  vbitselect,
  vload,
  vstore,
  type WasmFunction,
} from '../wasm/assembler.js';
import { advance, type ConstantPool, constantPool } from '../wasm/fragments.js';
import { kernelModule } from '../wasm/instance.js';
import { hasWasmSimd, kernelRegistration } from './kernel-registry.js';
import { customGrad } from './op-utils.js';
import { elementwise } from './storage.js';

export const KERNEL_SIMD_EXP = 'CrysSimdExp';

// ------------------------------------------------------------------------------------------------ wasm

/**
 * Code for `P = exp(T)` on v128 locals (NF and R are scratch; T is overwritten): exp(t) = 2ⁿ·p(r), r = t − n·ln2, n =
 * round(t·log₂e) (ln2 split in two for float32 accuracy), p Cephes' `expf` polynomial (≈1 ulp on |r| ≤ ln2/2). The
 * rounding adds 1.5·2²³ so the integer n lands in the low mantissa bits, which also give 2ⁿ's exponent bits directly.
 * t is clamped to [−87, 88] first, so 2ⁿ stays a normal float.
 */
export function expCode(c: ConstantPool, T: number, P: number, NF: number, R: number): Instr[] {
  const MAGIC = 12582912; // 1.5·2²³
  const o: Instr[] = [];
  o.push(...get(T), ...c.f32(-87), ...pmax, ...c.f32(88), ...pmin, ...set(T));
  // NF = t·log₂e + MAGIC (bits: MAGIC's + n); P (as bits) = n << 23 + bits(1.0) = 2ⁿ
  o.push(...get(T), ...c.f32(Math.LOG2E), ...fmul, ...c.f32(MAGIC), ...fadd, ...set(NF));
  o.push(...get(NF), ...i32(23), ...ishl, ...c.i32(0x3f800000), ...iadd, ...set(P));
  o.push(...get(NF), ...c.f32(MAGIC), ...fsub, ...set(NF));
  o.push(...get(T), ...get(NF), ...c.f32(0.693359375), ...fmul, ...fsub);
  o.push(...get(NF), ...c.f32(-2.1219444e-4), ...fmul, ...fsub, ...set(R));
  // q = c0 r⁵ + c1 r⁴ + … + c5 in Estrin's form (c4 r + c5) + r²(c2 r + c3) + r⁴(c0 r + c1), three short chains
  // instead of Horner's five dependent steps (the kernel is latency-bound); e^r = 1 + r + q r². NF = r², T = r⁴.
  const coef = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
  const pair = (hi: number, lo: number) => [...get(R), ...c.f32(hi), ...fmul, ...c.f32(lo), ...fadd];
  o.push(...get(R), ...get(R), ...fmul, ...set(NF), ...get(NF), ...get(NF), ...fmul, ...set(T));
  o.push(...pair(coef[4], coef[5]), ...get(NF), ...pair(coef[2], coef[3]), ...fmul, ...fadd);
  o.push(...get(T), ...pair(coef[0], coef[1]), ...fmul, ...fadd);
  o.push(...get(NF), ...fmul, ...get(R), ...c.f32(1), ...fadd, ...fadd);
  o.push(...get(P), ...fmul, ...set(P));
  return o;
}

/** Code for `V = x[X]` (four lanes) and `P = σ(V) = 1 / (1 + exp(−V))`; T, NF and R are scratch. */
export function sigmoidCode(
  c: ConstantPool,
  X: number,
  V: number,
  T: number,
  P: number,
  NF: number,
  R: number,
): Instr[] {
  return [
    ...get(X),
    ...vload(0),
    ...set(V),
    ...c.f32(0),
    ...get(V),
    ...fsub,
    ...set(T),
    ...expCode(c, T, P, NF, R),
    ...c.f32(1),
    ...get(P),
    ...c.f32(1),
    ...fadd,
    ...fdiv,
    ...set(P),
  ];
}

/** The v128 scratch locals of {@link expCode} and {@link sigmoidCode}, after the pointer locals. */
export const EXP_SCRATCH = ['v', 't', 'nf', 'r', 'p'];

/**
 * exp(out, x, bytes): out = eˣ, four lanes at a time (≈ 1 ulp). Below −87 it flushes to 0 (true values are below
 * 1.7·10⁻³⁸, subnormal from −87.3), above 88 it gives +∞ (slightly early: eˣ is finite up to 88.72); NaN stays NaN.
 */
function expWasm(): WasmFunction {
  const [OUT, X, END] = [0, 1, 2];
  const [V, T, NF, R, P] = [3, 4, 5, 6, 7];
  const c = constantPool(8);
  const body: Instr[] = [];
  body.push(...get(X), ...vload(0), ...set(V), ...get(V), ...set(T));
  body.push(...expCode(c, T, P, NF, R));
  body.push(...get(P), ...get(V), ...c.f32(-87), ...flt, ...vandnot, ...set(P));
  body.push(...get(OUT), ...c.f32(Number.POSITIVE_INFINITY), ...get(P), ...get(V), ...c.f32(88), ...fgt, ...vbitselect);
  body.push(...vstore(0), ...get(OUT), ...i32(16), ...add, ...set(OUT));
  const loop = doWhile(body, advance(X, i32(16), END));
  return {
    name: 'exp',
    params: ['out', 'x', 'bytes'],
    locals: [['v128', [...EXP_SCRATCH, ...c.names()]]],
    code: [...c.init(), ...get(X), ...get(END), ...add, ...set(END), ...loop],
  };
}

interface ExpExports {
  exp(out: number, x: number, bytes: number): void;
}

export const expModule = kernelModule<ExpExports>(() => [expWasm()]);

// ------------------------------------------------------------------------------------------------ kernel

const ensureRegistered = kernelRegistration<ExpExports>([
  {
    kernelName: KERNEL_SIMD_EXP,
    backends: ['wasm'],
    module: expModule,
    simdOnly: true,
    // The tail (size % 4 values) flushes and overflows as the SIMD loop does.
    run: (call) =>
      elementwise(call, call.inputs.x, 'exp', (v) => (v < -87 ? 0 : v > 88 ? Number.POSITIVE_INFINITY : Math.exp(v))),
  },
]);

// ------------------------------------------------------------------------------------------------ gradient and op

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
  ensureRegistered();
  return expGrad(x) as T;
}
