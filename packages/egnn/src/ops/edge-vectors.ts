// edgeVectorsKernel: `r_e = (frac[dst] + image − frac[src]) · L[crystal(e)]` in one pass over the edges (cpu and wasm),
// float32 value by value as graph-tensors.ts's chain of tfjs ops computes it: d_k = (fd_k + img_k) − fs_k, the
// products d_k·L_kj, and their sum over k from zero in order, ((0 + p₀ⱼ) + p₁ⱼ) + p₂ⱼ (the backend's Sum). JavaScript numbers
// are doubles, and a float32 sum, difference or product computed in double and rounded once (Math.fround) is the
// float32 result itself (53 ≥ 2·24 + 2 bits). The chain's broadcasting multiply and its sum over an inner axis took
// ≈ 0.7 ms of a perov_5 batch (12 058 edges) on wasm, the JavaScript loop ≈ 0.2 ms, and on wasm (float32 images) the
// same operations in scalar WebAssembly split across the kernel threads ≈ 0.03 ms. Gradient: registered with tfjs (in tfjs
// ops, computed only for the inputs a backward pass reaches: a training step, whose coordinates are no variables,
// never computes it).
import * as tf from '@tensorflow/tfjs';
import {
  add,
  f32add,
  f32load,
  f32mul,
  f32store,
  f32sub,
  get,
  i32,
  i32load,
  type Instr,
  mul,
  set,
  type WasmFunction,
} from '../wasm/assembler.js';
import { countedLoop } from '../wasm/fragments.js';
import { kernelModule } from '../wasm/instance.js';
import { gatherRows } from './gather-rows.js';
import { checkIndices, type KernelCall, kernelRegistration } from './kernel-registry.js';
import { segmentSum } from './segment-sum.js';
import { byteOffset, rowRanges } from './storage.js';

export const KERNEL_EDGE_VECTORS = 'CrysEdgeVectors';

const f = Math.fround;

// ------------------------------------------------------------------------------------------------ wasm

/**
 * edgeVectors(out, frac, lat, src, dst, img, crystal, rows): the kernel's loop over edges e < rows (rows ≥ 1) with a
 * float32 image, in scalar float32 operations, each the JavaScript loop's rounded double: d_k = (fd_k + img_k) − fs_k,
 * then ((0 + d₀·L₀ⱼ) + d₁·L₁ⱼ) + d₂·L₂ⱼ (from +0, so that a sum of −0 products is +0 as the backend's Sum gives it: the
 * local `zero` is never set, and WebAssembly locals start at +0). ≈ 0.2 ms on 12 058 edges in JavaScript.
 */
function edgeVectorsWasm(): WasmFunction {
  const [OUT, FRAC, LAT, SRC, DST, IMG, CRYSTAL, ROWS] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [E, FS, FD, LP, IP, OP] = [8, 9, 10, 11, 12, 13];
  const [D0, ZERO] = [14, 17];
  // FS = frac + src[e]·12, FD likewise, LP = lat + crystal[e]·36
  const at = (base: number, idx: number, bytes: number): Instr[] => [
    ...get(base),
    ...get(idx),
    ...get(E),
    ...i32(4),
    ...mul,
    ...add,
    ...i32load(0),
    ...i32(bytes),
    ...mul,
    ...add,
  ];
  const row: Instr[] = [...at(FRAC, SRC, 12), ...set(FS), ...at(FRAC, DST, 12), ...set(FD), ...at(LAT, CRYSTAL, 36)];
  row.push(...set(LP));
  for (let k = 0; k < 3; k++) {
    row.push(...get(FD), ...f32load(4 * k), ...get(IP), ...f32load(4 * k), ...f32add, ...get(FS), ...f32load(4 * k));
    row.push(...f32sub, ...set(D0 + k));
  }
  for (let j = 0; j < 3; j++) {
    row.push(...get(OP), ...get(ZERO));
    for (let k = 0; k < 3; k++) row.push(...get(D0 + k), ...get(LP), ...f32load(4 * (3 * k + j)), ...f32mul, ...f32add);
    row.push(...f32store(4 * j));
  }
  row.push(...get(IP), ...i32(12), ...add, ...set(IP), ...get(OP), ...i32(12), ...add, ...set(OP));
  return {
    name: 'edgeVectors',
    params: ['out', 'frac', 'lat', 'src', 'dst', 'img', 'crystal', 'rows'],
    locals: [
      ['i32', ['e', 'fs', 'fd', 'lp', 'ip', 'op']],
      ['f32', ['d0', 'd1', 'd2', 'zero']],
    ],
    code: [...get(IMG), ...set(IP), ...get(OUT), ...set(OP), ...countedLoop(E, ROWS, 1, row)],
  };
}

interface EdgeVectorsExports {
  edgeVectors(
    out: number,
    frac: number,
    lat: number,
    src: number,
    dst: number,
    img: number,
    crystal: number,
    rows: number,
  ): void;
}

export const edgeVectorsModule = kernelModule<EdgeVectorsExports>(() => [edgeVectorsWasm()]);

// ------------------------------------------------------------------------------------------------ kernel

/**
 * The kernel on one backend. Its sum over k is the backend's Sum: float32 at every step on wasm (tfjs-backend-wasm
 * adds in float), in double and rounded once on cpu (tfjs-backend-cpu adds JavaScript numbers).
 */
const edgeVectorsOn = (backend: 'cpu' | 'wasm') => ({
  kernelName: KERNEL_EDGE_VECTORS,
  backends: [backend],
  module: edgeVectorsModule,
  run({
    inputs: { fracCoords, lattices, src, dst, image, edgeCrystalIndex },
    storage,
    simd,
    threads,
    parts,
  }: KernelCall<EdgeVectorsExports>) {
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
    if (simd !== null && image.dtype === 'float32') {
      if (E > 0) {
        const [o, fp, lp, sp, dp, ip, cp] = [out.info, fracCoords, lattices, src, dst, image, edgeCrystalIndex].map(
          (t) => byteOffset(storage, t),
        );
        const ranges = rowRanges(E, 56 * E, threads);
        parts(
          'edgeVectors',
          ranges.map(([e0, e1]) => [o + 12 * e0, fp, lp, sp + 4 * e0, dp + 4 * e0, ip + 12 * e0, cp + 4 * e0, e1 - e0]),
        );
      }
      return out.info;
    }
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

const registerKernels = kernelRegistration<EdgeVectorsExports>([edgeVectorsOn('cpu'), edgeVectorsOn('wasm')]);

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
