import { describe, expect, test } from 'vitest';
import { randomArray } from '../test/helpers.js';
import { denseKernels } from './inference-kernels.js';
import { gatherRowsModule } from './ops/gather-rows.js';
import { gatherRowsAddModule } from './ops/gather-rows-add.js';
import { type LinearExports, linearModule } from './ops/linear.js';
import { segmentSumModule } from './ops/segment-sum.js';
import { siluModule } from './ops/silu.js';

describe.each([
  ['WebAssembly SIMD', true],
  ['plain loops', false],
] as const)('denseKernels (%s)', (_, simd) => {
  test('denseKernels() uses WebAssembly SIMD in Node when asked to', () => {
    expect(denseKernels(simd).simd).toBe(simd);
  });

  test('matmul(out, x, ldx, rows, n, w, m, bias) writes bias + x·w for every row and column', () => {
    const k = denseKernels(simd);
    for (const [rows, n, m, ldx] of [
      [4, 1, 8, 1],
      [8, 16, 64, 16],
      [12, 64, 8, 70],
      [160, 64, 64, 64],
      [4, 3, 24, 5],
    ]) {
      const x = randomArray(rows * ldx, rows + n);
      const w = randomArray(n * m, m + 1);
      const b = randomArray(m, 7);
      const [X, W, B] = [0, rows * ldx, rows * ldx + n * m];
      const OUT = B + m + 3; // deliberately not 4-aligned
      k.reserve(OUT + rows * m + 1);
      k.heap.set(x, X);
      k.heap.set(w, W);
      k.heap.set(b, B);
      k.heap[OUT + rows * m] = 12345; // a sentinel just past the output
      k.matmul(OUT, X, ldx, rows, n, W, m, B);
      let err = 0;
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < m; j++) {
          let s = b[j];
          for (let q = 0; q < n; q++) s += x[r * ldx + q] * w[q * m + j];
          err = Math.max(err, Math.abs(k.heap[OUT + r * m + j] - s));
        }
      }
      expect(err).toBeLessThan(1e-5);
      expect(k.heap[OUT + rows * m]).toBe(12345);
    }
  });

  test('silu(ptr, count) writes x·σ(x) in place, finite for large |x|', () => {
    const k = denseKernels(simd);
    const n = 4096;
    const x = randomArray(n, 3).map((v, i) => v * (i < 64 ? 200 : 12));
    x[0] = 0;
    x[1] = -1e30;
    x[2] = 1e30;
    x[3] = -88.5;
    k.reserve(n + 9);
    k.heap.set(x, 5);
    k.heap[4] = 7;
    k.heap[5 + n] = 7;
    k.silu(5, n);
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const want = v / (1 + Math.exp(-v));
      expect(Math.abs(k.heap[5 + i] - want)).toBeLessThanOrEqual(2e-7 * Math.max(1, Math.abs(want)));
    }
    expect([k.heap[4], k.heap[5 + n]]).toEqual([7, 7]);
  });

  test('reserve(floats) grows the heap and keeps its contents', () => {
    const k = denseKernels(simd);
    k.reserve(16);
    k.heap[15] = 3;
    k.reserve(1 << 20);
    expect(k.heap.length).toBeGreaterThanOrEqual(1 << 20);
    expect(k.heap[15]).toBe(3);
  });
});

describe('module.on(memory): the kernel modules the wasm backend runs on its own heap', () => {
  const MODULES = [linearModule, siluModule, gatherRowsModule, gatherRowsAddModule, segmentSumModule] as const;
  const setup = (floats: number) => {
    const memory = new WebAssembly.Memory({ initial: Math.ceil((floats * 4) / 65536) + 1 });
    const on = <T>(m: { on(memory: WebAssembly.Memory): T | null }): T => {
      const k = m.on(memory);
      if (!k) throw new Error('no WebAssembly SIMD');
      return k;
    };
    const k = {
      ...on(linearModule),
      ...on(siluModule),
      ...on(gatherRowsModule),
      ...on(gatherRowsAddModule),
      ...on(segmentSumModule),
    };
    return { k, heap: new Float32Array(memory.buffer), ints: new Int32Array(memory.buffer) };
  };

  test('module.on(memory) runs on a shared memory too (the variant importing a shared memory)', () => {
    const shared = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
    for (const m of MODULES) expect(m.on(shared)).not.toBeNull();
    const heap = new Float32Array(shared.buffer);
    heap.set([1, 2, 3, 4, 5, 6, 7, 8], 0);
    (linearModule.on(shared) as LinearExports).colSum(4 * 16, 0, 2, 4, 4);
    expect(Array.from(heap.subarray(16, 20))).toEqual([6, 8, 10, 12]);
  });

  test('matmulTN(out, a, b, rows, n, m, 0, n) adds aᵀ·b to out over row chunks; i0, i1 limit the rows of out', () => {
    const [rows, n, m] = [300, 8, 16];
    const { k, heap } = setup(rows * (n + m) + n * m);
    const a = randomArray(rows * n, 1);
    const b = randomArray(rows * m, 2);
    const [A, B, OUT] = [0, rows * n, rows * (n + m)];
    heap.set(a, A);
    heap.set(b, B);
    heap.fill(1, OUT, OUT + n * m);
    k.matmulTN(4 * OUT, 4 * A, 4 * B, rows, n, m, 0, 4, 0);
    expect(heap[OUT + 4 * m]).toBe(1);
    k.matmulTN(4 * OUT, 4 * A, 4 * B, rows, n, m, 4, n, 0);
    let err = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) {
        let s = 1;
        for (let e = 0; e < rows; e++) s += a[e * n + i] * b[e * m + j];
        err = Math.max(err, Math.abs(heap[OUT + i * m + j] - s));
      }
    expect(err).toBeLessThan(1e-4);
  });

  test('matmulTN(…, sums) with i0 = 0 also adds the column sums of b to sums, as colSum adds them', () => {
    const [rows, n, m] = [300, 8, 16];
    const { k, heap } = setup(rows * (n + m) + n * m + 2 * m);
    const b = Float32Array.from(randomArray(rows * m, 4));
    const [A, B, OUT, SUMS, REF] = [0, rows * n, rows * (n + m), rows * (n + m) + n * m, rows * (n + m) + n * m + m];
    heap.set(randomArray(rows * n, 3), A);
    heap.set(b, B);
    heap.fill(0.5, SUMS, SUMS + m);
    heap.fill(0.5, REF, REF + m);
    k.matmulTN(4 * OUT, 4 * A, 4 * B, rows, n, m, 4, n, 4 * SUMS); // no tile of out row 0: sums untouched
    expect(Array.from(heap.subarray(SUMS, SUMS + m))).toEqual(new Array(m).fill(0.5));
    k.matmulTN(4 * OUT, 4 * A, 4 * B, rows, n, m, 0, 4, 4 * SUMS);
    k.colSum(4 * REF, 4 * B, rows, m, m);
    expect(Array.from(heap.subarray(SUMS, SUMS + m))).toEqual(Array.from(heap.subarray(REF, REF + m)));
  });

  test('colSum(out, b, rows, m, ld) adds the column sums of b (row stride ld) to out', () => {
    const [rows, m] = [37, 12];
    const { k, heap } = setup(rows * m + m);
    const b = randomArray(rows * m, 3);
    heap.set(b, 0);
    k.colSum(4 * rows * m, 0, rows, m, m);
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let e = 0; e < rows; e++) s += b[e * m + j];
      expect(heap[rows * m + j]).toBeCloseTo(s, 5);
    }
    // 40 columns of a 44-wide matrix (two blocks of 16, then two vectors), onto 1s: sums in row order, float32.
    {
      const [r2, w, ld] = [23, 40, 44];
      const { k: k2, heap: h2 } = setup(r2 * ld + w);
      const b2 = Float32Array.from(randomArray(r2 * ld, 5));
      h2.set(b2, 0);
      h2.fill(1, r2 * ld);
      k2.colSum(4 * r2 * ld, 0, r2, w, ld);
      for (let j = 0; j < w; j++) {
        let s = 1;
        for (let e = 0; e < r2; e++) s = Math.fround(s + b2[e * ld + j]);
        expect(h2[r2 * ld + j]).toBe(s);
      }
    }
    // Columns 4 … 7 alone, onto fresh zeros: the other columns' sums are left alone.
    heap.fill(0, rows * m);
    k.colSum(4 * (rows * m + 4), 16, rows, 4, m);
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let e = 0; e < rows; e++) s += b[e * m + j];
      if (j >= 4 && j < 8) expect(heap[rows * m + j]).toBeCloseTo(s, 5);
      else expect(heap[rows * m + j]).toBe(0);
    }
  });

  test('siluGrad(out, dy, x, bytes) writes dy·σ(x)·(1 + x·(1 − σ(x)))', () => {
    const n = 256;
    const { k, heap } = setup(3 * n);
    const x = randomArray(n, 4).map((v) => 20 * v);
    const dy = randomArray(n, 5);
    heap.set(dy, 0);
    heap.set(x, n);
    k.siluGrad(8 * n, 0, 4 * n, 4 * n);
    for (let i = 0; i < n; i++) {
      const s = 1 / (1 + Math.exp(-x[i]));
      const want = dy[i] * s * (1 + x[i] * (1 - s));
      expect(Math.abs(heap[2 * n + i] - want)).toBeLessThan(1e-6 * Math.max(1, Math.abs(want)));
    }
  });

  test('siluSig(out, sig, x, bytes) writes x·σ(x) and σ(x); siluGradSig(out, dy, y, s, bytes) writes dy·(s + y·(1 − s))', () => {
    const n = 256;
    const { k, heap } = setup(5 * n);
    const x = randomArray(n, 14).map((v) => 200 * v);
    const dy = randomArray(n, 15);
    heap.set(x, 0);
    heap.set(dy, 3 * n);
    k.siluSig(4 * n, 8 * n, 0, 4 * n);
    k.siluGradSig(16 * n, 12 * n, 4 * n, 8 * n, 4 * n);
    for (let i = 0; i < n; i++) {
      const s = 1 / (1 + Math.exp(-x[i]));
      const tol = (want: number) => 2e-6 * Math.max(1, Math.abs(want));
      expect(Math.abs(heap[2 * n + i] - s)).toBeLessThan(tol(s));
      expect(Math.abs(heap[n + i] - x[i] * s)).toBeLessThan(tol(x[i] * s));
      const want = dy[i] * s * (1 + x[i] * (1 - s));
      expect(Math.abs(heap[4 * n + i] - want)).toBeLessThan(tol(want));
    }
  });

  test('gather2Add, gatherRows and scatterAdd move rows by index', () => {
    const [N, E, F] = [5, 9, 8];
    const { k, heap, ints } = setup(4 * E * F + 2 * N * F + 2 * E);
    const a = randomArray(N * F, 6);
    const b = randomArray(N * F, 7);
    const c = randomArray(E * F, 8);
    const ia = [4, 0, 1, 1, 3, 2, 0, 4, 4];
    const ib = [0, 0, 2, 3, 4, 1, 1, 2, 3];
    const IA = 2 * N * F + E * F;
    const ptr = { A: 0, B: N * F, C: 2 * N * F, IA, IB: IA + E, OUT: IA + 2 * E, OUT2: IA + 2 * E + E * F };
    const OUT3 = ptr.OUT2 + E * F;
    heap.set(a, ptr.A);
    heap.set(b, ptr.B);
    heap.set(c, ptr.C);
    ints.set(ia, ptr.IA);
    ints.set(ib, ptr.IB);
    k.gather2Add(4 * ptr.OUT, 4 * ptr.A, 4 * ptr.IA, 4 * ptr.B, 4 * ptr.IB, 4 * ptr.C, E, F);
    k.gatherRows(4 * ptr.OUT2, 4 * ptr.A, 4 * ptr.IB, E, F);
    heap.fill(0, OUT3, OUT3 + N * F);
    k.scatterAdd(4 * OUT3, 4 * ptr.C, 4 * ptr.IA, E, F, 0, N);
    for (let e = 0; e < E; e++)
      for (let f = 0; f < F; f++) {
        expect(heap[ptr.OUT + e * F + f]).toBeCloseTo(a[ia[e] * F + f] + b[ib[e] * F + f] + c[e * F + f], 6);
        expect(heap[ptr.OUT2 + e * F + f]).toBe(a[ib[e] * F + f]);
      }
    for (let i = 0; i < N; i++)
      for (let f = 0; f < F; f++) {
        let s = 0;
        for (let e = 0; e < E; e++) if (ia[e] === i) s += c[e * F + f];
        expect(heap[OUT3 + i * F + f]).toBeCloseTo(s, 6);
      }
  });
});
