// linear: the dense layer `x·W + b`. Kernels on wasm with SIMD: the product with bias fused (4 rows × 8 columns per
// step in f32x4 lanes), the weight gradient xᵀ·g and the bias gradient (column sums); tfjs's matMul elsewhere, with
// explicit transposes on wasm. Gradient: registered with tfjs for the SIMD kernel (each input's gradient computed
// only when needed), a customGrad otherwise.
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import {
  add,
  and,
  demote,
  doWhile,
  f32add,
  f32load,
  f32mul,
  f32store,
  f64add,
  f64mul,
  fadd,
  fmul,
  get,
  i32,
  i32load,
  i32store,
  type Instr,
  load32Splat,
  ltU,
  mul,
  promote,
  select,
  set,
  sub,
  tee,
  vload,
  vstore,
  type WasmFunction,
  when,
} from '../wasm/assembler.js';
import { advance, countedLoop } from '../wasm/fragments.js';
import { kernelModule } from '../wasm/instance.js';
import { partCount, splitRange } from '../wasm/threads.js';
import { hasWasmSimd, kernelRegistration } from './kernel-registry.js';
import { customGrad, describeTensor } from './op-utils.js';
import { padColumns, sliceColumns, sliceColumnsAddBias } from './slice-columns.js';
import { byteOffset } from './storage.js';

export const KERNEL_SIMD_LINEAR = 'CrysSimdLinear';
export const KERNEL_SIMD_MATMUL_TN = 'CrysSimdMatMulTN';
export const KERNEL_SIMD_COL_SUM = 'CrysSimdColSum';

/** Multiply-adds from which a product is split across kernel threads (≈ 0.1 ms on one). */
export const PARALLEL_MACS = 1 << 20;

/**
 * Rows per block of a weight gradient's sum at most (see the CrysSimdMatMulTN kernel): E rows make ⌈E / TN_BLOCK⌉
 * blocks of equal size (to 4 rows), at most MAX_TN_BLOCKS. Threads take whole blocks, so each reads only its rows of
 * both inputs (mostly rows it wrote itself in the kernel before) and a thread that runs late takes fewer: a training
 * step ≈ 2–4 % faster with 2048 than with 16384 rows (perov_5 and carbon_24 × 64, 10⁴ atoms; steps alternated in
 * one process), when 16384 left perov_5's 12 058 edges one block split by output rows, one part per thread.
 */
const TN_BLOCK = 2048;
const MAX_TN_BLOCKS = 32;

// ------------------------------------------------------------------------------------------------ wasm

/** Names of eight accumulators acc{q}_{h}: row q of a 4-row block, vector h of an 8-column block. */
const ACC_NAMES = [0, 1, 2, 3].flatMap((q) => [`acc${q}_0`, `acc${q}_1`]);

/** Locals of {@link tileProductCode}: i32 indices and pointers, then v128 accumulators (acc … acc + 7) and scratch. */
export interface TileLocals {
  readonly bias: number;
  readonly x: number;
  readonly w: number;
  readonly n: number;
  readonly r: number;
  readonly j: number;
  readonly k: number;
  readonly wp: number;
  /** xp … xp + 3: pointers to x[r + q, k]. */
  readonly xp: number;
  readonly ldxBytes: number;
  readonly mBytes: number;
  /** acc + 2q + h holds row r+q, columns j+4h … j+4h+3. */
  readonly acc: number;
  readonly wa: number;
  readonly wb: number;
  readonly s: number;
}

/**
 * Code for one 4-row × 8-column tile of x·w + bias in registers: acc = bias[j … j+8], then for k in order
 * acc[q][h] += x[r+q, k]·w[k, j+4h …]. The dense kernel stores it; the edge MLPs' first layer (edge-first-layer.ts)
 * adds it to gathered rows. Either way every value is summed exactly as here.
 */
export function tileProductCode(l: TileLocals): Instr[] {
  const acc = (q: number, h: number) => l.acc + 2 * q + h;
  const code: Instr[] = [];
  // acc = bias[j … j+8]
  for (let q = 0; q < 4; q++) {
    for (let h = 0; h < 2; h++)
      code.push(...get(l.bias), ...get(l.j), ...i32(4), ...mul, ...add, ...vload(16 * h), ...set(acc(q, h)));
  }
  // XP + q = x + (r + q)·ldx·4 (advanced by 4 bytes per k, so the loop computes no row offsets: 15 % faster than
  // x + q·ldx per load), WP = w + j·4
  for (let q = 0; q < 4; q++) {
    code.push(...get(l.x), ...get(l.r), ...i32(q), ...add, ...get(l.ldxBytes), ...mul, ...add, ...set(l.xp + q));
  }
  code.push(...get(l.w), ...get(l.j), ...i32(4), ...mul, ...add, ...set(l.wp));
  code.push(...i32(0), ...set(l.k));
  const inner: Instr[] = [];
  inner.push(...get(l.wp), ...vload(0), ...set(l.wa), ...get(l.wp), ...vload(16), ...set(l.wb));
  for (let q = 0; q < 4; q++) {
    // S = splat(x[r+q, k])
    inner.push(...get(l.xp + q), ...load32Splat(0), ...set(l.s));
    inner.push(...get(acc(q, 0)), ...get(l.s), ...get(l.wa), ...fmul, ...fadd, ...set(acc(q, 0)));
    inner.push(...get(acc(q, 1)), ...get(l.s), ...get(l.wb), ...fmul, ...fadd, ...set(acc(q, 1)));
    inner.push(...get(l.xp + q), ...i32(4), ...add, ...set(l.xp + q));
  }
  inner.push(...get(l.wp), ...get(l.mBytes), ...add, ...set(l.wp));
  code.push(...doWhile(inner, [...get(l.k), ...i32(1), ...add, ...tee(l.k), ...get(l.n), ...ltU]));
  return code;
}

/** Locals of {@link tailAccCode}: i32 pointers and counters, and the accumulator (f64, or f32 with `tail32`). */
export interface TailLocals {
  readonly bias: number;
  readonly w: number;
  readonly n: number;
  readonly mBytes: number;
  /** The value's column as a byte offset, j·4. */
  readonly jb: number;
  readonly k: number;
  readonly wp: number;
  readonly xp: number;
  /** The address of the value's row of x. */
  readonly xRow: number;
  readonly acc: number;
}

/**
 * Code for one value of a row past the SIMD tiles (the last rows % 4), into local `acc`: bias[j], then + x[r, k]·w[k, j]
 * for k in order (n ≥ 1), in float64 from the float32 inputs (rounded once when stored), or with `tail32` every product
 * and sum rounded to float32 (the tiles' own sums). The JavaScript loop it replaced (the same operations: a product of
 * two float32 values is exact in float64, and float32 arithmetic is float64 arithmetic rounded once, so the same bits)
 * took 10–40 µs a call.
 */
export function tailAccCode(l: TailLocals, tail32: boolean): Instr[] {
  const widen = tail32 ? [] : promote;
  const code: Instr[] = [...get(l.bias), ...get(l.jb), ...add, ...f32load(0), ...widen, ...set(l.acc)];
  code.push(...get(l.w), ...get(l.jb), ...add, ...set(l.wp), ...get(l.xRow), ...set(l.xp), ...i32(0), ...set(l.k));
  const step: Instr[] = [...get(l.acc), ...get(l.xp), ...f32load(0), ...widen, ...get(l.wp), ...f32load(0), ...widen];
  step.push(...(tail32 ? f32mul : f64mul), ...(tail32 ? f32add : f64add), ...set(l.acc));
  step.push(...get(l.xp), ...i32(4), ...add, ...set(l.xp), ...get(l.wp), ...get(l.mBytes), ...add, ...set(l.wp));
  code.push(...doWhile(step, advance(l.k, i32(1), l.n)));
  return code;
}

/** Locals of {@link tailRowsCode}: i32 counts, pointers and byte sizes. */
export interface TailRowsLocals {
  readonly m: number;
  readonly mBytes: number;
  /** x's row stride in floats, and in bytes. */
  readonly stride: number;
  readonly strideBytes: number;
  readonly x: number;
  readonly xRow: number;
  readonly out: number;
  readonly oRow: number;
  readonly r: number;
  readonly rows: number;
  /** The column as a byte offset, j·4. */
  readonly jb: number;
}

/**
 * The loops of a tail kernel: mBytes = m·4, strideBytes = stride·4, xRow = x, oRow = out; for each row r < rows
 * (rows, m ≥ 1) `prelude`, then `col` for every column jb < mBytes, then xRow and oRow move to the next row.
 */
export function tailRowsCode(l: TailRowsLocals, col: readonly Instr[], prelude: readonly Instr[] = []): Instr[] {
  const row = [...prelude, ...countedLoop(l.jb, l.mBytes, 4, col)];
  row.push(...get(l.xRow), ...get(l.strideBytes), ...add, ...set(l.xRow));
  row.push(...get(l.oRow), ...get(l.mBytes), ...add, ...set(l.oRow));
  return [
    ...get(l.m),
    ...i32(4),
    ...mul,
    ...set(l.mBytes),
    ...get(l.stride),
    ...i32(4),
    ...mul,
    ...set(l.strideBytes),
    ...get(l.x),
    ...set(l.xRow),
    ...get(l.out),
    ...set(l.oRow),
    ...countedLoop(l.r, l.rows, 1, row),
  ];
}

/**
 * denseTail(out, x, ldx, rows, n, w, m, bias) (and denseTail32): rows r < rows of x·w + bias past the SIMD tiles, one
 * value at a time by {@link tailAccCode} (rows, n, m ≥ 1); x has row stride ldx floats.
 */
function denseTailWasm(tail32: boolean): WasmFunction {
  const [OUT, X, LDX, ROWS, N, W, M, BIAS] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [R, JB, K, WP, XP, XROW, OROW, MB, LDXB] = [8, 9, 10, 11, 12, 13, 14, 15, 16];
  const ACC = 17;
  const tail = { bias: BIAS, w: W, n: N, mBytes: MB, jb: JB, k: K, wp: WP, xp: XP, xRow: XROW, acc: ACC };
  const col: Instr[] = [...tailAccCode(tail, tail32), ...get(OROW), ...get(JB), ...add, ...get(ACC)];
  col.push(...(tail32 ? [] : demote), ...f32store(0));
  const loops = { m: M, mBytes: MB, stride: LDX, strideBytes: LDXB, x: X, xRow: XROW, out: OUT, oRow: OROW, r: R };
  return {
    name: tail32 ? 'denseTail32' : 'denseTail',
    params: ['out', 'x', 'ldx', 'rows', 'n', 'w', 'm', 'bias'],
    locals: [
      ['i32', ['r', 'jb', 'k', 'wp', 'xp', 'xRow', 'oRow', 'mBytes', 'ldxBytes']],
      [tail32 ? 'f32' : 'f64', ['acc']],
    ],
    code: tailRowsCode({ ...loops, rows: ROWS, jb: JB }, col),
  };
}

/**
 * matmul(out, x, ldx, rows, n, w, m, bias): out[r, j] = bias[j] + Σ_k x[r·ldx + k]·w[k·m + j], all byte offsets or
 * counts; x `[rows, n]` has row stride `ldx` floats, w `[n, m]` (the tfjs `[in, out]` kernel layout), rows a multiple
 * of 4 and m of 8. Legend: r row block (4 rows), j column block (8 columns = 2 vectors), k inner index; acc[q][h]
 * holds row r+q, columns j+4h … j+4h+3.
 */
function matmulWasm(): WasmFunction {
  const [OUT, X, LDX, ROWS, N, W, M, BIAS] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [R, J, K, WP, OP, LDXB, MB] = [8, 9, 10, 11, 12, 13, 14];
  const XP = 15; // XP + q: a pointer to x[r + q, k] for each row of the block

  const ACC = 19;
  const [WA, WB, S] = [27, 28, 29];
  const acc = (q: number, h: number) => ACC + 2 * q + h;
  const code: Instr[] = [];
  code.push(...get(LDX), ...i32(4), ...mul, ...set(LDXB));
  code.push(...get(M), ...i32(4), ...mul, ...set(MB));
  code.push(...i32(0), ...set(R));
  const rowBlock: Instr[] = [];
  rowBlock.push(...i32(0), ...set(J));
  const colBlock = tileProductCode({
    bias: BIAS,
    x: X,
    w: W,
    n: N,
    r: R,
    j: J,
    k: K,
    wp: WP,
    xp: XP,
    ldxBytes: LDXB,
    mBytes: MB,
    acc: ACC,
    wa: WA,
    wb: WB,
    s: S,
  });
  // store: out + (r + q)·m·4 + j·4
  colBlock.push(...get(OUT), ...get(R), ...get(MB), ...mul, ...add, ...get(J), ...i32(4), ...mul, ...add, ...set(OP));
  for (let q = 0; q < 4; q++) {
    for (let h = 0; h < 2; h++) colBlock.push(...get(OP), ...get(acc(q, h)), ...vstore(16 * h));
    if (q < 3) colBlock.push(...get(OP), ...get(MB), ...add, ...set(OP));
  }
  rowBlock.push(...doWhile(colBlock, [...get(J), ...i32(8), ...add, ...tee(J), ...get(M), ...ltU]));
  code.push(...doWhile(rowBlock, [...get(R), ...i32(4), ...add, ...tee(R), ...get(ROWS), ...ltU]));
  return {
    name: 'matmul',
    params: ['out', 'x', 'ldx', 'rows', 'n', 'w', 'm', 'bias'],
    locals: [
      ['i32', ['r', 'j', 'k', 'wp', 'op', 'ldxBytes', 'mBytes', 'xp0', 'xp1', 'xp2', 'xp3']],
      ['v128', [...ACC_NAMES, 'wa', 'wb', 's']],
    ],
    code,
  };
}

/**
 * matmulTN(out, a, b, rows, n, m, i0, i1, sums): rows i0 ≤ i < i1 of out `[n, m]` += aᵀ·b for a `[rows, n]`, b
 * `[rows, m]` (n, i0 and i1 multiples of 4, i0 < i1 ≤ n, m a multiple of 8, rows ≥ 1), the weight gradient of a dense
 * layer; with sums ≠ 0 and i0 = 0, also sums `[m]` += the column sums of b (the bias gradient), each column's rows
 * added in order in float32, as colSum adds them, while the first tiles of out read b anyway. Rows are taken in
 * chunks of 128 so both chunks stay in cache while every 4 × 8 tile of out accumulates over them.
 */
function matmulTNWasm(): WasmFunction {
  const [OUT, A, B, ROWS, N, M, I0, I1, SUMS] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [E0, E1, I, J, E, AP, BP, OP, NB, MB, SP, WS] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const ACC = 21;
  const [WA, WB, S, C0, C1] = [29, 30, 31, 32, 33];
  const acc = (q: number, h: number) => ACC + 2 * q + h;
  const CH = 128;
  const innerOf = (withSums: boolean): Instr[] => {
    const inner: Instr[] = [];
    inner.push(...get(BP), ...vload(0), ...set(WA), ...get(BP), ...vload(16), ...set(WB));
    for (let q = 0; q < 4; q++) {
      inner.push(...get(AP), ...load32Splat(4 * q), ...set(S));
      inner.push(...get(acc(q, 0)), ...get(S), ...get(WA), ...fmul, ...fadd, ...set(acc(q, 0)));
      inner.push(...get(acc(q, 1)), ...get(S), ...get(WB), ...fmul, ...fadd, ...set(acc(q, 1)));
    }
    if (withSums) inner.push(...get(C0), ...get(WA), ...fadd, ...set(C0), ...get(C1), ...get(WB), ...fadd, ...set(C1));
    inner.push(...get(AP), ...get(NB), ...add, ...set(AP), ...get(BP), ...get(MB), ...add, ...set(BP));
    return inner;
  };
  const tile: Instr[] = [];
  // OP = out + (i·m + j)·4; acc = out tile
  tile.push(...get(OUT), ...get(I), ...get(M), ...mul, ...get(J), ...add, ...i32(4), ...mul, ...add, ...set(OP));
  for (let q = 0; q < 4; q++) {
    for (let h = 0; h < 2; h++)
      tile.push(...get(OP), ...get(MB), ...i32(q), ...mul, ...add, ...vload(16 * h), ...set(acc(q, h)));
  }
  tile.push(...get(A), ...get(E0), ...get(NB), ...mul, ...add, ...get(I), ...i32(4), ...mul, ...add, ...set(AP));
  tile.push(...get(B), ...get(E0), ...get(MB), ...mul, ...add, ...get(J), ...i32(4), ...mul, ...add, ...set(BP));
  tile.push(...get(E0), ...set(E));
  // WS = (sums ≠ 0) & (i = 0): this tile also adds its 8 columns of b into sums[j … j+8]
  tile.push(...i32(0), ...get(SUMS), ...ltU, ...get(I), ...i32(1), ...ltU, ...and, ...set(WS));
  const withSums: Instr[] = [...get(SUMS), ...get(J), ...i32(4), ...mul, ...add, ...set(SP)];
  withSums.push(...get(SP), ...vload(0), ...set(C0), ...get(SP), ...vload(16), ...set(C1));
  withSums.push(...doWhile(innerOf(true), advance(E, i32(1), E1)));
  withSums.push(...get(SP), ...get(C0), ...vstore(0), ...get(SP), ...get(C1), ...vstore(16));
  tile.push(...when(get(WS), withSums));
  tile.push(...when([...i32(1), ...get(WS), ...sub], doWhile(innerOf(false), advance(E, i32(1), E1))));
  for (let q = 0; q < 4; q++) {
    for (let h = 0; h < 2; h++)
      tile.push(...get(OP), ...get(MB), ...i32(q), ...mul, ...add, ...get(acc(q, h)), ...vstore(16 * h));
  }
  const cols = [...i32(0), ...set(J), ...doWhile(tile, advance(J, i32(8), M))];
  const rowsOfOut = [...get(I0), ...set(I), ...doWhile(cols, advance(I, i32(4), I1))];
  const chunk: Instr[] = [];
  // E1 = min(E0 + CH, rows)
  chunk.push(
    ...get(E0),
    ...i32(CH),
    ...add,
    ...get(ROWS),
    ...get(E0),
    ...i32(CH),
    ...add,
    ...get(ROWS),
    ...ltU,
    ...select,
    ...set(E1),
  );
  chunk.push(...rowsOfOut, ...get(E1), ...set(E0));
  const code = [
    ...get(N),
    ...i32(4),
    ...mul,
    ...set(NB),
    ...get(M),
    ...i32(4),
    ...mul,
    ...set(MB),
    ...i32(0),
    ...set(E0),
    ...doWhile(chunk, [...get(E0), ...get(ROWS), ...ltU]),
  ];
  return {
    name: 'matmulTN',
    params: ['out', 'a', 'b', 'rows', 'n', 'm', 'i0', 'i1', 'sums'],
    locals: [
      ['i32', ['e0', 'e1', 'i', 'j', 'e', 'ap', 'bp', 'op', 'nBytes', 'mBytes', 'sp', 'withSums']],
      ['v128', [...ACC_NAMES, 'wa', 'wb', 's', 'c0', 'c1']],
    ],
    code,
  };
}

/**
 * colSum(out, b, rows, m, ld): out `[m]` += Σ_e b[e, :] for b `[rows, m]` with row stride ld floats (columns of a wider
 * matrix, so that threads can take column ranges), m a multiple of 4, rows ≥ 1. Each column sums its rows in order,
 * in registers: blocks of 16 columns (one cache line of a row) in four accumulators, then single vectors. (Summing
 * into `out` row by row made every row wait on the last row's store, and two threads' blocks could share a line.)
 */
function colSumWasm(): WasmFunction {
  const [OUT, B, ROWS, M, LD] = [0, 1, 2, 3, 4];
  const [E, P, CB, LDB, MB] = [5, 6, 7, 8, 9];
  const ACC = 10;
  const pass = (vectors: number): Instr[] => {
    const code: Instr[] = [];
    for (let i = 0; i < vectors; i++) code.push(...get(OUT), ...get(CB), ...add, ...vload(16 * i), ...set(ACC + i));
    code.push(...get(B), ...get(CB), ...add, ...set(P), ...i32(0), ...set(E));
    const row: Instr[] = [];
    for (let i = 0; i < vectors; i++) row.push(...get(ACC + i), ...get(P), ...vload(16 * i), ...fadd, ...set(ACC + i));
    row.push(...get(P), ...get(LDB), ...add, ...set(P));
    code.push(...doWhile(row, advance(E, i32(1), ROWS)));
    for (let i = 0; i < vectors; i++) code.push(...get(OUT), ...get(CB), ...add, ...get(ACC + i), ...vstore(16 * i));
    return code;
  };
  // cb + 63 < mb: a whole block of 16 columns is left
  const blockLeft = [...get(CB), ...i32(63), ...add, ...get(MB), ...ltU];
  const code: Instr[] = [
    ...get(LD),
    ...i32(4),
    ...mul,
    ...set(LDB),
    ...get(M),
    ...i32(4),
    ...mul,
    ...set(MB),
    ...i32(0),
    ...set(CB),
    ...when(blockLeft, doWhile([...pass(4), ...get(CB), ...i32(64), ...add, ...set(CB)], blockLeft)),
    ...when([...get(CB), ...get(MB), ...ltU], doWhile(pass(1), advance(CB, i32(16), MB))),
  ];
  return {
    name: 'colSum',
    params: ['out', 'b', 'rows', 'm', 'ld'],
    locals: [
      ['i32', ['e', 'p', 'cb', 'ldBytes', 'mBytes']],
      ['v128', ['acc0', 'acc1', 'acc2', 'acc3']],
    ],
    code,
  };
}

/**
 * transposeWords(out, w, n, m): out[i, j] = w[j, i] for out `[n, m]` and w `[m, n]` (n, m ≥ 1), word by word: the
 * weights of an input gradient g·wᵀ (the JavaScript loop it replaced took ≈ 5 µs on 64 × 64, 26 calls a step).
 */
function transposeWordsWasm(): WasmFunction {
  const [OUT, W, N, M] = [0, 1, 2, 3];
  const [I, J, OP, WP, NB] = [4, 5, 6, 7, 8];
  const inner: Instr[] = [...get(OP), ...get(WP), ...i32load(0), ...i32store(0)];
  inner.push(...get(OP), ...i32(4), ...add, ...set(OP), ...get(WP), ...get(NB), ...add, ...set(WP));
  // WP = w + i·4 at the start of output row i
  const row: Instr[] = [...get(W), ...get(I), ...i32(4), ...mul, ...add, ...set(WP), ...countedLoop(J, M, 1, inner)];
  return {
    name: 'transposeWords',
    params: ['out', 'w', 'n', 'm'],
    locals: [['i32', ['i', 'j', 'op', 'wp', 'nBytes']]],
    code: [...get(N), ...i32(4), ...mul, ...set(NB), ...get(OUT), ...set(OP), ...countedLoop(I, N, 1, row)],
  };
}

/** The module's functions; every pointer is a byte offset into the memory it was instantiated on. */
export interface LinearExports {
  matmul(out: number, x: number, ldx: number, rows: number, n: number, w: number, m: number, bias: number): void;
  matmulTN(
    out: number,
    a: number,
    b: number,
    rows: number,
    n: number,
    m: number,
    i0: number,
    i1: number,
    sums: number,
  ): void;
  colSum(out: number, b: number, rows: number, m: number, ld: number): void;
  denseTail(out: number, x: number, ldx: number, rows: number, n: number, w: number, m: number, bias: number): void;
  denseTail32(out: number, x: number, ldx: number, rows: number, n: number, w: number, m: number, bias: number): void;
  transposeWords(out: number, w: number, n: number, m: number): void;
}

export const linearModule = kernelModule<LinearExports>(() => [
  matmulWasm(),
  matmulTNWasm(),
  colSumWasm(),
  denseTailWasm(false),
  denseTailWasm(true),
  transposeWordsWasm(),
]);

// ------------------------------------------------------------------------------------------------ kernels

/**
 * The colSum calls (byte addresses) for out `[m]` += Σ over the rows of b `[rows, m]`: threads take ranges of whole
 * 16-column blocks once the sum is large enough, each reading its columns of every row.
 */
function colSumCalls(out: number, b: number, rows: number, m: number, threads: number): number[][] {
  const ranges = splitRange(m, rows * m >= PARALLEL_MACS / 4 ? threads : 1, m % 16 === 0 ? 16 : 4);
  return ranges.map(([c0, c1]) => [out + 4 * c0, b + 4 * c0, rows, c1 - c0, m]);
}

/**
 * The row blocks of a sum over E rows (the weight gradient's and the bias gradient's): one block up to TN_BLOCK rows,
 * else ⌈E / TN_BLOCK⌉ blocks (at most MAX_TN_BLOCKS) of equal size to 4 rows, the last one shorter.
 */
function rowBlocks(E: number): { blocks: number; blockRows: number } {
  const blocks = Math.min(MAX_TN_BLOCKS, Math.ceil(E / TN_BLOCK));
  return { blocks, blockRows: 4 * Math.ceil(E / blocks / 4) };
}

/** out[j] += Σ_k rows[k, j] over the blocks' rows `[blocks, out.length]` in order, in float32; returns out. */
function addBlockRows<T extends ArrayLike<number> & { [j: number]: number }>(out: T, rows: ArrayLike<number>): T {
  const m = out.length;
  for (let q = 0; q + m <= rows.length; q += m) for (let j = 0; j < m; j++) out[j] = Math.fround(out[j] + rows[q + j]);
  return out;
}

/**
 * The column sums of the b of the last weight gradient that was asked for them (attrs.sums): a dense layer's backward
 * pass asks for its weight gradient xᵀ·g, then for its bias gradient, the column sums of the same g, which the first
 * pass already read. Taken (and cleared) by the next CrysSimdColSum, if it is of that b; its values are the ones
 * CrysSimdColSum computes, so whether it is used never changes a result.
 */
let lastSums: { dataId: object; rows: number; values: Float32Array } | undefined;

const ensureRegistered = kernelRegistration<LinearExports>([
  {
    // x·w + bias for x `[M, n]`, w `[n, m]` (n ≥ 1, m ≥ 8 and m % 8 = 0: the ops route empty products elsewhere), bias
    // `[m]`: SIMD on whole blocks of 4 rows, a loop on the rest (in float64 unless attrs.tail32).
    kernelName: KERNEL_SIMD_LINEAR,
    backends: ['wasm'],
    module: linearModule,
    simdOnly: true,
    run({ inputs: { x, w, bias }, attrs, storage, threads, parts }) {
      const [M, n] = x.shape;
      // With attrs.transposeW, w is given as `[m, n]` and its transpose is used (the input gradient g·wᵀ): copied
      // into a scratch `[n, m]` here rather than by a tfjs Transpose op (≈ 20 µs of bookkeeping per call, 26 a step).
      const transposed = attrs?.transposeW === true;
      const m = transposed ? w.shape[0] : w.shape[1];
      const out = storage.alloc([M, m], 'float32');
      const wt = transposed ? storage.alloc([n, m], 'float32') : undefined;
      if (wt && n > 0 && m > 0) parts('transposeWords', [[byteOffset(storage, wt.info), byteOffset(storage, w), n, m]]);
      const wInfo = wt ? wt.info : w;
      const M4 = M & ~3;
      // Four separate calls: one call site for the four (an array mapped through a closure) made a perov_5 × 64
      // forward pass ≈ 2 ms slower (of ≈ 14).
      const o = byteOffset(storage, out.info),
        xp = byteOffset(storage, x),
        wp = byteOffset(storage, wInfo),
        bp = byteOffset(storage, bias);
      if (M4 > 0) {
        // Row blocks per thread: each output row is computed as one thread computes it.
        const ranges = splitRange(M4, M4 * n * m >= PARALLEL_MACS ? partCount(threads, 4) : 1, 4);
        parts(
          'matmul',
          ranges.map(([r0, r1]) => [o + 4 * r0 * m, xp + 4 * r0 * n, n, r1 - r0, n, wp, m, bp]),
        );
      }
      if (M4 < M) {
        // The last M % 4 rows, one value at a time (tailAccCode).
        parts(attrs?.tail32 === true ? 'denseTail32' : 'denseTail', [
          [o + 4 * M4 * m, xp + 4 * M4 * n, n, M - M4, n, wp, m, bp],
        ]);
      }
      if (wt) storage.free(wt.info);
      return out.info;
    },
  },
  {
    // aᵀ·b for a `[E, n]`, b `[E, m]` (n % 4 = 0, m % 8 = 0). With attrs.sums, the column sums of b too, summed as
    // the CrysSimdColSum kernel sums them, kept for the next CrysSimdColSum of the same b (see lastSums).
    kernelName: KERNEL_SIMD_MATMUL_TN,
    backends: ['wasm'],
    module: linearModule,
    simdOnly: true,
    run({ inputs: { a, b }, attrs, storage, threads, parts }) {
      const [E, n] = a.shape;
      const m = b.shape[1];
      const out = storage.alloc([n, m], 'float32');
      const o = storage.read(out.info);
      o.fill(0);
      if (E === 0) return out.info;
      // Rows are summed in blocks fixed by E alone (one block up to TN_BLOCK rows, then blocks of equal size), each
      // block's sum in row order, then the blocks in order: threads take blocks (and, with few blocks, output rows of
      // each), so each thread reads only its rows of a and b (a weight gradient over 10⁵ rows is bound by memory, not
      // arithmetic) and the result is the same for any number of threads.
      const { blocks, blockRows } = rowBlocks(E);
      const big = E * n * m >= PARALLEL_MACS;
      // One part per thread with a single block (E ≤ TN_BLOCK): every part reads all of b (and its rows of a), so
      // fewer parts move less (measured when perov_5's [12 058, 16]ᵀ·[12 058, 64] was one block: ≈ 15 % faster on two
      // threads than with two parts each).
      const rowParts = big ? Math.max(1, Math.ceil(partCount(threads, blocks === 1 ? 1 : 2) / blocks)) : 1;
      const rowRanges = splitRange(n, rowParts, 4);
      const scratch = blocks > 1 ? storage.alloc([blocks, n, m], 'float32') : undefined;
      if (scratch) storage.read(scratch.info).fill(0);
      // The column sums of b: one row per block (the part with i0 = 0 adds them), then summed over blocks.
      const sums = attrs?.sums === true ? storage.alloc([blocks, m], 'float32') : undefined;
      if (sums) storage.read(sums.info).fill(0);
      const sp = sums ? byteOffset(storage, sums.info) : 0;
      const [ap, bp] = [byteOffset(storage, a), byteOffset(storage, b)];
      const target = scratch ? byteOffset(storage, scratch.info) : byteOffset(storage, out.info);
      const calls: number[][] = [];
      for (let k = 0; k < blocks; k++) {
        const e0 = k * blockRows;
        const rows = Math.min(E, e0 + blockRows) - e0;
        const ks = sums ? sp + 4 * k * m : 0;
        for (const [i0, i1] of rowRanges)
          calls.push([target + 4 * k * n * m, ap + 4 * e0 * n, bp + 4 * e0 * m, rows, n, m, i0, i1, ks]);
      }
      parts('matmulTN', calls);
      if (scratch) {
        // out = ((0 + block 0) + block 1) + …, in float32: the column sums of the blocks `[blocks, n·m]` (a
        // JavaScript loop over 24 blocks of 64 × 64 took ≈ 0.2 ms).
        parts('colSum', colSumCalls(byteOffset(storage, out.info), target, blocks, n * m, threads));
        storage.free(scratch.info);
      }
      if (sums) {
        lastSums = { dataId: b.dataId, rows: E, values: addBlockRows(new Float32Array(m), storage.read(sums.info)) };
        storage.free(sums.info);
      }
      return out.info;
    },
  },
  {
    // Σ_e b[e, :] for b `[E, m]` (m % 4 = 0): in the row blocks of CrysSimdMatMulTN, each block's rows in order from
    // zero, then the blocks in order, all in float32; taken from lastSums when the weight gradient of the same b has
    // just summed them.
    kernelName: KERNEL_SIMD_COL_SUM,
    backends: ['wasm'],
    module: linearModule,
    simdOnly: true,
    run({ inputs: { b }, storage, threads, parts }) {
      const [E, m] = b.shape;
      const out = storage.alloc([m], 'float32');
      const o = storage.read(out.info);
      const kept = lastSums;
      lastSums = undefined;
      if (kept && kept.dataId === b.dataId && kept.rows === E && kept.values.length === m) {
        o.set(kept.values);
        return out.info;
      }
      o.fill(0);
      if (E === 0) return out.info;
      const { blocks, blockRows } = rowBlocks(E);
      const [op, bp] = [byteOffset(storage, out.info), byteOffset(storage, b)];
      if (blocks === 1) {
        parts('colSum', colSumCalls(op, bp, E, m, threads));
        return out.info;
      }
      const scratch = storage.alloc([blocks, m], 'float32');
      storage.read(scratch.info).fill(0);
      const sp = byteOffset(storage, scratch.info);
      const calls: number[][] = [];
      for (let k = 0; k < blocks; k++) {
        const e0 = k * blockRows;
        calls.push([sp + 4 * k * m, bp + 4 * e0 * m, Math.min(E, e0 + blockRows) - e0, m, m]);
      }
      parts('colSum', calls);
      addBlockRows(o, storage.read(scratch.info));
      storage.free(scratch.info);
      return out.info;
    },
  },
]);

// ------------------------------------------------------------------------------------------------ forward and gradients

/** Backends on which a matmul with a transpose flag is much slower than transposing first (measured, wasm ≈10×). */
const EXPLICIT_TRANSPOSE_BACKENDS = new Set(['wasm']);

function matMulT(a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean, transposeB: boolean): tf.Tensor2D {
  if (!EXPLICIT_TRANSPOSE_BACKENDS.has(tf.getBackend())) return tf.matMul(a, b, transposeA, transposeB);
  return tf.tidy(() => tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b));
}

const zeroBias = new Map<string, tf.Tensor1D>();

/** Whether {@link dense} runs our SIMD kernel for an `[rows, n]·[n, m]` product (its loops need n, m ≥ 1). */
const simdDense = (rows: number, n: number, m: number) => n > 0 && m > 0 && m % 8 === 0 && rows >= 4 && hasWasmSimd();

/** x·w + bias (zero when absent). On wasm with SIMD one pass of our 4 × 8-tile kernel, bias fused. */
function dense(x: tf.Tensor2D, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  const m = w.shape[1];
  // No inputs: every sum is empty (tfjs-backend-wasm's matMul leaves such an output unwritten).
  if (x.shape[1] === 0)
    return tf.tidy(() => (bias ? tf.add(tf.zeros([x.shape[0], m]), bias) : tf.zeros([x.shape[0], m])));
  if (simdDense(x.shape[0], x.shape[1], m)) {
    ensureRegistered();
    return tf.engine().runKernel(KERNEL_SIMD_LINEAR, { x, w, bias: bias ?? zeros(m) }, {}) as tf.Tensor2D;
  }
  if (x.shape[0] >= 4 && x.shape[1] > 0 && m > 0 && hasWasmSimd()) {
    // A narrow product (a head's few outputs): w padded to 8 columns for our kernel, whose 4-row tiles sum k in order
    // from zero as tfjs-backend-wasm's matMul (XNNPACK) does, and whose last rows do the same in float32 (tail32): the
    // same bits as tf.matMul, then the bias added as before (in the slice's pass). tf.matMul took ≈ 0.5 ms of a perov_5
    // batch's forward pass.
    ensureRegistered();
    return tf.tidy(() => {
      const padded = Math.ceil(m / 8) * 8;
      const full = tf.engine().runKernel(KERNEL_SIMD_LINEAR, { x, w: padColumns(w, 0, padded), bias: zeros(padded) }, {
        tail32: true,
      } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
      return bias ? sliceColumnsAddBias(full, 0, m, bias) : sliceColumns(full, 0, m);
    });
  }
  return tf.tidy(() => (bias ? tf.add(tf.matMul(x, w), bias) : tf.matMul(x, w)));
}

/** A shared zero vector of length m on the current backend (the bias of products that have none). */
function zeros(m: number): tf.Tensor1D {
  const key = `${tf.getBackend()}:${m}`;
  let b = zeroBias.get(key);
  if (!b || b.isDisposed) {
    b = tf.keep(tf.zeros([m]) as tf.Tensor1D);
    zeroBias.set(key, b);
  }
  return b;
}

/** g·wᵀ, the input gradient of a dense layer (w is small: our kernel transposes it into a scratch first). */
export function denseInputGradient(g: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  if (g.shape[1] === 0) return tf.zeros([g.shape[0], w.shape[0]]);
  if (w.shape[0] > 0 && w.shape[1] > 0 && w.shape[0] % 8 === 0 && g.shape[0] >= 4 && hasWasmSimd()) {
    ensureRegistered();
    const attrs = { transposeW: true } as unknown as tf.NamedAttrMap;
    return tf.engine().runKernel(KERNEL_SIMD_LINEAR, { x: g, w, bias: zeros(w.shape[0]) }, attrs) as tf.Tensor2D;
  }
  return matMulT(g, w, false, true);
}

/**
 * The weight gradient xᵀ·g of a dense layer (x `[M, in]`, g `[M, out]`). On wasm with SIMD, one pass of our kernel
 * on tfjs's heap: tfjs's matmul of `[in, M]·[M, out]` with M ≫ in, out repacks g (its "weights") on every call and
 * ran at 0.7–2 GMAC/s on carbon_24 batches (measured with tf.profile), the largest cost of a training step. With
 * `withBias` (a bias gradient of the same g follows) that pass sums g's columns too, which spares the bias gradient
 * its own pass over g: ≈ 6 % of a 10⁴-atom training step (9 passes over [2·10⁵, 64]).
 */
export function weightGradient(x: tf.Tensor2D, g: tf.Tensor2D, withBias = false): tf.Tensor2D {
  const m = g.shape[1];
  if (m > 0 && x.shape[1] % 4 === 0 && hasWasmSimd()) {
    ensureRegistered();
    if (m % 8 === 0) {
      // withBias: the bias gradient biasGradient(g) follows, and this pass sums g's columns for it (see lastSums).
      const attrs = (withBias ? { sums: true } : {}) as unknown as tf.NamedAttrMap;
      return tf.engine().runKernel(KERNEL_SIMD_MATMUL_TN, { a: x, b: g }, attrs) as tf.Tensor2D;
    }
    // A narrow g (a head's few outputs) is padded to 8 columns: tfjs's flagged matmul would transpose all of x first.
    const padded = Math.ceil(m / 8) * 8;
    return tf.tidy(() => {
      const full = tf.engine().runKernel(KERNEL_SIMD_MATMUL_TN, { a: x, b: padColumns(g, 0, padded) }, {});
      return sliceColumns(full as tf.Tensor2D, 0, m);
    });
  }
  return matMulT(x, g, true, false);
}

/** Σ over rows of g `[M, out]`, the bias gradient (tfjs's sum over axis 0 transposes first on wasm). */
export function biasGradient(g: tf.Tensor2D): tf.Tensor1D {
  if (hasWasmSimd()) {
    ensureRegistered();
    const m = g.shape[1];
    if (m % 4 === 0) return tf.engine().runKernel(KERNEL_SIMD_COL_SUM, { b: g }, {}) as tf.Tensor1D;
    return tf.tidy(() => {
      const full = tf.engine().runKernel(KERNEL_SIMD_COL_SUM, { b: padColumns(g, 0, Math.ceil(m / 4) * 4) }, {});
      return tf.slice(full as tf.Tensor1D, 0, m);
    });
  }
  return tf.sum(g, 0);
}

const linearGrad = customGrad((x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, kernel]);
  return {
    value: dense(x as tf.Tensor2D, kernel as tf.Tensor2D, bias as tf.Tensor1D),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      return [
        denseInputGradient(g, saved[1] as tf.Tensor2D),
        weightGradient(saved[0] as tf.Tensor2D, g),
        biasGradient(g),
      ];
    },
  };
});

const linearNoBiasGrad = customGrad((x: tf.Tensor, kernel: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, kernel]);
  return {
    value: dense(x as tf.Tensor2D, kernel as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      return [denseInputGradient(g, saved[1] as tf.Tensor2D), weightGradient(saved[0] as tf.Tensor2D, g)];
    },
  };
});

/**
 * The gradient of our SIMD dense kernel, registered with tfjs so that each input's gradient is computed only when the
 * backward pass needs it (a `customGrad` computes all of them): the first edge layer's input is the radial basis of
 * the edge lengths, whose gradient `g·W_cᵀ` (an `[E, H]·[H, K]` product) a training step never uses.
 */
function ensureLinearGradientRegistered(): void {
  if (tf.getGradient(KERNEL_SIMD_LINEAR) !== undefined) return;
  tf.registerGradient({
    kernelName: KERNEL_SIMD_LINEAR,
    inputsToSave: ['x', 'w'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
      const g = dy as tf.Tensor2D;
      const [x, w] = saved as tf.Tensor2D[];
      if ((attrs as { transposeW?: boolean } | undefined)?.transposeW === true) {
        // y = x·wᵀ + b (an input gradient, differentiated again): ∂x = g·w, ∂w = gᵀ·x.
        return { x: () => dense(g, w), w: () => weightGradient(g, x), bias: () => biasGradient(g) };
      }
      return { x: () => denseInputGradient(g, w), w: () => weightGradient(x, g, true), bias: () => biasGradient(g) };
    },
  });
}

// ------------------------------------------------------------------------------------------------ op

/**
 * Dense layer `x·W + b` for `x` `[M, in]`, `kernel` `[in, out]` (tfjs/Keras layout) and optional `bias` `[out]`.
 * The forward pass uses no transpose flag, and the backward pass transposes explicitly on wasm (where a flagged
 * matmul is about 10× slower).
 *
 * @example
 * ```ts
 * linear(tf.tensor2d([[1, 2]]), tf.tensor2d([[1, 0], [0, 1]]), tf.tensor1d([10, 20])).print(); // [[11, 22]]
 * ```
 */
export function linear(x: tf.Tensor2D, kernel: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  const fn = 'linear';
  if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.dtype !== 'float32') {
    throw new InvalidArgumentError(fn, 'x', `must be a float32 tensor of rank 2, got ${describeTensor(x)}`, x);
  }
  if (!(kernel instanceof tf.Tensor) || kernel.rank !== 2 || kernel.shape[0] !== x.shape[1]) {
    throw new InvalidArgumentError(
      fn,
      'kernel',
      `must have shape [${x.shape[1]}, out], got ${describeTensor(kernel)}`,
      kernel,
    );
  }
  if (bias !== undefined && (!(bias instanceof tf.Tensor) || bias.rank !== 1 || bias.shape[0] !== kernel.shape[1])) {
    throw new InvalidArgumentError(
      fn,
      'bias',
      `must have shape [${kernel.shape[1]}], got ${describeTensor(bias)}`,
      bias,
    );
  }
  if (simdDense(x.shape[0], x.shape[1], kernel.shape[1])) {
    // One kernel with a registered gradient (see ensureLinearGradientRegistered); a missing bias is a shared zero
    // vector, which no gradient reaches.
    ensureLinearGradientRegistered();
    return dense(x, kernel, bias);
  }
  return (bias === undefined ? linearNoBiasGrad(x, kernel) : linearGrad(x, kernel, bias)) as tf.Tensor2D;
}
