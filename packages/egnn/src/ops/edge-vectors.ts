// edgeVectorsKernel: `r_e = (frac[dst] + image − frac[src]) · L[crystal(e)]` in one pass over the edges (cpu and wasm),
// float32 value by value as graph-tensors.ts's chain of tfjs ops computes it: d_k = (fd_k + img_k) − fs_k, the
// products d_k·L_kj, and their sum over k from zero in order, ((0 + p₀ⱼ) + p₁ⱼ) + p₂ⱼ (the backend's Sum). JavaScript numbers
// are doubles, and a float32 sum, difference or product computed in double and rounded once (Math.fround) is the
// float32 result itself (53 ≥ 2·24 + 2 bits). The chain's broadcasting multiply and its sum over an inner axis took
// ≈ 0.7 ms of a perov_5 batch (12 058 edges) on wasm; this loop ≈ 0.1 ms. Gradient: registered with tfjs (in tfjs
// ops, computed only for the inputs a backward pass reaches: a training step, whose coordinates are no variables,
// never computes it).
import * as tf from '@tensorflow/tfjs';
import { gatherRows } from './gather-rows.js';
import { checkIndices, type KernelCall, kernelRegistration } from './kernel-registry.js';
import { segmentSum } from './segment-sum.js';

export const KERNEL_EDGE_VECTORS = 'CrysEdgeVectors';

const f = Math.fround;

/**
 * The kernel on one backend. Its sum over k is the backend's Sum: float32 at every step on wasm (tfjs-backend-wasm
 * adds in float), in double and rounded once on cpu (tfjs-backend-cpu adds JavaScript numbers).
 */
const edgeVectorsOn = (backend: 'cpu' | 'wasm') => ({
  kernelName: KERNEL_EDGE_VECTORS,
  backends: [backend],
  run({ inputs: { fracCoords, lattices, src, dst, image, edgeCrystalIndex }, storage }: KernelCall<never>) {
    const E = src.shape[0];
    const N = fracCoords.shape[0];
    const B = lattices.shape[0];
    const out = storage.alloc([E, 3], 'float32');
    const fr = storage.read(fracCoords);
    const L = storage.read(lattices);
    const is = storage.read(src) as Int32Array;
    const id = storage.read(dst) as Int32Array;
    const ic = storage.read(edgeCrystalIndex) as Int32Array;
    const img = storage.read(image);
    checkIndices('edgeVectors', 'dst', id, N, dst.dataId);
    checkIndices('edgeVectors', 'src', is, N, src.dataId);
    checkIndices('edgeVectors', 'edgeCrystalIndex', ic, B, edgeCrystalIndex.dataId);
    const g = backend === 'wasm' ? f : (v: number) => v;
    const o = storage.read(out.info);
    for (let e = 0; e < E; e++) {
      const s = 3 * is[e];
      const t = 3 * id[e];
      const l = 9 * ic[e];
      const d0 = f(f(fr[t] + img[3 * e]) - fr[s]);
      const d1 = f(f(fr[t + 1] + img[3 * e + 1]) - fr[s + 1]);
      const d2 = f(f(fr[t + 2] + img[3 * e + 2]) - fr[s + 2]);
      for (let j = 0; j < 3; j++) {
        o[3 * e + j] = f(g(g(0 + f(d0 * L[l + j])) + f(d1 * L[l + 3 + j])) + f(d2 * L[l + 6 + j]));
      }
    }
    return out.info;
  },
});

const registerKernels = kernelRegistration<never>([edgeVectorsOn('cpu'), edgeVectorsOn('wasm')]);

/**
 * The kernel's gradient, for dy `[E, 3]`: with d_e = frac[dst] + image − frac[src] and r_e = d_e·L_e,
 * ∂/∂d_e = dy_e·L_eᵀ (to frac[dst] and image with +, to frac[src] with −) and ∂/∂L_b = Σ_{e in b} d_eᵀ·dy_e.
 */
function ensureRegistered(): void {
  registerKernels();
  if (tf.getGradient(KERNEL_EDGE_VECTORS) !== undefined) return;
  tf.registerGradient({
    kernelName: KERNEL_EDGE_VECTORS,
    inputsToSave: ['fracCoords', 'lattices', 'src', 'dst', 'image', 'edgeCrystalIndex'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [frac, lattices, src, dst, image, crystal] = saved as [
        tf.Tensor2D,
        tf.Tensor3D,
        tf.Tensor1D,
        tf.Tensor1D,
        tf.Tensor2D,
        tf.Tensor1D,
      ];
      const E = src.shape[0];
      // ∂/∂d `[E, 3]`: Σ_j dy[e, j]·L[e, k, j]
      const dd = () => tf.sum(tf.mul(tf.reshape(g, [E, 1, 3]), gatherRows(lattices, crystal)), 2) as tf.Tensor2D;
      return {
        fracCoords: () =>
          tf.tidy(() => {
            const d = dd();
            const N = frac.shape[0];
            return tf.sub(segmentSum(d, dst, N), segmentSum(d, src, N));
          }),
        lattices: () =>
          tf.tidy(() => {
            const fd = tf.cast(image, 'float32');
            const d = tf.sub(tf.add(gatherRows(frac, dst), fd), gatherRows(frac, src));
            const outer = tf.reshape(tf.mul(tf.reshape(d, [E, 3, 1]), tf.reshape(g, [E, 1, 3])), [E, 9]) as tf.Tensor2D;
            return tf.reshape(segmentSum(outer, crystal, lattices.shape[0]), lattices.shape);
          }),
        image: () => (image.dtype === 'float32' ? dd() : tf.zerosLike(image)),
        src: () => tf.zerosLike(src),
        dst: () => tf.zerosLike(dst),
        edgeCrystalIndex: () => tf.zerosLike(crystal),
      };
    },
  });
}

/** The kernel's result (float32 inputs and int32 indices, checked by the caller; indices checked here). */
export function edgeVectorsKernel(
  fracCoords: tf.Tensor2D,
  lattices: tf.Tensor3D,
  src: tf.Tensor1D,
  dst: tf.Tensor1D,
  image: tf.Tensor2D,
  edgeCrystalIndex: tf.Tensor1D,
): tf.Tensor2D {
  ensureRegistered();
  return tf
    .engine()
    .runKernel(KERNEL_EDGE_VECTORS, { fracCoords, lattices, src, dst, image, edgeCrystalIndex }, {}) as tf.Tensor2D;
}
