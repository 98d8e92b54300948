// WebAssembly SIMD kernels, assembled below (no toolchain, no binary blob): a matrix product with bias (4 rows × 8
// columns per step in f32x4 lanes), the weight gradient aᵀ·b, column sums, SiLU and its gradient (a Cephes-style
// exp), and row gathers / scatter-adds by index. The module imports its memory, so it runs on any heap:
// - the plain inference path (inference.ts) gives it a memory of its own, through `denseKernels()`, with a plain-loop
//   fallback where WebAssembly SIMD is missing;
// - the wasm backend's kernels (kernel-registry.ts) instantiate it on tfjs-backend-wasm's own heap, so tensors are
//   read and written in place.
//
// Layout for `matmul`: matrices are row-major at float offsets; x `[rows, n]` has row stride `ldx`, w `[n, m]` (the
// tfjs `[in, out]` kernel layout) has m a multiple of 8, and the output `[rows, m]` rows of stride m. `rows` must be a
// multiple of 4 (callers allocate the padding rows; their values are never read back).

/** A heap of float32 values and the two kernels over it. Offsets and sizes are in floats. */
export interface DenseKernels {
  /** The current view of the heap (replaced when the heap grows). */
  readonly heap: Float32Array;
  /** True when the WebAssembly SIMD kernels are in use. */
  readonly simd: boolean;
  /** Grows the heap to at least `floats` values, keeping its contents. */
  reserve(floats: number): void;
  /** `out[r, j] = bias[j] + Σ_k x[r·ldx + k]·w[k·m + j]` for r < rows (multiple of 4), j < m (multiple of 8). */
  matmul(out: number, x: number, ldx: number, rows: number, n: number, w: number, m: number, bias: number): void;
  /** `x ← x·σ(x)` for `count` values (a multiple of 4) from `ptr`. */
  silu(ptr: number, count: number): void;
}

const PAGE = 65536;

// ---------------------------------------------------------------------------------------------- wasm assembler

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const I32 = 0x7f;
const V128 = 0x7b;

// Instructions (https://webassembly.github.io/spec/core/binary/instructions.html).
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const add = [0x6a];
const mul = [0x6c];
const ltU = [0x49];
const ishl32 = [0x74];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const vload = (offset = 0) => simd(0x00, 4, ...uleb(offset));
const vstore = (offset = 0) => simd(0x0b, 4, ...uleb(offset));
const load32Splat = (offset = 0) => simd(0x09, 2, ...uleb(offset));
const f32x4Splat = (v: number) => {
  const b = new Uint8Array(new Float32Array([v, v, v, v]).buffer);
  return simd(0x0c, ...b);
};
const i32x4Splat = (v: number) => {
  const b = new Uint8Array(new Int32Array([v, v, v, v]).buffer);
  return simd(0x0c, ...b);
};
const fadd = simd(0xe4);
const fsub = simd(0xe5);
const fmul = simd(0xe6);
const fdiv = simd(0xe7);
// f32x4.pmin / pmax (`b < a ? b : a`, `a < b ? b : a`): one minps / maxps on x86, where the IEEE min / max take a
// sequence of instructions for NaN and ±0; NaN in the first operand passes through.
const pmin = simd(0xea);
const pmax = simd(0xeb);
const flt = simd(0x43);
const fgt = simd(0x44);
const vandnot = simd(0x4f);
const vbitselect = simd(0x52);
const iadd = simd(0xae);
const ishl = simd(0xab);
/** `do { body } while (cond)`: body, then the condition (an i32) branches back to the loop start. */
const doWhile = (body: number[], cond: number[]) => [0x03, 0x40, ...body, ...cond, 0x0d, 0, 0x0b];

/**
 * matmul(out, x, ldx, rows, n, w, m, bias), all byte offsets or counts as i32. Legend: r row block (4 rows), j column
 * block (8 columns = 2 vectors), k inner index; acc[q][h] holds row r+q, columns j+4h … j+4h+3.
 */
function matmulBody(): number[] {
  const [OUT, X, LDX, ROWS, N, W, M, BIAS] = [0, 1, 2, 3, 4, 5, 6, 7];
  // i32 locals
  const R = 8,
    J = 9,
    K = 10,
    XP = 11,
    WP = 12,
    OP = 13,
    LDXB = 14,
    MB = 15;
  // v128 locals: 8 accumulators, 2 weight vectors, 1 splat
  const ACC = 16,
    WA = 24,
    WB = 25,
    S = 26;
  const acc = (q: number, h: number) => ACC + 2 * q + h;
  const code: number[] = [];
  code.push(...get(LDX), ...i32(4), ...mul, ...set(LDXB));
  code.push(...get(M), ...i32(4), ...mul, ...set(MB));
  code.push(...i32(0), ...set(R));
  const rowBlock: number[] = [];
  rowBlock.push(...i32(0), ...set(J));
  const colBlock: number[] = [];
  // acc = bias[j … j+8]
  for (let q = 0; q < 4; q++) {
    for (let h = 0; h < 2; h++)
      colBlock.push(...get(BIAS), ...get(J), ...i32(4), ...mul, ...add, ...vload(16 * h), ...set(acc(q, h)));
  }
  // XP = x + r·ldx·4, WP = w + j·4
  colBlock.push(...get(X), ...get(R), ...get(LDXB), ...mul, ...add, ...set(XP));
  colBlock.push(...get(W), ...get(J), ...i32(4), ...mul, ...add, ...set(WP));
  colBlock.push(...i32(0), ...set(K));
  const inner: number[] = [];
  inner.push(...get(WP), ...vload(0), ...set(WA), ...get(WP), ...vload(16), ...set(WB));
  for (let q = 0; q < 4; q++) {
    // S = splat(x[r+q, k]); the row offset q·ldx·4 is added at run time.
    if (q === 0) inner.push(...get(XP), ...load32Splat(0), ...set(S));
    else inner.push(...get(XP), ...get(LDXB), ...i32(q), ...mul, ...add, ...load32Splat(0), ...set(S));
    inner.push(...get(acc(q, 0)), ...get(S), ...get(WA), ...fmul, ...fadd, ...set(acc(q, 0)));
    inner.push(...get(acc(q, 1)), ...get(S), ...get(WB), ...fmul, ...fadd, ...set(acc(q, 1)));
  }
  inner.push(...get(XP), ...i32(4), ...add, ...set(XP));
  inner.push(...get(WP), ...get(MB), ...add, ...set(WP));
  colBlock.push(...doWhile(inner, [...get(K), ...i32(1), ...add, 0x22, ...uleb(K), ...get(N), ...ltU]));
  // store: out + (r + q)·m·4 + j·4
  colBlock.push(...get(OUT), ...get(R), ...get(MB), ...mul, ...add, ...get(J), ...i32(4), ...mul, ...add, ...set(OP));
  for (let q = 0; q < 4; q++) {
    for (let h = 0; h < 2; h++) colBlock.push(...get(OP), ...get(acc(q, h)), ...vstore(16 * h));
    if (q < 3) colBlock.push(...get(OP), ...get(MB), ...add, ...set(OP));
  }
  rowBlock.push(...doWhile(colBlock, [...get(J), ...i32(8), ...add, 0x22, ...uleb(J), ...get(M), ...ltU]));
  code.push(...doWhile(rowBlock, [...get(R), ...i32(4), ...add, 0x22, ...uleb(R), ...get(ROWS), ...ltU]));
  const locals = vec([
    [8, I32],
    [11, V128],
  ]);
  const body = [...locals, ...code, 0x0b];
  return [...uleb(body.length), ...body];
}

/**
 * v128 constants kept in locals from `first` on (V8 rematerialises a `v128.const` inside a loop on every iteration):
 * `get(value)` gives the local, `init()` the code that fills them, run once before the loop.
 */
function constantPool(first: number) {
  const values: { f: number; int: boolean }[] = [];
  const local = (f: number, int: boolean) => {
    let i = values.findIndex((v) => v.f === f && v.int === int);
    if (i < 0) i = values.push({ f, int }) - 1;
    return first + i;
  };
  return {
    f32: (f: number) => get(local(f, false)),
    i32: (v: number) => get(local(v, true)),
    count: () => values.length,
    init: () => values.flatMap((v, i) => [...(v.int ? i32x4Splat(v.f) : f32x4Splat(v.f)), ...set(first + i)]),
  };
}
type Pool = ReturnType<typeof constantPool>;

/**
 * Code for `P = exp(T)` on v128 locals (NF and R are scratch; T is overwritten): exp(t) = 2ⁿ·p(r), r = t − n·ln2, n = round(t·log₂e)
 * (ln2 split in two for float32 accuracy), p Cephes' `expf` polynomial (≈1 ulp on |r| ≤ ln2/2). The rounding adds
 * 1.5·2²³ so the integer n lands in the low mantissa bits, which also give 2ⁿ's exponent bits directly. t is clamped
 * to [−87, 88] first, so 2ⁿ stays a normal float.
 */
function expCode(c: Pool, T: number, P: number, NF: number, R: number): number[] {
  const MAGIC = 12582912; // 1.5·2²³
  const o: number[] = [];
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

/** A function body: locals, code, end; prefixed by its size. */
function funcBody(locals: [number, number][], code: number[]): number[] {
  const b = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...code, 0x0b];
  return [...uleb(b.length), ...b];
}

/** `i += step; i < end` as a loop condition (leaves an i32). */
const advance = (i: number, step: number[], end: number) => [
  ...get(i),
  ...step,
  ...add,
  0x22,
  ...uleb(i),
  ...get(end),
  ...ltU,
];

/** silu(out, x, bytes): out = x / (1 + exp(−x)), four lanes at a time (out may equal x). */
function siluBody(): number[] {
  const [OUT, X, END] = [0, 1, 2];
  const [V, T, NF, R, P] = [3, 4, 5, 6, 7];
  const c = constantPool(8);
  const body: number[] = [];
  body.push(...get(X), ...vload(0), ...set(V));
  body.push(...c.f32(0), ...get(V), ...fsub, ...set(T));
  body.push(...expCode(c, T, P, NF, R));
  body.push(...get(OUT), ...get(V), ...get(P), ...c.f32(1), ...fadd, ...fdiv, ...vstore(0));
  body.push(...get(OUT), ...i32(16), ...add, ...set(OUT));
  const loop = doWhile(body, advance(X, i32(16), END));
  return funcBody([[5 + c.count(), V128]], [...c.init(), ...get(X), ...get(END), ...add, ...set(END), ...loop]);
}

/** Code for `V = x[X]` (four lanes) and `P = σ(V) = 1 / (1 + exp(−V))`; T, NF and R are scratch. */
function sigmoidCode(c: Pool, X: number, V: number, T: number, P: number, NF: number, R: number): number[] {
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

/** siluGrad(out, dy, x, bytes): out = dy·s·(1 + x·(1 − s)) with s = σ(x). */
function siluGradBody(): number[] {
  const [OUT, DY, X, END] = [0, 1, 2, 3];
  const [V, T, NF, R, P] = [4, 5, 6, 7, 8];
  const c = constantPool(9);
  const body: number[] = [];
  body.push(...sigmoidCode(c, X, V, T, P, NF, R));
  body.push(...get(OUT), ...get(DY), ...vload(0), ...get(P), ...fmul);
  body.push(...c.f32(1), ...get(V), ...c.f32(1), ...get(P), ...fsub, ...fmul, ...fadd, ...fmul, ...vstore(0));
  body.push(...get(OUT), ...i32(16), ...add, ...set(OUT), ...get(DY), ...i32(16), ...add, ...set(DY));
  const loop = doWhile(body, advance(X, i32(16), END));
  return funcBody([[5 + c.count(), V128]], [...c.init(), ...get(X), ...get(END), ...add, ...set(END), ...loop]);
}

/**
 * siluSig(out, sig, x, bytes): out = x·s and sig = s with s = σ(x) = 1 / (1 + exp(−x)), the forward pass under a
 * gradient tape: the saved σ lets the backward pass ({@link siluGradSigBody}) skip the exponential.
 */
function siluSigBody(): number[] {
  const [OUT, SIG, X, END] = [0, 1, 2, 3];
  const [V, T, NF, R, P] = [4, 5, 6, 7, 8];
  const c = constantPool(9);
  const body: number[] = [];
  body.push(...sigmoidCode(c, X, V, T, P, NF, R));
  body.push(...get(SIG), ...get(P), ...vstore(0), ...get(OUT), ...get(V), ...get(P), ...fmul, ...vstore(0));
  body.push(...get(OUT), ...i32(16), ...add, ...set(OUT), ...get(SIG), ...i32(16), ...add, ...set(SIG));
  const loop = doWhile(body, advance(X, i32(16), END));
  return funcBody([[5 + c.count(), V128]], [...c.init(), ...get(X), ...get(END), ...add, ...set(END), ...loop]);
}

/** siluGradSig(out, dy, y, s, bytes): out = dy·(s + y·(1 − s)), SiLU's derivative from y = silu(x) and s = σ(x). */
function siluGradSigBody(): number[] {
  const [OUT, DY, Y, S, END] = [0, 1, 2, 3, 4];
  const [P] = [5];
  const c = constantPool(6);
  const body: number[] = [];
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
  return funcBody([[1 + c.count(), V128]], [...c.init(), ...get(S), ...get(END), ...add, ...set(END), ...loop]);
}

/**
 * exp(out, x, bytes): out = eˣ, four lanes at a time (≈ 1 ulp). Below −87 it flushes to 0 (true values are below
 * 1.7·10⁻³⁸, subnormal from −87.3), above 88 it gives +∞ (slightly early: eˣ is finite up to 88.72); NaN stays NaN.
 */
function expBody(): number[] {
  const [OUT, X, END] = [0, 1, 2];
  const [V, T, NF, R, P] = [3, 4, 5, 6, 7];
  const c = constantPool(8);
  const body: number[] = [];
  body.push(...get(X), ...vload(0), ...set(V), ...get(V), ...set(T));
  body.push(...expCode(c, T, P, NF, R));
  body.push(...get(P), ...get(V), ...c.f32(-87), ...flt, ...vandnot, ...set(P));
  body.push(...get(OUT), ...c.f32(Number.POSITIVE_INFINITY), ...get(P), ...get(V), ...c.f32(88), ...fgt, ...vbitselect);
  body.push(...vstore(0), ...get(OUT), ...i32(16), ...add, ...set(OUT));
  const loop = doWhile(body, advance(X, i32(16), END));
  return funcBody([[5 + c.count(), V128]], [...c.init(), ...get(X), ...get(END), ...add, ...set(END), ...loop]);
}

/**
 * matmulTN(out, a, b, rows, n, m): out `[n, m]` += aᵀ·b for a `[rows, n]`, b `[rows, m]` (n a multiple of 4, m of 8,
 * rows ≥ 1), the weight gradient of a dense layer. Rows are taken in chunks of 128 so both chunks stay in cache while
 * every 4 × 8 tile of out accumulates over them.
 */
function matmulTNBody(): number[] {
  const [OUT, A, B, ROWS, N, M] = [0, 1, 2, 3, 4, 5];
  const [E0, E1, I, J, E, AP, BP, OP, NB, MB] = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const ACC = 16;
  const [WA, WB, S] = [24, 25, 26];
  const acc = (q: number, h: number) => ACC + 2 * q + h;
  const CH = 128;
  const inner: number[] = [];
  inner.push(...get(BP), ...vload(0), ...set(WA), ...get(BP), ...vload(16), ...set(WB));
  for (let q = 0; q < 4; q++) {
    inner.push(...get(AP), ...load32Splat(4 * q), ...set(S));
    inner.push(...get(acc(q, 0)), ...get(S), ...get(WA), ...fmul, ...fadd, ...set(acc(q, 0)));
    inner.push(...get(acc(q, 1)), ...get(S), ...get(WB), ...fmul, ...fadd, ...set(acc(q, 1)));
  }
  inner.push(...get(AP), ...get(NB), ...add, ...set(AP), ...get(BP), ...get(MB), ...add, ...set(BP));
  const tile: number[] = [];
  // OP = out + (i·m + j)·4; acc = out tile
  tile.push(...get(OUT), ...get(I), ...get(M), ...mul, ...get(J), ...add, ...i32(4), ...mul, ...add, ...set(OP));
  for (let q = 0; q < 4; q++) {
    for (let h = 0; h < 2; h++)
      tile.push(...get(OP), ...get(MB), ...i32(q), ...mul, ...add, ...vload(16 * h), ...set(acc(q, h)));
  }
  tile.push(...get(A), ...get(E0), ...get(NB), ...mul, ...add, ...get(I), ...i32(4), ...mul, ...add, ...set(AP));
  tile.push(...get(B), ...get(E0), ...get(MB), ...mul, ...add, ...get(J), ...i32(4), ...mul, ...add, ...set(BP));
  tile.push(...get(E0), ...set(E));
  tile.push(...doWhile(inner, advance(E, i32(1), E1)));
  for (let q = 0; q < 4; q++) {
    for (let h = 0; h < 2; h++)
      tile.push(...get(OP), ...get(MB), ...i32(q), ...mul, ...add, ...get(acc(q, h)), ...vstore(16 * h));
  }
  const cols = [...i32(0), ...set(J), ...doWhile(tile, advance(J, i32(8), M))];
  const rowsOfOut = [...i32(0), ...set(I), ...doWhile(cols, advance(I, i32(4), N))];
  const chunk: number[] = [];
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
    0x1b,
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
  return funcBody(
    [
      [10, I32],
      [11, V128],
    ],
    code,
  );
}

/** colSum(out, b, rows, m): out `[m]` += Σ_e b[e, :] for b `[rows, m]`, m a multiple of 4, rows ≥ 1. */
function colSumBody(): number[] {
  const [OUT, B, ROWS, M] = [0, 1, 2, 3];
  const [E, BP, OP, END] = [4, 5, 6, 7];
  const row: number[] = [];
  row.push(...get(OUT), ...set(OP), ...get(BP), ...get(M), ...i32(4), ...mul, ...add, ...set(END));
  row.push(
    ...doWhile(
      [
        ...get(OP),
        ...get(OP),
        ...vload(0),
        ...get(BP),
        ...vload(0),
        ...fadd,
        ...vstore(0),
        ...get(OP),
        ...i32(16),
        ...add,
        ...set(OP),
      ],
      advance(BP, i32(16), END),
    ),
  );
  return funcBody([[4, I32]], [...get(B), ...set(BP), ...i32(0), ...set(E), ...doWhile(row, advance(E, i32(1), ROWS))]);
}

const i32load = (offset = 0) => [0x28, 2, ...uleb(offset)];

/**
 * A loop over rows e < E with an inner loop over the F floats of a row, four at a time (F % 4 = 0, E ≥ 1, F ≥ 4).
 * `row` computes the row's pointers from E_ (the row index local); `vector` moves them by 16 bytes per step through
 * `step` (a list of pointer locals) and is given the byte offset local FB (0 … 4F).
 */
function rowLoop(e: number, rows: number, fb: number, fbEnd: number, row: number[], vector: number[]): number[] {
  return [
    ...i32(0),
    ...set(e),
    ...doWhile(
      [...row, ...i32(0), ...set(fb), ...doWhile(vector, advance(fb, i32(16), fbEnd))],
      advance(e, i32(1), rows),
    ),
  ];
}

/** gather2Add(out, a, ia, b, ib, c, E, F): out[e] = a[ia[e]] + b[ib[e]] + c[e], rows of F floats. */
function gather2AddBody(): number[] {
  const [OUT, A, IA, B, IB, C, E, F] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [I, FB, FBE, OP, AP, BP, CP] = [8, 9, 10, 11, 12, 13, 14];
  const row = [
    ...get(I),
    ...i32(2),
    ...ishl32,
    ...set(AP),
    ...get(A),
    ...get(IA),
    ...get(AP),
    ...add,
    ...i32load(),
    ...get(FBE),
    ...mul,
    ...add,
    ...get(B),
    ...get(IB),
    ...get(AP),
    ...add,
    ...i32load(),
    ...get(FBE),
    ...mul,
    ...add,
    ...set(BP),
    ...set(AP),
    ...get(I),
    ...get(FBE),
    ...mul,
    ...set(CP),
    ...get(OUT),
    ...get(CP),
    ...add,
    ...set(OP),
    ...get(C),
    ...get(CP),
    ...add,
    ...set(CP),
  ];
  const vector = [
    ...get(OP),
    ...get(FB),
    ...add,
    ...get(AP),
    ...get(FB),
    ...add,
    ...vload(0),
    ...get(BP),
    ...get(FB),
    ...add,
    ...vload(0),
    ...fadd,
    ...get(CP),
    ...get(FB),
    ...add,
    ...vload(0),
    ...fadd,
    ...vstore(0),
  ];
  return funcBody([[7, I32]], [...get(F), ...i32(4), ...mul, ...set(FBE), ...rowLoop(I, E, FB, FBE, row, vector)]);
}

/** Code for the byte address of row `idx[i]` of a matrix at `base` with rows of FBE bytes. */
const indexedRow = (base: number, idx: number, i: number, fbe: number) => [
  ...get(base),
  ...get(idx),
  ...get(i),
  ...i32(2),
  ...ishl32,
  ...add,
  ...i32load(),
  ...get(fbe),
  ...mul,
  ...add,
];

/** Code for the byte address of row `i` of a matrix at `base` with rows of FBE bytes. */
const directRow = (base: number, i: number, fbe: number) => [...get(base), ...get(i), ...get(fbe), ...mul, ...add];

/** gatherRows(out, x, idx, E, F): out[e] = x[idx[e]]. */
function gatherRowsBody(): number[] {
  const [OUT, X, IDX, E, F] = [0, 1, 2, 3, 4];
  const [I, FB, FBE, OP, XP] = [5, 6, 7, 8, 9];
  const row = [...indexedRow(X, IDX, I, FBE), ...set(XP), ...directRow(OUT, I, FBE), ...set(OP)];
  const vector = [...get(OP), ...get(FB), ...add, ...get(XP), ...get(FB), ...add, ...vload(0), ...vstore(0)];
  return funcBody([[5, I32]], [...get(F), ...i32(4), ...mul, ...set(FBE), ...rowLoop(I, E, FB, FBE, row, vector)]);
}

/** scatterAdd(out, x, seg, E, F): out[seg[e]] += x[e] (out zeroed by the caller). */
function scatterAddBody(): number[] {
  const [OUT, X, SEG, E, F] = [0, 1, 2, 3, 4];
  const [I, FB, FBE, OP, XP] = [5, 6, 7, 8, 9];
  const row = [...indexedRow(OUT, SEG, I, FBE), ...set(OP), ...directRow(X, I, FBE), ...set(XP)];
  const vector = [
    ...get(OP),
    ...get(FB),
    ...add,
    ...get(OP),
    ...get(FB),
    ...add,
    ...vload(0),
    ...get(XP),
    ...get(FB),
    ...add,
    ...vload(0),
    ...fadd,
    ...vstore(0),
  ];
  return funcBody([[5, I32]], [...get(F), ...i32(4), ...mul, ...set(FBE), ...rowLoop(I, E, FB, FBE, row, vector)]);
}

/** The module's functions in index order: name, type (by parameter count) and body. */
const FUNCTIONS: [string, number, () => number[]][] = [
  ['matmul', 8, matmulBody],
  ['silu', 3, siluBody],
  ['siluGrad', 4, siluGradBody],
  ['matmulTN', 6, matmulTNBody],
  ['colSum', 4, colSumBody],
  ['gather2Add', 8, gather2AddBody],
  ['gatherRows', 5, gatherRowsBody],
  ['scatterAdd', 5, scatterAddBody],
  ['siluSig', 4, siluSigBody],
  ['siluGradSig', 5, siluGradSigBody],
  ['exp', 3, expBody],
];

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const arities = [...new Set(FUNCTIONS.map(([, n]) => n))];
  const params = (n: number) => [0x60, ...vec(Array.from({ length: n }, () => [I32])), 0];
  const types = vec(arities.map(params));
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  const imports = vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]]);
  const funcs = vec(FUNCTIONS.map(([, n]) => uleb(arities.indexOf(n))));
  const exports = vec(FUNCTIONS.map(([fn], i) => [...name(fn), 0x00, ...uleb(i)]));
  const code = vec(FUNCTIONS.map(([, , body]) => body()));
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  return new Uint8Array([
    ...magic,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

/** The module's functions; every pointer is a byte offset into the memory it was instantiated on. */
export interface SimdExports {
  matmul(out: number, x: number, ldx: number, rows: number, n: number, w: number, m: number, bias: number): void;
  silu(out: number, x: number, bytes: number): void;
  siluGrad(out: number, dy: number, x: number, bytes: number): void;
  matmulTN(out: number, a: number, b: number, rows: number, n: number, m: number): void;
  colSum(out: number, b: number, rows: number, m: number): void;
  gather2Add(out: number, a: number, ia: number, b: number, ib: number, c: number, rows: number, f: number): void;
  gatherRows(out: number, x: number, idx: number, rows: number, f: number): void;
  scatterAdd(out: number, x: number, seg: number, rows: number, f: number): void;
  siluSig(out: number, sig: number, x: number, bytes: number): void;
  siluGradSig(out: number, dy: number, y: number, s: number, bytes: number): void;
  exp(out: number, x: number, bytes: number): void;
}

/**
 * The SIMD kernels instantiated on `memory` (e.g. tfjs-backend-wasm's heap), or null without WebAssembly SIMD or when
 * the memory cannot be imported (a shared memory, as threaded tfjs-backend-wasm builds use).
 */
export function simdKernelsOn(memory: WebAssembly.Memory): SimdExports | null {
  const module = simdModule();
  if (!module) return null;
  try {
    return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdExports;
  } catch {
    return null;
  }
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
function simdModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = moduleBytes();
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

// ---------------------------------------------------------------------------------------------- implementations

class WasmKernels implements DenseKernels {
  readonly simd = true;
  heap: Float32Array;
  private readonly memory: WebAssembly.Memory;
  private readonly k: SimdExports;

  constructor(k: SimdExports, memory: WebAssembly.Memory) {
    this.memory = memory;
    this.k = k;
    this.heap = new Float32Array(this.memory.buffer);
  }

  reserve(floats: number): void {
    const bytes = floats * 4;
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      this.memory.grow(Math.ceil((bytes - have) / PAGE));
      this.heap = new Float32Array(this.memory.buffer);
    }
  }

  matmul(out: number, x: number, ldx: number, rows: number, n: number, w: number, m: number, bias: number): void {
    if (rows > 0 && n > 0) this.k.matmul(4 * out, 4 * x, ldx, rows, n, 4 * w, m, 4 * bias);
    else if (rows > 0) for (let r = 0; r < rows; r++) this.heap.copyWithin(out + r * m, bias, bias + m);
  }

  silu(ptr: number, count: number): void {
    if (count > 0) this.k.silu(4 * ptr, 4 * ptr, 4 * count);
  }
}

class JsKernels implements DenseKernels {
  readonly simd = false;
  heap = new Float32Array(1024);

  reserve(floats: number): void {
    if (floats > this.heap.length) {
      const next = new Float32Array(Math.max(floats, 2 * this.heap.length));
      next.set(this.heap);
      this.heap = next;
    }
  }

  matmul(out: number, x: number, ldx: number, rows: number, n: number, w: number, m: number, bias: number): void {
    const h = this.heap;
    for (let r = 0; r < rows; r += 2) {
      const x0 = x + r * ldx;
      const x1 = x0 + ldx;
      const o0 = out + r * m;
      const o1 = o0 + m;
      for (let j = 0; j < m; j += 4) {
        let a0 = h[bias + j],
          a1 = h[bias + j + 1],
          a2 = h[bias + j + 2],
          a3 = h[bias + j + 3];
        let b0 = a0,
          b1 = a1,
          b2 = a2,
          b3 = a3;
        for (let k = 0, wk = w + j; k < n; k++, wk += m) {
          const u = h[x0 + k];
          const v = h[x1 + k];
          const c0 = h[wk];
          const c1 = h[wk + 1];
          const c2 = h[wk + 2];
          const c3 = h[wk + 3];
          a0 += u * c0;
          a1 += u * c1;
          a2 += u * c2;
          a3 += u * c3;
          b0 += v * c0;
          b1 += v * c1;
          b2 += v * c2;
          b3 += v * c3;
        }
        h[o0 + j] = a0;
        h[o0 + j + 1] = a1;
        h[o0 + j + 2] = a2;
        h[o0 + j + 3] = a3;
        h[o1 + j] = b0;
        h[o1 + j + 1] = b1;
        h[o1 + j + 2] = b2;
        h[o1 + j + 3] = b3;
      }
    }
  }

  silu(ptr: number, count: number): void {
    const h = this.heap;
    for (let i = ptr; i < ptr + count; i++) {
      const v = h[i];
      h[i] = v / (1 + Math.exp(-v));
    }
  }
}

/**
 * A fresh heap with the fastest kernels available: WebAssembly SIMD, or plain loops (also when `simd` is false).
 *
 * @example
 * ```ts
 * const k = denseKernels(); k.reserve(1024); k.silu(0, 8);
 * ```
 */
export function denseKernels(simd = true): DenseKernels {
  if (simd && typeof WebAssembly === 'object') {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const k = simdKernelsOn(memory);
    if (k) return new WasmKernels(k, memory);
  }
  return new JsKernels();
}
