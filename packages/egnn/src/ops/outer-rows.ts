// outerRows: `out[e, 3c + k] = a[e, c] · b[e, k]` for a `[E, C]` and b `[E, 3]`, each edge's channel coefficients
// times its unit vector (VectorChannels). Bit-for-bit `tf.reshape(tf.mul(tf.reshape(a, [E, C, 1]),
// tf.reshape(b, [E, 1, 3])), [E, 3C])` and its gradients, in one pass over plain loops (cpu and wasm): tfjs-backend-wasm's
// broadcasting multiply took ≈ 3 ms per call on a 12 000-edge batch, and its gradient as much again, ≈ 20 % of a
// structure model's training step. The gradient of a is a kernel too on wasm (tfjs ops on cpu, whose sum adds in
// another order); b's (unit vectors hold no weights) is computed by tfjs ops only when asked for.
import * as tf from '@tensorflow/tfjs';
import { hasLoopKernels, kernelRegistration } from './kernel-registry.js';

export const KERNEL_OUTER_ROWS = 'CrysOuterRows';
export const KERNEL_OUTER_ROWS_GRAD = 'CrysOuterRowsGrad';

const ensureRegistered = kernelRegistration<never>([
  {
    kernelName: KERNEL_OUTER_ROWS,
    backends: ['cpu', 'wasm'],
    run({ inputs: { a, b }, storage }) {
      const [E, C] = a.shape;
      const out = storage.alloc([E, 3 * C], 'float32');
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
    run({ inputs: { dy, b }, storage }) {
      const [E, C3] = dy.shape;
      const C = C3 / 3;
      const out = storage.alloc([E, C], 'float32');
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
