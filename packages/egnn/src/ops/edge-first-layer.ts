// edgeFirstLayer: `a[indicesA] + b[indicesB] + (x·W + bias)`, the first layer of an edge MLP on [h_i ‖ h_j ‖ e_ij]
// (a = h·W_a, b = h·W_b per node, x the edges' radial features) in one kernel on wasm: each 4-row × 8-column tile of
// x·W + bias is summed in registers, k in order, exactly as the dense kernel sums it (ops/linear.ts), and added to the
// two gathered rows as gatherRowsAdd adds them, (a + b) + c; the rows past the last whole tile are the dense kernel's
// float64 sums rounded once. So the value is bit for bit gatherRowsAdd(a, ia, b, ib, linear(x, W, bias)), without
// writing and reading back the [E, F] product (≈ 0.16 ms of each layer of a perov_5 batch on two threads), and its
// gradients are theirs (each computed only when the backward pass needs it). Elsewhere the two ops.
import * as tf from '@tensorflow/tfjs';
import {
  add,
  demote,
  doWhile,
  f32add,
  f32load,
  f32store,
  fadd,
  get,
  i32,
  i32load,
  type Instr,
  ltU,
  mul,
  set,
  tee,
  vload,
  vstore,
  type WasmFunction,
} from '../wasm/assembler.js';
import { indexedRow, plus } from '../wasm/fragments.js';
import { kernelModule } from '../wasm/instance.js';
import { partCount, splitRange } from '../wasm/threads.js';
import { gatherRowsAdd } from './gather-rows-add.js';
import { checkIndices, hasWasmSimd, kernelRegistration } from './kernel-registry.js';
import {
  biasGradient,
  denseInputGradient,
  linear,
  PARALLEL_MACS,
  tailAccCode,
  tailRowsCode,
  tileProductCode,
  weightGradient,
} from './linear.js';
import { segmentSumDifferentiable } from './segment-sum.js';
import { byteOffset } from './storage.js';

export const KERNEL_EDGE_FIRST_LAYER = 'CrysEdgeFirstLayer';

// ------------------------------------------------------------------------------------------------ wasm

/**
 * edgeFirst(out, a, ia, b, ib, x, rows, n, w, m, bias): out[r, :] = (a[ia[r], :] + b[ib[r], :]) + (bias + Σ_k x[r, k]·
 * w[k, :]) for r < rows (a multiple of 4), x `[rows, n]`, w `[n, m]` (m a multiple of 8), a and b with rows of m
 * floats; byte offsets. Legend as the dense kernel's: acc[q][h] holds row r+q, columns j+4h … j+4h+3.
 */
function edgeFirstWasm(): WasmFunction {
  const [OUT, A, IA, B, IB, X, ROWS, N, W, M, BIAS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [R, J, K, WP, MB, T, NB] = [11, 12, 13, 14, 15, 16, 17];
  const XP = 18; // XP + q, q < 4
  const [AR, BR, OR] = [22, 26, 30]; // row addresses of a, b and out, + q
  const ACC = 34;
  const [WA, WB, S] = [42, 43, 44];
  const acc = (q: number, h: number) => ACC + 2 * q + h;
  const tile = { bias: BIAS, x: X, w: W, n: N, r: R, j: J, k: K, wp: WP, xp: XP, ldxBytes: NB, mBytes: MB };
  const colBlock: Instr[] = tileProductCode({ ...tile, acc: ACC, wa: WA, wb: WB, s: S });
  // row q: out[r+q, j…] = (a[ia[r+q], j…] + b[ib[r+q], j…]) + acc, from the rows' addresses of the block
  colBlock.push(...get(J), ...i32(4), ...mul, ...set(T));
  for (let q = 0; q < 4; q++) {
    for (let h = 0; h < 2; h++) {
      colBlock.push(...plus(OR + q, T));
      colBlock.push(...plus(AR + q, T), ...vload(16 * h));
      colBlock.push(...plus(BR + q, T), ...vload(16 * h), ...fadd);
      colBlock.push(...get(acc(q, h)), ...fadd, ...vstore(16 * h));
    }
  }
  // per row block: AR + q = a + ia[r+q]·m·4, BR + q likewise, OR + q = out + (r+q)·m·4
  const rowBlock: Instr[] = [];
  for (let q = 0; q < 4; q++) {
    rowBlock.push(
      ...indexedRow(A, IA, R, MB, 4 * q),
      ...set(AR + q),
      ...indexedRow(B, IB, R, MB, 4 * q),
      ...set(BR + q),
    );
    rowBlock.push(...get(OUT), ...get(R), ...i32(q), ...add, ...get(MB), ...mul, ...add, ...set(OR + q));
  }
  rowBlock.push(
    ...i32(0),
    ...set(J),
    ...doWhile(colBlock, [...get(J), ...i32(8), ...add, ...tee(J), ...get(M), ...ltU]),
  );
  return {
    name: 'edgeFirst',
    params: ['out', 'a', 'ia', 'b', 'ib', 'x', 'rows', 'n', 'w', 'm', 'bias'],
    locals: [
      [
        'i32',
        ['r', 'j', 'k', 'wp', 'mBytes', 't', 'nBytes', 'xp0', 'xp1', 'xp2', 'xp3'].concat(
          ['ar', 'br', 'or'].flatMap((p) => [0, 1, 2, 3].map((q) => `${p}${q}`)),
        ),
      ],
      ['v128', ['acc0_0', 'acc0_1', 'acc1_0', 'acc1_1', 'acc2_0', 'acc2_1', 'acc3_0', 'acc3_1', 'wa', 'wb', 's']],
    ],
    code: [
      ...get(M),
      ...i32(4),
      ...mul,
      ...set(MB),
      ...get(N),
      ...i32(4),
      ...mul,
      ...set(NB),
      ...i32(0),
      ...set(R),
      ...doWhile(rowBlock, [...get(R), ...i32(4), ...add, ...tee(R), ...get(ROWS), ...ltU]),
    ],
  };
}

/**
 * edgeFirstTail(out, a, ia, b, ib, x, rows, n, w, m, bias): the same for rows r < rows past the last whole tile (any
 * rows, n, m ≥ 1), one value at a time: the dense kernel's float64 sum rounded once (tailAccCode), then added to the
 * gathered rows in float32, (a + b) + c.
 */
function edgeFirstTailWasm(): WasmFunction {
  const [OUT, A, IA, B, IB, X, ROWS, N, W, M, BIAS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [R, JB, K, WP, XP, XROW, OROW, AROW, BROW, MB, NB] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
  const ACC = 22;
  const tail = { bias: BIAS, w: W, n: N, mBytes: MB, jb: JB, k: K, wp: WP, xp: XP, xRow: XROW, acc: ACC };
  const col: Instr[] = [...tailAccCode(tail, false), ...get(OROW), ...get(JB), ...add];
  col.push(...plus(AROW, JB), ...f32load(0), ...plus(BROW, JB), ...f32load(0), ...f32add);
  col.push(...get(ACC), ...demote, ...f32add, ...f32store(0));
  // AROW = a + ia[r]·m·4, BROW likewise
  const prelude: Instr[] = [];
  for (const [base, idx, to] of [
    [A, IA, AROW],
    [B, IB, BROW],
  ]) {
    prelude.push(
      ...get(base),
      ...get(idx),
      ...get(R),
      ...i32(4),
      ...mul,
      ...add,
      ...i32load(0),
      ...get(MB),
      ...mul,
      ...add,
    );
    prelude.push(...set(to));
  }
  const loops = { m: M, mBytes: MB, stride: N, strideBytes: NB, x: X, xRow: XROW, out: OUT, oRow: OROW, r: R };
  return {
    name: 'edgeFirstTail',
    params: ['out', 'a', 'ia', 'b', 'ib', 'x', 'rows', 'n', 'w', 'm', 'bias'],
    locals: [
      ['i32', ['r', 'jb', 'k', 'wp', 'xp', 'xRow', 'oRow', 'aRow', 'bRow', 'mBytes', 'nBytes']],
      ['f64', ['acc']],
    ],
    code: tailRowsCode({ ...loops, rows: ROWS, jb: JB }, col, prelude),
  };
}

/** Both functions' arguments: byte offsets and counts (see edgeFirstWasm). */
type EdgeFirstFunction = (
  out: number,
  a: number,
  ia: number,
  b: number,
  ib: number,
  x: number,
  rows: number,
  n: number,
  w: number,
  m: number,
  bias: number,
) => void;

interface EdgeFirstExports {
  edgeFirst: EdgeFirstFunction;
  edgeFirstTail: EdgeFirstFunction;
}

export const edgeFirstModule = kernelModule<EdgeFirstExports>(() => [edgeFirstWasm(), edgeFirstTailWasm()]);

// ------------------------------------------------------------------------------------------------ kernel

const ensureRegistered = kernelRegistration<EdgeFirstExports>([
  {
    kernelName: KERNEL_EDGE_FIRST_LAYER,
    backends: ['wasm'],
    module: edgeFirstModule,
    simdOnly: true,
    run({ inputs: { a, indicesA: ia, b, indicesB: ib, x, w, bias }, storage, threads, parts }) {
      const [E, n] = x.shape;
      const m = w.shape[1];
      checkIndices('edgeFirstLayer', 'indicesA', storage.read(ia) as Int32Array, a.shape[0], ia.dataId);
      checkIndices('edgeFirstLayer', 'indicesB', storage.read(ib) as Int32Array, b.shape[0], ib.dataId);
      const out = storage.alloc([E, m], 'float32');
      const E4 = E & ~3;
      const o = (t: tf.TensorInfo) => byteOffset(storage, t);
      const [op, ap, iap, bp, ibp, xp, wp, biasp] = [o(out.info), o(a), o(ia), o(b), o(ib), o(x), o(w), o(bias)];
      if (E4 > 0) {
        const ranges = splitRange(E4, E4 * n * m >= PARALLEL_MACS ? partCount(threads, 4) : 1, 4);
        parts(
          'edgeFirst',
          ranges.map(([r0, r1]) => [
            op + 4 * r0 * m,
            ap,
            iap + 4 * r0,
            bp,
            ibp + 4 * r0,
            xp + 4 * r0 * n,
            r1 - r0,
            n,
            wp,
            m,
            biasp,
          ]),
        );
      }
      if (E4 < E) {
        // The last E % 4 rows: the dense kernel's float64 sums rounded once, then (a + b) + c in float32.
        parts('edgeFirstTail', [
          [op + 4 * E4 * m, ap, iap + 4 * E4, bp, ibp + 4 * E4, xp + 4 * E4 * n, E - E4, n, wp, m, biasp],
        ]);
      }
      return out.info;
    },
  },
]);

/** Its gradients: those of gatherRowsAdd (segment sums into a and b) and of the dense layer, each when asked for. */
function ensureGradientRegistered(): void {
  if (tf.getGradient(KERNEL_EDGE_FIRST_LAYER) !== undefined) return;
  tf.registerGradient({
    kernelName: KERNEL_EDGE_FIRST_LAYER,
    inputsToSave: ['a', 'indicesA', 'b', 'indicesB', 'x', 'w'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [a, ia, b, ib, x, w] = saved as tf.Tensor2D[];
      return {
        a: () => segmentSumDifferentiable(g, ia as tf.Tensor as tf.Tensor1D, a.shape[0]),
        indicesA: () => tf.zerosLike(ia),
        b: () => segmentSumDifferentiable(g, ib as tf.Tensor as tf.Tensor1D, b.shape[0]),
        indicesB: () => tf.zerosLike(ib),
        x: () => denseInputGradient(g, w),
        w: () => weightGradient(x, g, true),
        bias: () => biasGradient(g),
      };
    },
  });
}

// ------------------------------------------------------------------------------------------------ op

/**
 * `gatherRowsAdd(a, indicesA, b, indicesB, linear(x, w, bias))`, the same values and gradients, in one kernel on wasm
 * with SIMD (rows of a multiple of 8 floats). Internal: the edge MLPs' first layer.
 */
export function edgeFirstLayer(
  a: tf.Tensor2D,
  indicesA: tf.Tensor1D,
  b: tf.Tensor2D,
  indicesB: tf.Tensor1D,
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  bias: tf.Tensor1D,
): tf.Tensor2D {
  const m = w.shape[1];
  const fused =
    hasWasmSimd() &&
    m > 0 &&
    m % 8 === 0 &&
    x.shape[0] >= 4 &&
    x.shape[1] > 0 &&
    [a, b, x, w, bias].every((t) => t.dtype === 'float32') &&
    a.shape[1] === m &&
    b.shape[1] === m &&
    w.shape[0] === x.shape[1] &&
    bias.shape[0] === m &&
    indicesA.dtype === 'int32' &&
    indicesB.dtype === 'int32' &&
    indicesA.shape[0] === x.shape[0] &&
    indicesB.shape[0] === x.shape[0];
  if (!fused) return gatherRowsAdd(a, indicesA, b, indicesB, linear(x, w, bias));
  ensureRegistered();
  ensureGradientRegistered();
  return tf.engine().runKernel(KERNEL_EDGE_FIRST_LAYER, { a, indicesA, b, indicesB, x, w, bias }, {}) as tf.Tensor2D;
}
