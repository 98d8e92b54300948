import { describe, expect, test } from 'vitest';
import { randomArray } from '../test/helpers.js';
import { denseKernels } from './dense-kernels.js';

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
