// Dense kernels for the plain inference path (inference.ts): a matrix product with bias and an in-place SiLU over
// one Float32Array "heap". With WebAssembly SIMD (Node ≥ 16.4, every current browser) they run as a tiny module
// assembled below, which multiplies 4 rows × 8 columns per step with f32x4 lanes; without it, as plain loops.
//
// Layout: every matrix lives in the heap at a float offset, row-major. A product reads x `[rows, n]` with row stride
// `ldx`, and w `[n, m]` (the tfjs `[in, out]` kernel layout) with `m` a multiple of 8, and writes `[rows, m]` rows
// of stride m. `rows` must be a multiple of 4 (callers allocate the padding rows; their values are never read back).

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
const sub = [0x6b];
const mul = [0x6c];
const ltU = [0x49];
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
const fmin = simd(0xe8);
const fmax = simd(0xe9);
const fnearest = simd(0x6a);
const truncSat = simd(0xf8);
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
 * silu(ptr, bytes): x ← x / (1 + exp(−x)), four lanes at a time. exp(t) = 2ⁿ·p(t − n·ln2) with n = nearest(t·log₂e),
 * ln2 split in two for float32 accuracy, p the degree-7 Taylor polynomial (error < 1e-8 on |r| ≤ ln2/2), and 2ⁿ built
 * from the exponent bits; t is clamped to [−87, 88] so 2ⁿ stays a normal float.
 */
function siluBody(): number[] {
  const PTR = 0,
    END = 1;
  const X = 2,
    T = 3,
    NF = 4,
    R = 5,
    P = 6;
  const code: number[] = [];
  code.push(...get(PTR), ...get(END), ...add, ...set(END));
  const body: number[] = [];
  body.push(...get(PTR), ...vload(0), ...set(X));
  // t = clamp(−x)
  body.push(...f32x4Splat(0), ...get(X), ...fsub, ...f32x4Splat(-87), ...fmax, ...f32x4Splat(88), ...fmin, ...set(T));
  body.push(...get(T), ...f32x4Splat(Math.LOG2E), ...fmul, ...fnearest, ...set(NF));
  body.push(...get(T), ...get(NF), ...f32x4Splat(0.693145751953125), ...fmul, ...fsub);
  body.push(...get(NF), ...f32x4Splat(1.428606765330187e-6), ...fmul, ...fsub, ...set(R));
  // Horner: p = 1 + r(1 + r(1/2 + r(1/6 + r(1/24 + r(1/120 + r(1/720 + r/5040))))))
  const coef = [1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1];
  body.push(...f32x4Splat(coef[0]), ...set(P));
  for (let i = 1; i < coef.length; i++)
    body.push(...get(P), ...get(R), ...fmul, ...f32x4Splat(coef[i]), ...fadd, ...set(P));
  // 2ⁿ = bits((n + 127) << 23)
  body.push(...get(P), ...get(NF), ...truncSat, ...i32x4Splat(127), ...iadd, ...i32(23), ...ishl, ...fmul, ...set(P));
  // x / (1 + e)
  body.push(...get(PTR), ...get(X), ...get(P), ...f32x4Splat(1), ...fadd, ...fdiv, ...vstore(0));
  const code2 = [...code, ...doWhile(body, [...get(PTR), ...i32(16), ...add, 0x22, ...uleb(PTR), ...get(END), ...ltU])];
  const locals = vec([[5, V128]]);
  const b = [...locals, ...code2, 0x0b];
  return [...uleb(b.length), ...b];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const types = vec([
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32], [I32], [I32]]), 0],
    [0x60, ...vec([[I32], [I32]]), 0],
  ]);
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  const imports = vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]]);
  const funcs = vec([[0], [1]]);
  const exports = vec([
    [...name('matmul'), 0x00, 0],
    [...name('silu'), 0x00, 1],
  ]);
  const code = vec([matmulBody(), siluBody()]);
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, code),
  ]);
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
  private readonly mm: (...a: number[]) => void;
  private readonly sl: (ptr: number, bytes: number) => void;

  constructor(module: WebAssembly.Module) {
    this.memory = new WebAssembly.Memory({ initial: 1 });
    const inst = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.mm = inst.exports.matmul as (...a: number[]) => void;
    this.sl = inst.exports.silu as (ptr: number, bytes: number) => void;
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
    if (rows > 0 && n > 0) this.mm(4 * out, 4 * x, ldx, rows, n, 4 * w, m, 4 * bias);
    else if (rows > 0) for (let r = 0; r < rows; r++) this.heap.copyWithin(out + r * m, bias, bias + m);
  }

  silu(ptr: number, count: number): void {
    if (count > 0) this.sl(4 * ptr, 4 * count);
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
  const module = simd ? simdModule() : null;
  return module ? new WasmKernels(module) : new JsKernels();
}
