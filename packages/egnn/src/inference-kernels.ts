// The plain inference path's kernels (inference.ts): a heap of float32 values of its own, with the dense layer's
// product and SiLU as the WebAssembly SIMD functions the wasm backend also runs (ops/linear.ts, ops/silu.ts), or as
// plain loops where WebAssembly SIMD is missing.
//
// Layout for `matmul`: matrices are row-major at float offsets; x `[rows, n]` has row stride `ldx`, w `[n, m]` (the
// tfjs `[in, out]` kernel layout) has m a multiple of 8, and the output `[rows, m]` rows of stride m. `rows` must be a
// multiple of 4 (callers allocate the padding rows; their values are never read back).
import { type LinearExports, linearModule } from './ops/linear.js';
import { type SiluExports, siluModule } from './ops/silu.js';

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

// ---------------------------------------------------------------------------------------------- implementations

class WasmKernels implements DenseKernels {
  readonly simd = true;
  heap: Float32Array;
  private readonly memory: WebAssembly.Memory;
  private readonly linear: LinearExports;
  private readonly sigmoidLinear: SiluExports;

  constructor(linear: LinearExports, silu: SiluExports, memory: WebAssembly.Memory) {
    this.memory = memory;
    this.linear = linear;
    this.sigmoidLinear = silu;
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
    if (rows > 0 && n > 0) this.linear.matmul(4 * out, 4 * x, ldx, rows, n, 4 * w, m, 4 * bias);
    else if (rows > 0) for (let r = 0; r < rows; r++) this.heap.copyWithin(out + r * m, bias, bias + m);
  }

  silu(ptr: number, count: number): void {
    if (count > 0) this.sigmoidLinear.silu(4 * ptr, 4 * ptr, 4 * count);
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
    const linear = linearModule.on(memory);
    const silu = siluModule.on(memory);
    if (linear && silu) return new WasmKernels(linear, silu, memory);
  }
  return new JsKernels();
}
