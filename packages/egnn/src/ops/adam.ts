// adamUpdate: one Adam step of a weight in one pass, m ← β₁m + (1 − β₁)·cg, v ← β₂v + (1 − β₂)·(cg)²,
// w ← w − s·m/(√v + ε) (c scales the gradient, e.g. a clip factor; s is the step size with Adam's bias corrections
// folded in). Each value takes exactly the float32 operations, in the same order, that the op-by-op update with tfjs
// ops takes (the updates are bit-for-bit those of `tf.mul`, `tf.add`, `tf.sqrt`, `tf.div` and `tf.sub` in that
// order), but a training step of a 51-weight network makes one kernel call (adamUpdateAll) instead of ~560. Kernel:
// a SIMD loop on wasm (one part per weight across the kernel threads), a float32-rounded loop on cpu; tfjs ops
// elsewhere.
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import {
  doWhile,
  fadd,
  fdiv,
  fmul,
  fsqrt,
  fsub,
  get,
  i32,
  type Instr,
  load32Splat,
  set,
  vload,
  vstore,
  type WasmFunction,
} from '../wasm/assembler.js';
import { advance, plus } from '../wasm/fragments.js';
import { kernelModule } from '../wasm/instance.js';
import { MAX_PARTS } from '../wasm/threads.js';
import { hasLoopKernels, kernelRegistration } from './kernel-registry.js';
import { describeTensor } from './op-utils.js';
import { byteOffset, sizeOf } from './storage.js';

export const KERNEL_ADAM = 'CrysAdam';

/** The constants of one Adam step (see {@link adamUpdate}). */
export interface AdamStep {
  /** s: the learning rate with the bias corrections folded in, lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ). */
  readonly stepSize: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** c: the factor the gradient is multiplied by first (a clip factor); default 1. */
  readonly gradScale?: number;
}

// Slots of the constants vector the kernel reads (float32): c, β₁, 1 − β₁, β₂, 1 − β₂, ε, s.
const [C, B1, NB1, B2, NB2, EPS, S] = [0, 1, 2, 3, 4, 5, 6];

// ------------------------------------------------------------------------------------------------ wasm

/**
 * adam(w, m, v, g, ow, om, ov, k, bytes): the update of `bytes` bytes of float32 values (a multiple of 16), reading
 * the constants at k; outputs ow, om, ov.
 */
function adamWasm(): WasmFunction {
  const [W, M, V, G, OW, OM, OV, K, END] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [O] = [9];
  const [GS, MV, VV, KC, KB1, KNB1, KB2, KNB2, KEPS, KS] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
  const init: Instr[] = [];
  for (const [local, slot] of [
    [KC, C],
    [KB1, B1],
    [KNB1, NB1],
    [KB2, B2],
    [KNB2, NB2],
    [KEPS, EPS],
    [KS, S],
  ]) {
    init.push(...get(K), ...load32Splat(4 * slot), ...set(local));
  }
  const body: Instr[] = [
    // g = g·c
    ...plus(G, O),
    ...vload(0),
    ...get(KC),
    ...fmul,
    ...set(GS),
    // m = m·β₁ + g·(1 − β₁)
    ...plus(M, O),
    ...vload(0),
    ...get(KB1),
    ...fmul,
    ...get(GS),
    ...get(KNB1),
    ...fmul,
    ...fadd,
    ...set(MV),
    ...plus(OM, O),
    ...get(MV),
    ...vstore(0),
    // v = v·β₂ + (g·g)·(1 − β₂)
    ...plus(V, O),
    ...vload(0),
    ...get(KB2),
    ...fmul,
    ...get(GS),
    ...get(GS),
    ...fmul,
    ...get(KNB2),
    ...fmul,
    ...fadd,
    ...set(VV),
    ...plus(OV, O),
    ...get(VV),
    ...vstore(0),
    // w = w − (m / (√v + ε))·s
    ...plus(OW, O),
    ...plus(W, O),
    ...vload(0),
    ...get(MV),
    ...get(VV),
    ...fsqrt,
    ...get(KEPS),
    ...fadd,
    ...fdiv,
    ...get(KS),
    ...fmul,
    ...fsub,
    ...vstore(0),
  ];
  return {
    name: 'adam',
    params: ['w', 'm', 'v', 'g', 'ow', 'om', 'ov', 'k', 'bytes'],
    locals: [
      ['i32', ['o']],
      ['v128', ['gs', 'mv', 'vv', 'c', 'beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'epsilon', 'step']],
    ],
    code: [...init, ...i32(0), ...set(O), ...doWhile(body, advance(O, i32(16), END))],
  };
}

interface AdamExports {
  adam(w: number, m: number, v: number, g: number, ow: number, om: number, ov: number, k: number, bytes: number): void;
}

export const adamModule = kernelModule<AdamExports>(() => [adamWasm()]);

// ------------------------------------------------------------------------------------------------ kernel

/** The update of values [from, to) in float32 arithmetic, one rounding per operation (as tfjs's ops round). */
function adamLoop(
  w: ArrayLike<number>,
  m: ArrayLike<number>,
  v: ArrayLike<number>,
  g: ArrayLike<number>,
  ow: Float32Array,
  om: Float32Array,
  ov: Float32Array,
  k: ArrayLike<number>,
  from: number,
  to: number,
): void {
  const f = Math.fround;
  for (let i = from; i < to; i++) {
    const gs = f(g[i] * k[C]);
    const mi = f(f(m[i] * k[B1]) + f(gs * k[NB1]));
    const vi = f(f(v[i] * k[B2]) + f(f(gs * gs) * k[NB2]));
    om[i] = mi;
    ov[i] = vi;
    ow[i] = f(w[i] - f(f(mi / f(f(Math.sqrt(vi)) + k[EPS])) * k[S]));
  }
}

const ensureRegistered = kernelRegistration<AdamExports>([
  {
    // Inputs w0, m0, v0, g0, w1, … for `count` weights (attrs.count) and the constants k; outputs the new w, m and v of
    // each weight in turn. One call for all the weights of a network (≈ 15 µs of tfjs bookkeeping per call saved).
    kernelName: KERNEL_ADAM,
    backends: ['cpu', 'wasm'],
    module: adamModule,
    run({ inputs, attrs, storage, simd, parts }) {
      const count = attrs.count as number;
      const k = inputs.k;
      const outs: tf.TensorInfo[] = [];
      for (let i = 0; i < count; i++) {
        const shape = inputs[`w${i}`].shape.slice();
        for (let j = 0; j < 3; j++) outs.push(storage.alloc(shape, 'float32').info);
      }
      // The SIMD loops, one part per weight (the kernel threads take weights, MAX_PARTS at a time); the last size % 4
      // values of a weight here (memory no part writes).
      const calls: number[][] = [];
      for (let i = 0; i < count; i++) {
        const [w, m, v, g] = ['w', 'm', 'v', 'g'].map((n) => inputs[`${n}${i}`]);
        const [ow, om, ov] = outs.slice(3 * i, 3 * i + 3);
        const size = sizeOf(w.shape);
        const body = simd ? size & ~3 : 0;
        if (body > 0) calls.push([w, m, v, g, ow, om, ov, k].map((t) => byteOffset(storage, t)).concat(4 * body));
        if (body < size) {
          const r = (t: tf.TensorInfo) => storage.read(t);
          const f32 = (t: tf.TensorInfo) => storage.read(t) as Float32Array;
          adamLoop(r(w), r(m), r(v), r(g), f32(ow), f32(om), f32(ov), r(k), body, size);
        }
      }
      for (let c = 0; c < calls.length; c += MAX_PARTS) parts('adam', calls.slice(c, c + MAX_PARTS));
      return outs;
    },
  },
]);

// ------------------------------------------------------------------------------------------------ op

/**
 * One Adam step of weight `w` with moments `m`, `v` from gradient `g`: assigns the new values to the three variables.
 * Bit-for-bit the op-by-op update
 * `m.assign(m·β₁ + (g·c)·(1 − β₁))`, `v.assign(v·β₂ + (g·c)²·(1 − β₂))`, `w.assign(w − (m / (√v + ε))·s)` in float32
 * (constants rounded to float32), in one kernel call on cpu and wasm (a SIMD loop) instead of eleven. For all the
 * weights of a network at once, see {@link adamUpdateAll}.
 *
 * @param w - the weight (float32 variable).
 * @param m - its first moment, shaped like it.
 * @param v - its second moment, shaped like it.
 * @param g - its gradient, shaped like it.
 * @param step - step size s, β₁, β₂, ε and the gradient scale c.
 * @example
 * ```ts
 * adamUpdate(w, m, v, grad, { stepSize: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
 * ```
 */
export function adamUpdate(w: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor, step: AdamStep): void {
  update('adamUpdate', [{ w, m, v, g }], step, (name) => name);
}

/** One weight of {@link adamUpdateAll}: the weight, its two moments and its gradient. */
export interface AdamSlot {
  readonly w: tf.Variable;
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  readonly g: tf.Tensor;
}

/**
 * {@link adamUpdate} of every weight in `slots` with the same constants, in one kernel call on cpu and wasm (a
 * network's 51 weights: one call instead of 51). Each weight's values are bit-for-bit those of `adamUpdate`.
 *
 * @param slots - the weights, each with its moments and gradient (float32, shaped like the weight).
 * @param step - step size s, β₁, β₂, ε and the gradient scale c.
 * @example
 * ```ts
 * adamUpdateAll([{ w, m, v, g: grad }], { stepSize: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
 * ```
 */
export function adamUpdateAll(slots: readonly AdamSlot[], step: AdamStep): void {
  if (!Array.isArray(slots)) {
    throw new InvalidArgumentError(
      'adamUpdateAll',
      'slots',
      `must be an array of { w, m, v, g }, got ${String(slots)}`,
    );
  }
  update('adamUpdateAll', slots, step, (name, i) => `slots[${i}].${name}`);
}

function update(
  fn: string,
  slots: readonly AdamSlot[],
  step: AdamStep,
  argName: (name: string, i: number) => string,
): void {
  slots.forEach((slot, i) => {
    const w = slot?.w;
    if (!(w instanceof tf.Variable) || w.dtype !== 'float32') {
      throw new InvalidArgumentError(
        fn,
        argName('w', i),
        `must be a float32 variable, got ${w instanceof tf.Tensor ? describeTensor(w) : String(w)}`,
        w,
      );
    }
    for (const name of ['m', 'v', 'g'] as const) {
      const t = slot[name];
      if (!(t instanceof tf.Tensor) || t.dtype !== 'float32' || !tf.util.arraysEqual(t.shape, w.shape)) {
        throw new InvalidArgumentError(
          fn,
          argName(name, i),
          `must be a float32 tensor of shape [${w.shape.join(', ')}], got ${t instanceof tf.Tensor ? describeTensor(t) : String(t)}`,
          t,
        );
      }
    }
  });
  for (const key of ['stepSize', 'beta1', 'beta2', 'epsilon', 'gradScale'] as const) {
    const x = step[key];
    if (!(key === 'gradScale' && x === undefined) && !Number.isFinite(x)) {
      throw new InvalidArgumentError(fn, `step.${key}`, `must be a finite number, got ${x}`, x);
    }
  }
  if (slots.length === 0) return;
  const { stepSize: s, beta1: b1, beta2: b2, epsilon: eps, gradScale: c = 1 } = step;
  if (!hasLoopKernels()) {
    tf.tidy(() => {
      for (const { w, m, v, g } of slots) {
        const gs = tf.mul(g, c);
        m.assign(tf.add(tf.mul(m, b1), tf.mul(gs, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(gs), 1 - b2)));
        w.assign(tf.sub(w, tf.mul(tf.div(m, tf.add(tf.sqrt(v), eps)), s)));
      }
    });
    return;
  }
  ensureRegistered();
  tf.tidy(() => {
    const inputs: Record<string, tf.Tensor> = { k: tf.tensor1d([c, b1, 1 - b1, b2, 1 - b2, eps, s, 0], 'float32') };
    slots.forEach(({ w, m, v, g }, i) => {
      inputs[`w${i}`] = w;
      inputs[`m${i}`] = m;
      inputs[`v${i}`] = v;
      inputs[`g${i}`] = g;
    });
    const attrs = { count: slots.length } as unknown as tf.NamedAttrMap;
    const out = tf.engine().runKernel(KERNEL_ADAM, inputs as tf.NamedTensorMap, attrs) as tf.Tensor[];
    slots.forEach(({ w, m, v }, i) => {
      m.assign(out[3 * i + 1]);
      v.assign(out[3 * i + 2]);
      w.assign(out[3 * i]);
    });
  });
}
