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
  load32Splat,
  mul,
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
import { byteOffset, elementwise, rowRanges } from './storage.js';

export const KERNEL_SIMD_EXP = 'CrysSimdExp';
export const KERNEL_SIMD_GAUSSIAN = 'CrysSimdGaussian';

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

/** Code for `V = x[X + offset]` (four lanes) and `P = exp(−V)`; T, NF and R are scratch (SiLU and the sigmoid). */
export function negExpCode(
  c: ConstantPool,
  X: number,
  V: number,
  T: number,
  P: number,
  NF: number,
  R: number,
  offset = 0,
): Instr[] {
  return [
    ...get(X),
    ...vload(offset),
    ...set(V),
    ...c.f32(0),
    ...get(V),
    ...fsub,
    ...set(T),
    ...expCode(c, T, P, NF, R),
  ];
}

/** Code for `V = x[X + offset]` (four lanes) and `P = σ(V) = 1 / (1 + exp(−V))`; T, NF and R are scratch. */
export function sigmoidCode(
  c: ConstantPool,
  X: number,
  V: number,
  T: number,
  P: number,
  NF: number,
  R: number,
  offset = 0,
): Instr[] {
  return [
    ...negExpCode(c, X, V, T, P, NF, R, offset),
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
 * Code storing `P = exp(V)` (from {@link expCode}) at `OUT`: 0 where V < −87 (true values are below 1.7·10⁻³⁸), +∞
 * where V > 88; NaN stays NaN. P is overwritten.
 */
function storeExpCode(c: ConstantPool, OUT: number, V: number, P: number): Instr[] {
  return [
    ...get(P),
    ...get(V),
    ...c.f32(-87),
    ...flt,
    ...vandnot,
    ...set(P),
    ...get(OUT),
    ...c.f32(Number.POSITIVE_INFINITY),
    ...get(P),
    ...get(V),
    ...c.f32(88),
    ...fgt,
    ...vbitselect,
    ...vstore(0),
  ];
}

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
  body.push(...expCode(c, T, P, NF, R), ...storeExpCode(c, OUT, V, P));
  body.push(...get(OUT), ...i32(16), ...add, ...set(OUT));
  const loop = doWhile(body, advance(X, i32(16), END));
  return {
    name: 'exp',
    params: ['out', 'x', 'bytes'],
    locals: [['v128', [...EXP_SCRATCH, ...c.names()]]],
    code: [...c.init(), ...get(X), ...get(END), ...add, ...set(END), ...loop],
  };
}

/**
 * gaussian(out, d, mu, c, rows, kBytes): out[e, k] = exp(((d[e] − mu[k])²)·c) for e < rows and the K = kBytes / 4
 * centres mu (K % 4 = 0), c read from its pointer: the radial Gaussian basis in one pass, every value the float32
 * chain `tf.sub`, `tf.square`, `tf.mul`, then the exp kernel above (its flush below −87 and overflow above 88 included).
 */
function gaussianWasm(): WasmFunction {
  const [OUT, D, MU, C, ROWS, KB] = [0, 1, 2, 3, 4, 5];
  const [E, J] = [6, 7];
  const [DS, CV, V, T, NF, R, P] = [8, 9, 10, 11, 12, 13, 14];
  const c = constantPool(15);
  const inner: Instr[] = [];
  inner.push(...get(DS), ...get(MU), ...get(J), ...add, ...vload(0), ...fsub, ...set(V));
  inner.push(...get(V), ...get(V), ...fmul, ...get(CV), ...fmul, ...set(V), ...get(V), ...set(T));
  inner.push(...expCode(c, T, P, NF, R), ...storeExpCode(c, OUT, V, P));
  inner.push(...get(OUT), ...i32(16), ...add, ...set(OUT));
  const row: Instr[] = [...get(D), ...get(E), ...i32(4), ...mul, ...add, ...load32Splat(0), ...set(DS)];
  row.push(...i32(0), ...set(J), ...doWhile(inner, advance(J, i32(16), KB)));
  return {
    name: 'gaussian',
    params: ['out', 'd', 'mu', 'c', 'rows', 'kBytes'],
    locals: [
      ['i32', ['e', 'j']],
      ['v128', ['ds', 'cv', 'v', 't', 'nf', 'r', 'p', ...c.names()]],
    ],
    code: [
      ...c.init(),
      ...get(C),
      ...load32Splat(0),
      ...set(CV),
      ...i32(0),
      ...set(E),
      ...doWhile(row, advance(E, i32(1), ROWS)),
    ],
  };
}

interface ExpExports {
  exp(out: number, x: number, bytes: number): void;
  gaussian(out: number, d: number, mu: number, c: number, rows: number, kBytes: number): void;
}

export const expModule = kernelModule<ExpExports>(() => [expWasm(), gaussianWasm()]);

// ------------------------------------------------------------------------------------------------ kernel

const ensureRegistered = kernelRegistration<ExpExports>([
  {
    // exp(((d − mu)²)·c) for d `[E]`, mu `[K]` (K % 4 = 0) and c `[1]`: `[E, K]`, rows split across the kernel threads.
    kernelName: KERNEL_SIMD_GAUSSIAN,
    backends: ['wasm'],
    module: expModule,
    simdOnly: true,
    run({ inputs: { d, mu, c }, storage, threads, parts }) {
      const E = d.shape[0];
      const K = mu.shape[0];
      const out = storage.alloc([E, K], 'float32');
      if (E > 0) {
        const [o, dp, mp, cp] = [out.info, d, mu, c].map((t) => byteOffset(storage, t));
        const ranges = rowRanges(E, 4 * E * K, threads);
        parts(
          'gaussian',
          ranges.map(([e0, e1]) => [o + 4 * e0 * K, dp + 4 * e0, mp, cp, e1 - e0, 4 * K]),
        );
      }
      return out.info;
    },
  },
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

/** The Gaussian basis's gradient as the chain of tfjs ops computes it (d: Σ_k of dy·y·c·2(d − mu); mu: its negative). */
function ensureGaussianGradientRegistered(): void {
  if (tf.getGradient(KERNEL_SIMD_GAUSSIAN) !== undefined) return;
  tf.registerGradient({
    kernelName: KERNEL_SIMD_GAUSSIAN,
    inputsToSave: ['d', 'mu', 'c'],
    outputsToSave: [true],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [d, mu, c, y] = saved;
      const K = mu.shape[0];
      const inner = () => {
        const diff = tf.sub(tf.reshape(d, [-1, 1]), tf.reshape(mu, [1, K]));
        return tf.mul(tf.mul(tf.mul(dy as tf.Tensor, y), c), tf.mul(diff, 2));
      };
      return {
        d: () => tf.tidy(() => tf.reshape(tf.sum(inner(), 1), d.shape)),
        mu: () => tf.tidy(() => tf.neg(tf.sum(inner(), 0))),
        c: () => tf.zerosLike(c),
      };
    },
  });
}

/**
 * The Gaussian radial basis `exp(−γ(d − μ_k)²)` `[E, K]` of distances `[E]` (float32) at centres μ_k = k·step: on
 * wasm with SIMD and K % 4 = 0 one pass of our kernel (four tfjs ops before: ≈ 0.5 ms of a perov_5 batch), bit for
 * bit `exp(tf.mul(tf.square(tf.sub(d, μ)), −γ))` with {@link exp}, and differentiable in d; that chain elsewhere.
 * Internal: GaussianBasis uses it.
 */
export function gaussianBasis(distances: tf.Tensor1D, size: number, step: number, gamma: number): tf.Tensor2D {
  return tf.tidy(() => {
    const mu = tf.mul(tf.range(0, size, 1, 'float32'), step) as tf.Tensor1D;
    if (!(size % 4 === 0 && distances.dtype === 'float32' && hasWasmSimd())) {
      const diff = tf.sub(tf.reshape(distances, [-1, 1]), tf.reshape(mu, [1, size]));
      return exp(tf.mul(tf.square(diff), -gamma)) as tf.Tensor2D;
    }
    ensureRegistered();
    ensureGaussianGradientRegistered();
    const c = tf.tensor1d([-gamma], 'float32');
    return tf.engine().runKernel(KERNEL_SIMD_GAUSSIAN, { d: distances, mu, c }, {}) as tf.Tensor2D;
  });
}
