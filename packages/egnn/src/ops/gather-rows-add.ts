// gatherRowsAdd: `a[indicesA] + b[indicesB] + c`, the first layer of an edge MLP once its node parts are computed per
// node. Kernel: one pass over the edges (cpu and wasm; a SIMD loop on wasm for rows of a multiple of 4 floats);
// two `tf.gather`s and adds elsewhere. Gradient: segment sums into a and b (segment-sum.ts), the identity into c.
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import {
  add,
  fadd,
  get,
  i32,
  i32load,
  type Instr,
  mul,
  set,
  shl,
  vload,
  vstore,
  type WasmFunction,
} from '../wasm/assembler.js';
import { plus, rowLoop } from '../wasm/fragments.js';
import { kernelModule } from '../wasm/instance.js';
import { checkIndices, hasLoopKernels, kernelRegistration } from './kernel-registry.js';
import { assertIndexVector, assertRows, customGrad } from './op-utils.js';
import { segmentSumDifferentiable } from './segment-sum.js';
import { byteOffset, rowRanges } from './storage.js';

export const KERNEL_GATHER2_ADD = 'CrysGather2Add';

// ------------------------------------------------------------------------------------------------ wasm

/** gather2Add(out, a, ia, b, ib, c, rows, f): out[e] = a[ia[e]] + b[ib[e]] + c[e], rows of f floats (f % 4 = 0). */
function gather2AddWasm(): WasmFunction {
  const [OUT, A, IA, B, IB, C, E, F] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [I, FB, FBE, OP, AP, BP, CP] = [8, 9, 10, 11, 12, 13, 14];
  // AP holds 4e while both indexed rows are addressed, then a's row.
  const indexed = (base: number, idx: number) => [
    ...get(base),
    ...plus(idx, AP),
    ...i32load(),
    ...get(FBE),
    ...mul,
    ...add,
  ];
  const row: Instr[] = [
    ...get(I),
    ...i32(2),
    ...shl,
    ...set(AP),
    ...indexed(A, IA),
    ...indexed(B, IB),
    ...set(BP),
    ...set(AP),
    ...get(I),
    ...get(FBE),
    ...mul,
    ...set(CP),
    ...plus(OUT, CP),
    ...set(OP),
    ...plus(C, CP),
    ...set(CP),
  ];
  const vector: Instr[] = [
    ...plus(OP, FB),
    ...plus(AP, FB),
    ...vload(0),
    ...plus(BP, FB),
    ...vload(0),
    ...fadd,
    ...plus(CP, FB),
    ...vload(0),
    ...fadd,
    ...vstore(0),
  ];
  return {
    name: 'gather2Add',
    params: ['out', 'a', 'ia', 'b', 'ib', 'c', 'rows', 'f'],
    locals: [['i32', ['e', 'fb', 'fbEnd', 'op', 'ap', 'bp', 'cp']]],
    code: [...get(F), ...i32(4), ...mul, ...set(FBE), ...rowLoop(I, E, FB, FBE, row, vector)],
  };
}

interface Gather2AddExports {
  gather2Add(out: number, a: number, ia: number, b: number, ib: number, c: number, rows: number, f: number): void;
}

export const gatherRowsAddModule = kernelModule<Gather2AddExports>(() => [gather2AddWasm()]);

// ------------------------------------------------------------------------------------------------ kernel

const ensureRegistered = kernelRegistration<Gather2AddExports>([
  {
    kernelName: KERNEL_GATHER2_ADD,
    backends: ['cpu', 'wasm'],
    module: gatherRowsAddModule,
    run({ inputs: { a, indicesA: ia, b, indicesB: ib, c }, storage, simd, threads, parts }) {
      const F = a.shape[1];
      const E = ia.shape[0];
      checkIndices('gatherRowsAdd', 'indicesA', storage.read(ia) as Int32Array, a.shape[0], ia.dataId);
      checkIndices('gatherRowsAdd', 'indicesB', storage.read(ib) as Int32Array, b.shape[0], ib.dataId);
      const out = storage.alloc([E, F], 'float32');
      if (simd && F % 4 === 0 && F > 0 && E > 0) {
        const o = (t: tf.TensorInfo) => byteOffset(storage, t);
        const [op, ap, iap, bp, ibp, cp] = [o(out.info), o(a), o(ia), o(b), o(ib), o(c)];
        const ranges = rowRanges(E, 16 * E * F, threads);
        parts(
          'gather2Add',
          ranges.map(([e0, e1]) => {
            const row = 4 * e0 * F;
            return [op + row, ap, iap + 4 * e0, bp, ibp + 4 * e0, cp + row, e1 - e0, F];
          }),
        );
        return out.info;
      }
      const as = storage.read(a);
      const bs = storage.read(b);
      const cs = storage.read(c);
      const iav = storage.read(ia) as Int32Array;
      const ibv = storage.read(ib) as Int32Array;
      const o = out.values;
      for (let e = 0, oe = 0; e < E; e++, oe += F) {
        const ai = iav[e] * F;
        const bi = ibv[e] * F;
        for (let f = 0; f < F; f++) o[oe + f] = as[ai + f] + bs[bi + f] + cs[oe + f];
      }
      return out.info;
    },
  },
]);

// ------------------------------------------------------------------------------------------------ gradient and op

const gatherRowsAddGrad = customGrad(
  (a: tf.Tensor, ia: tf.Tensor, b: tf.Tensor, ib: tf.Tensor, c: tf.Tensor, save: tf.GradSaveFunc) => {
    save([ia, ib]);
    const na = a.shape[0];
    const nb = b.shape[0];
    let value: tf.Tensor;
    if (hasLoopKernels()) {
      ensureRegistered();
      value = tf.engine().runKernel(KERNEL_GATHER2_ADD, { a, indicesA: ia, b, indicesB: ib, c }, {}) as tf.Tensor;
    } else {
      value = tf.tidy(() => tf.add(tf.add(tf.gather(a, ia), tf.gather(b, ib)), c));
    }
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor;
        return [
          segmentSumDifferentiable(g, saved[0] as tf.Tensor1D, na),
          tf.zerosLike(saved[0]),
          segmentSumDifferentiable(g, saved[1] as tf.Tensor1D, nb),
          tf.zerosLike(saved[1]),
          g.clone(),
        ];
      },
    };
  },
);

/**
 * Fused `a[indicesA] + b[indicesB] + c` for `a` `[Na, F]`, `b` `[Nb, F]`, `c` `[E, F]`: the first layer of an edge
 * MLP on `[h_i ‖ h_j ‖ e_ij]` once the node parts `h·W_a`, `h·W_b` are computed per node. One pass over the edges
 * and no `[E, F]` intermediates; differentiable in `a`, `b` and `c`.
 *
 * @example
 * ```ts
 * const a = tf.tensor2d([[1], [2]]), b = tf.tensor2d([[10], [20]]), c = tf.tensor2d([[100], [200]]);
 * gatherRowsAdd(a, tf.tensor1d([0, 1], 'int32'), b, tf.tensor1d([1, 1], 'int32'), c).print(); // [[121], [222]]
 * ```
 */
export function gatherRowsAdd(
  a: tf.Tensor2D,
  indicesA: tf.Tensor1D,
  b: tf.Tensor2D,
  indicesB: tf.Tensor1D,
  c: tf.Tensor2D,
): tf.Tensor2D {
  const fn = 'gatherRowsAdd';
  assertRows(fn, 'a', a);
  assertRows(fn, 'b', b);
  assertRows(fn, 'c', c);
  assertIndexVector(fn, 'indicesA', indicesA);
  assertIndexVector(fn, 'indicesB', indicesB, indicesA.shape[0]);
  if (
    a.rank !== 2 ||
    b.rank !== 2 ||
    c.rank !== 2 ||
    b.shape[1] !== a.shape[1] ||
    c.shape[1] !== a.shape[1] ||
    c.shape[0] !== indicesA.shape[0]
  ) {
    throw new InvalidArgumentError(
      fn,
      'shapes',
      `must be a [Na, F], b [Nb, F], c [E, F] with E = indices length, got a [${a.shape}], b [${b.shape}], c [${c.shape}], E = ${indicesA.shape[0]}`,
    );
  }
  return gatherRowsAddGrad(a, indicesA, b, indicesB, c) as tf.Tensor2D;
}
