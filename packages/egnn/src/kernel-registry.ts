// Plain-loop kernels registered with tfjs for the `cpu` and `wasm` backends. Each kernel reads its inputs straight
// from the backend's storage (the cpu backend's typed arrays, the wasm backend's heap) and writes into a fresh
// output, so a gather or scatter costs one pass over the data and no intermediate tensors. Other backends
// (webgl, webgpu) fall back to stock tfjs ops in kernels.ts.
import * as tf from '@tensorflow/tfjs';
import { type SimdExports, simdKernelsOn } from './dense-kernels.js';
import { HeapExhaustedError, InvalidArgumentError } from './errors.js';

type NumericArray = Float32Array | Int32Array;
type TensorInfo = tf.TensorInfo;

/** The two storage models we know: cpu keeps JS typed arrays, wasm keeps everything on its heap. */
export interface Storage {
  /** Allocates an output; on wasm this may grow the heap, so read inputs only after every allocation. */
  alloc(shape: number[], dtype: 'float32' | 'int32'): { info: TensorInfo; values: NumericArray };
  read(info: TensorInfo): NumericArray;
}

interface CpuBackendLike {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: NumericArray): TensorInfo;
}
/** The parts of tfjs-backend-wasm's backend our kernels use. */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): NumericArray;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

function cpuStorage(backend: unknown): Storage {
  const b = backend as CpuBackendLike;
  return {
    alloc(shape, dtype) {
      const size = sizeOf(shape);
      const values = dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
      return { info: b.makeTensorInfo(shape, dtype, values), values };
    },
    read(info) {
      return b.data.get(info.dataId).values as NumericArray;
    },
  };
}

/**
 * Storage on tfjs-backend-wasm's heap. tfjs-backend-wasm does not check its `malloc`: when the heap (at most 4 GiB)
 * cannot hold an output, the output is placed at address 0, over the allocator's own records, and later kernels
 * fail with "memory access out of bounds" (or read garbage). Our allocations check, and throw
 * {@link HeapExhaustedError} with the heap intact.
 */
export function wasmStorage(backend: unknown, kernelName: string): Storage {
  const b = backend as WasmBackendLike;
  return {
    alloc(shape, dtype) {
      const info = b.makeOutput(shape, dtype);
      const values = b.typedArrayFromHeap(info);
      if (values.byteOffset === 0 && values.length > 0) {
        const heapBytes = values.buffer.byteLength;
        b.disposeData(info.dataId, true);
        throw new HeapExhaustedError(
          kernelName,
          `an output of shape [${shape.join(', ')}]`,
          values.byteLength,
          heapBytes,
        );
      }
      return { info, values };
    },
    read(info) {
      return b.typedArrayFromHeap(info);
    },
  };
}

function sizeOf(shape: readonly number[]): number {
  let s = 1;
  for (let i = 0; i < shape.length; i++) s *= shape[i];
  return s;
}

/** Names of the kernels registered by this package (prefixed so they never clash with tfjs's own). */
export const KERNEL_GATHER_ROWS = 'CrysGatherRows';
export const KERNEL_SEGMENT_SUM = 'CrysSegmentSum';
export const KERNEL_SEGMENT_SUM_ADD = 'CrysSegmentSumAdd';
export const KERNEL_GATHER2_ADD = 'CrysGather2Add';
export const KERNEL_SILU = 'CrysSilu';
export const KERNEL_SILU_GRAD = 'CrysSiluGrad';
export const KERNEL_SLICE_ROWS = 'CrysSliceRows';
export const KERNEL_SLICE_COLUMNS = 'CrysSliceColumns';
export const KERNEL_PAD_COLUMNS = 'CrysPadColumns';
/** WebAssembly SIMD kernels on tfjs-backend-wasm's own heap (wasm backend only; see {@link hasWasmSimd}). */
export const KERNEL_SIMD_SILU = 'CrysSimdSilu';
export const KERNEL_SIMD_SILU_GRAD = 'CrysSimdSiluGrad';
export const KERNEL_SIMD_MATMUL_TN = 'CrysSimdMatMulTN';
export const KERNEL_SIMD_COL_SUM = 'CrysSimdColSum';
export const KERNEL_SIMD_LINEAR = 'CrysSimdLinear';
export const KERNEL_SIMD_SILU_SIG = 'CrysSimdSiluSig';
export const KERNEL_SIMD_SILU_GRAD_SIG = 'CrysSimdSiluGradSig';
export const KERNEL_SIMD_EXP = 'CrysSimdExp';

/** Backends for which the plain-loop kernels exist. */
export const LOOP_BACKENDS: readonly string[] = ['cpu', 'wasm'];

function checkIndices(fn: string, name: string, idx: Int32Array, limit: number): void {
  for (let e = 0; e < idx.length; e++) {
    const i = idx[e];
    if (!(i >= 0 && i < limit)) {
      throw new InvalidArgumentError(fn, name, `must be in [0, ${limit}), got ${i} at position ${e}`, i);
    }
  }
}

// ---------------------------------------------------------------------------------------------- kernels
// Legend: E = number of indices (edges), N = rows of the gathered tensor, S = segments, F = row size.

// With `simd` (the wasm backend's heap) and rows of a multiple of 4 floats, each kernel runs as one SIMD loop.

function gatherRows(storage: Storage, x: TensorInfo, indices: TensorInfo, simd: SimdExports | null): TensorInfo {
  const F = x.shape.length === 1 ? 1 : sizeOf(x.shape.slice(1));
  const E = indices.shape[0];
  checkIndices('gatherRows', 'indices', storage.read(indices) as Int32Array, x.shape[0]);
  const out = storage.alloc([E, ...x.shape.slice(1)], x.dtype as 'float32' | 'int32');
  if (simd && F % 4 === 0 && F > 0 && E > 0) {
    simd.gatherRows(byteOffset(storage, out.info), byteOffset(storage, x), byteOffset(storage, indices), E, F);
    return out.info;
  }
  const xs = storage.read(x);
  const idx = storage.read(indices) as Int32Array;
  const o = out.values;
  if (F === 1) {
    for (let e = 0; e < E; e++) o[e] = xs[idx[e]];
  } else {
    for (let e = 0, oe = 0; e < E; e++, oe += F) {
      const xi = idx[e] * F;
      for (let f = 0; f < F; f++) o[oe + f] = xs[xi + f];
    }
  }
  return out.info;
}

function segmentSum(
  storage: Storage,
  x: TensorInfo,
  segmentIds: TensorInfo,
  numSegments: number,
  simd: SimdExports | null,
): TensorInfo {
  checkIndices('segmentSum', 'segmentIds', storage.read(segmentIds) as Int32Array, numSegments);
  const out = storage.alloc([numSegments, ...x.shape.slice(1)], x.dtype as 'float32' | 'int32');
  storage.read(out.info).fill(0);
  scatterAddInto(storage, out.info, x, segmentIds, simd);
  return out.info;
}

/** `acc + segmentSum(x, segmentIds, acc.shape[0])` in one pass: a copy of acc, then the rows of x added in order. */
function segmentSumAdd(
  storage: Storage,
  acc: TensorInfo,
  x: TensorInfo,
  segmentIds: TensorInfo,
  simd: SimdExports | null,
): TensorInfo {
  checkIndices('segmentSumAdd', 'segmentIds', storage.read(segmentIds) as Int32Array, acc.shape[0]);
  const out = storage.alloc(acc.shape.slice(), 'float32');
  storage.read(out.info).set(storage.read(acc));
  scatterAddInto(storage, out.info, x, segmentIds, simd);
  return out.info;
}

/** `out[seg[e]] += x[e]` for every row e of x, in order (indices already checked). */
function scatterAddInto(
  storage: Storage,
  out: TensorInfo,
  x: TensorInfo,
  segmentIds: TensorInfo,
  simd: SimdExports | null,
): void {
  const F = x.shape.length === 1 ? 1 : sizeOf(x.shape.slice(1));
  const E = x.shape[0];
  if (simd && x.dtype === 'float32' && F % 4 === 0 && F > 0 && E > 0) {
    simd.scatterAdd(byteOffset(storage, out), byteOffset(storage, x), byteOffset(storage, segmentIds), E, F);
    return;
  }
  const xs = storage.read(x);
  const seg = storage.read(segmentIds) as Int32Array;
  const o = storage.read(out);
  if (F === 1) {
    for (let e = 0; e < E; e++) o[seg[e]] += xs[e];
  } else {
    for (let e = 0, xe = 0; e < E; e++, xe += F) {
      const os = seg[e] * F;
      for (let f = 0; f < F; f++) o[os + f] += xs[xe + f];
    }
  }
}

function gather2Add(
  storage: Storage,
  a: TensorInfo,
  ia: TensorInfo,
  b: TensorInfo,
  ib: TensorInfo,
  c: TensorInfo,
  simd: SimdExports | null,
): TensorInfo {
  const F = a.shape[1];
  const E = ia.shape[0];
  checkIndices('gatherRowsAdd', 'indicesA', storage.read(ia) as Int32Array, a.shape[0]);
  checkIndices('gatherRowsAdd', 'indicesB', storage.read(ib) as Int32Array, b.shape[0]);
  const out = storage.alloc([E, F], 'float32');
  if (simd && F % 4 === 0 && F > 0 && E > 0) {
    const o = (t: TensorInfo) => byteOffset(storage, t);
    simd.gather2Add(o(out.info), o(a), o(ia), o(b), o(ib), o(c), E, F);
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
}

/**
 * Rows `[start, start + size)` of x in one copy. (tfjs-backend-wasm's Slice reads its input through `readSync`, which
 * first copies the whole tensor out of the heap: slicing a chunk of edges off `[E, K]` cost a pass over all of it.)
 */
function sliceRows(storage: Storage, x: TensorInfo, start: number, size: number): TensorInfo {
  const F = x.shape.length === 1 ? 1 : sizeOf(x.shape.slice(1));
  const out = storage.alloc([size, ...x.shape.slice(1)], x.dtype as 'float32' | 'int32');
  storage.read(out.info).set(storage.read(x).subarray(start * F, (start + size) * F));
  return out.info;
}

/**
 * Columns `[begin, begin + size)` of a matrix `[rows, cols]`. (tfjs-backend-wasm's Slice and SplitV take ≈ 7 ms per
 * column of an `[48170, 2]` matrix, and its Concat ≈ 27 ms to put two columns back together.)
 */
function sliceColumns(storage: Storage, x: TensorInfo, begin: number, size: number): TensorInfo {
  const [rows, cols] = x.shape;
  const out = storage.alloc([rows, size], x.dtype as 'float32' | 'int32');
  const xs = storage.read(x);
  const o = out.values;
  for (let r = 0, xr = begin, or = 0; r < rows; r++, xr += cols, or += size)
    for (let j = 0; j < size; j++) o[or + j] = xs[xr + j];
  return out.info;
}

/** `[rows, total]` with x `[rows, cols]` in columns `[before, before + cols)` and zeros elsewhere. */
function padColumns(storage: Storage, x: TensorInfo, before: number, total: number): TensorInfo {
  const [rows, cols] = x.shape;
  const out = storage.alloc([rows, total], x.dtype as 'float32' | 'int32');
  const xs = storage.read(x);
  const o = storage.read(out.info);
  o.fill(0);
  for (let r = 0, xr = 0, or = before; r < rows; r++, xr += cols, or += total)
    for (let j = 0; j < cols; j++) o[or + j] = xs[xr + j];
  return out.info;
}

function silu(storage: Storage, x: TensorInfo): TensorInfo {
  const out = storage.alloc(x.shape.slice(), 'float32');
  const xs = storage.read(x);
  const o = out.values;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    o[i] = v / (1 + Math.exp(-v));
  }
  return out.info;
}

function siluGrad(storage: Storage, dy: TensorInfo, x: TensorInfo): TensorInfo {
  const out = storage.alloc(x.shape.slice(), 'float32');
  const xs = storage.read(x);
  const dys = storage.read(dy);
  const o = out.values;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    const s = 1 / (1 + Math.exp(-v));
    o[i] = dys[i] * (s + v * s * (1 - s));
  }
  return out.info;
}

// ---------------------------------------------------------------------------------------------- SIMD on tfjs's heap
// tfjs-backend-wasm keeps every tensor in one WebAssembly.Memory; our SIMD module (dense-kernels.ts) imports that
// memory, so its kernels read and write tensors in place: no copies in or out.

interface EmscriptenLike {
  asm?: { memory?: unknown };
  wasmExports?: { memory?: unknown };
}

const simdOnMemory = new WeakMap<WebAssembly.Memory, SimdExports | null>();

function tfjsWasmSimd(backend: unknown): SimdExports | null {
  const em = (backend as { wasm?: EmscriptenLike } | undefined)?.wasm;
  const memory = em?.asm?.memory ?? em?.wasmExports?.memory;
  if (typeof WebAssembly !== 'object' || !(memory instanceof WebAssembly.Memory)) return null;
  let k = simdOnMemory.get(memory);
  if (k === undefined) {
    k = simdKernelsOn(memory);
    simdOnMemory.set(memory, k);
  }
  return k;
}

/** True when the active backend is wasm and our SIMD kernels run on its heap. */
export function hasWasmSimd(): boolean {
  return tf.getBackend() === 'wasm' && tfjsWasmSimd(tf.backend()) !== null;
}

const byteOffset = (storage: Storage, info: TensorInfo) => storage.read(info).byteOffset;

/**
 * An elementwise SIMD kernel `run(out, x, bytes)` on whole groups of 4 values, and `tail` on the last size % 4 values.
 */
function simdElementwise(
  storage: Storage,
  x: TensorInfo,
  run: (out: number, x: number, bytes: number) => void,
  tail: (v: number) => number,
): TensorInfo {
  const out = storage.alloc(x.shape.slice(), 'float32');
  const size = out.values.length;
  const body = size & ~3;
  if (body > 0) run(byteOffset(storage, out.info), byteOffset(storage, x), 4 * body);
  const xs = storage.read(x);
  const o = storage.read(out.info);
  for (let i = body; i < size; i++) o[i] = tail(xs[i]);
  return out.info;
}

function simdSilu(k: SimdExports, storage: Storage, x: TensorInfo): TensorInfo {
  return simdElementwise(storage, x, k.silu, (v) => v / (1 + Math.exp(-v)));
}

function simdSiluGrad(k: SimdExports, storage: Storage, dy: TensorInfo, x: TensorInfo): TensorInfo {
  const out = storage.alloc(x.shape.slice(), 'float32');
  const size = out.values.length;
  const body = size & ~3;
  if (body > 0) k.siluGrad(byteOffset(storage, out.info), byteOffset(storage, dy), byteOffset(storage, x), 4 * body);
  const xs = storage.read(x);
  const dys = storage.read(dy);
  const o = storage.read(out.info);
  for (let i = body; i < size; i++) {
    const s = 1 / (1 + Math.exp(-xs[i]));
    o[i] = dys[i] * (s + xs[i] * s * (1 - s));
  }
  return out.info;
}

/** `[silu(x), σ(x)]`: SiLU and the sigmoid its gradient needs, in one pass (under a gradient tape). */
function simdSiluSig(k: SimdExports, storage: Storage, x: TensorInfo): TensorInfo[] {
  const out = storage.alloc(x.shape.slice(), 'float32');
  const sig = storage.alloc(x.shape.slice(), 'float32');
  const size = out.values.length;
  const body = size & ~3;
  if (body > 0)
    k.siluSig(byteOffset(storage, out.info), byteOffset(storage, sig.info), byteOffset(storage, x), 4 * body);
  const xs = storage.read(x);
  const o = storage.read(out.info);
  const sg = storage.read(sig.info);
  for (let i = body; i < size; i++) {
    sg[i] = 1 / (1 + Math.exp(-xs[i]));
    o[i] = xs[i] * sg[i];
  }
  return [out.info, sig.info];
}

/** SiLU's input gradient `dy·(s + y·(1 − s))` from its output y and the saved sigmoid s: no exponential. */
function simdSiluGradSig(k: SimdExports, storage: Storage, dy: TensorInfo, y: TensorInfo, s: TensorInfo): TensorInfo {
  const out = storage.alloc(y.shape.slice(), 'float32');
  const size = out.values.length;
  const body = size & ~3;
  if (body > 0)
    k.siluGradSig(
      byteOffset(storage, out.info),
      byteOffset(storage, dy),
      byteOffset(storage, y),
      byteOffset(storage, s),
      4 * body,
    );
  const dys = storage.read(dy);
  const ys = storage.read(y);
  const ss = storage.read(s);
  const o = storage.read(out.info);
  for (let i = body; i < size; i++) o[i] = dys[i] * (ss[i] + ys[i] * (1 - ss[i]));
  return out.info;
}

/** eˣ elementwise (see the module's `exp` for its range; the tail flushes and overflows alike). */
function simdExp(k: SimdExports, storage: Storage, x: TensorInfo): TensorInfo {
  return simdElementwise(storage, x, k.exp, (v) => (v < -87 ? 0 : v > 88 ? Number.POSITIVE_INFINITY : Math.exp(v)));
}

/** aᵀ·b for a `[E, n]`, b `[E, m]` (n % 4 = 0, m % 8 = 0). */
function simdMatMulTN(k: SimdExports, storage: Storage, a: TensorInfo, b: TensorInfo): TensorInfo {
  const [E, n] = a.shape;
  const m = b.shape[1];
  const out = storage.alloc([n, m], 'float32');
  storage.read(out.info).fill(0);
  if (E > 0) k.matmulTN(byteOffset(storage, out.info), byteOffset(storage, a), byteOffset(storage, b), E, n, m);
  return out.info;
}

/** Σ_e b[e, :] for b `[E, m]` (m % 4 = 0). */
function simdColSum(k: SimdExports, storage: Storage, b: TensorInfo): TensorInfo {
  const [E, m] = b.shape;
  const out = storage.alloc([m], 'float32');
  storage.read(out.info).fill(0);
  if (E > 0) k.colSum(byteOffset(storage, out.info), byteOffset(storage, b), E, m);
  return out.info;
}

/** x·w + bias for x `[M, n]`, w `[n, m]` (m % 8 = 0), bias `[m]`: SIMD on whole blocks of 4 rows, a loop on the rest. */
function simdLinear(k: SimdExports, storage: Storage, x: TensorInfo, w: TensorInfo, bias: TensorInfo): TensorInfo {
  const [M, n] = x.shape;
  const m = w.shape[1];
  const out = storage.alloc([M, m], 'float32');
  const M4 = M & ~3;
  if (M4 > 0) {
    const o = byteOffset(storage, out.info);
    k.matmul(o, byteOffset(storage, x), n, M4, n, byteOffset(storage, w), m, byteOffset(storage, bias));
  }
  if (M4 < M) {
    const xs = storage.read(x);
    const ws = storage.read(w);
    const bs = storage.read(bias);
    const o = storage.read(out.info);
    for (let r = M4; r < M; r++) {
      for (let j = 0; j < m; j++) {
        let a = bs[j];
        for (let q = 0; q < n; q++) a += xs[r * n + q] * ws[q * m + j];
        o[r * m + j] = a;
      }
    }
  }
  return out.info;
}

let registered = false;
/** Whether {@link shareIdentityOnWasm} has run with tfjs-backend-wasm loaded (it may load after our first kernel). */
let identityShared = false;

/** Registers the plain-loop kernels for cpu and wasm once (idempotent; safe with two copies of this package). */
export function ensureKernelsRegistered(): void {
  if (!identityShared) identityShared = shareIdentityOnWasm();
  if (registered) return;
  registered = true;
  for (const backendName of LOOP_BACKENDS) {
    const storageOf = (backend: unknown, kernelName: string) =>
      backendName === 'wasm' ? wasmStorage(backend, kernelName) : cpuStorage(backend);
    const add = (kernelName: string, kernelFunc: tf.KernelFunc) => {
      if (tf.getKernel(kernelName, backendName) === undefined)
        tf.registerKernel({ kernelName, backendName, kernelFunc });
    };
    const simdOf = (backend: unknown) => (backendName === 'wasm' ? tfjsWasmSimd(backend) : null);
    add(KERNEL_GATHER_ROWS, ({ inputs, backend }) =>
      gatherRows(
        storageOf(backend, KERNEL_GATHER_ROWS),
        inputs.x as TensorInfo,
        inputs.indices as TensorInfo,
        simdOf(backend),
      ),
    );
    add(KERNEL_SEGMENT_SUM, ({ inputs, backend, attrs }) =>
      segmentSum(
        storageOf(backend, KERNEL_SEGMENT_SUM),
        inputs.x as TensorInfo,
        inputs.segmentIds as TensorInfo,
        (attrs as { numSegments: number }).numSegments,
        simdOf(backend),
      ),
    );
    add(KERNEL_SEGMENT_SUM_ADD, ({ inputs, backend }) =>
      segmentSumAdd(
        storageOf(backend, KERNEL_SEGMENT_SUM_ADD),
        inputs.acc as TensorInfo,
        inputs.x as TensorInfo,
        inputs.segmentIds as TensorInfo,
        simdOf(backend),
      ),
    );
    add(KERNEL_GATHER2_ADD, ({ inputs, backend }) =>
      gather2Add(
        storageOf(backend, KERNEL_GATHER2_ADD),
        inputs.a as TensorInfo,
        inputs.indicesA as TensorInfo,
        inputs.b as TensorInfo,
        inputs.indicesB as TensorInfo,
        inputs.c as TensorInfo,
        simdOf(backend),
      ),
    );
    add(KERNEL_SLICE_ROWS, ({ inputs, backend, attrs }) => {
      const { start, size } = attrs as { start: number; size: number };
      return sliceRows(storageOf(backend, KERNEL_SLICE_ROWS), inputs.x as TensorInfo, start, size);
    });
    add(KERNEL_SLICE_COLUMNS, ({ inputs, backend, attrs }) => {
      const { begin, size } = attrs as { begin: number; size: number };
      return sliceColumns(storageOf(backend, KERNEL_SLICE_COLUMNS), inputs.x as TensorInfo, begin, size);
    });
    add(KERNEL_PAD_COLUMNS, ({ inputs, backend, attrs }) => {
      const { before, total } = attrs as { before: number; total: number };
      return padColumns(storageOf(backend, KERNEL_PAD_COLUMNS), inputs.x as TensorInfo, before, total);
    });
    add(KERNEL_SILU, ({ inputs, backend }) => silu(storageOf(backend, KERNEL_SILU), inputs.x as TensorInfo));
    add(KERNEL_SILU_GRAD, ({ inputs, backend }) =>
      siluGrad(storageOf(backend, KERNEL_SILU_GRAD), inputs.dy as TensorInfo, inputs.x as TensorInfo),
    );
  }
  const simdKernel = (
    kernelName: string,
    f: (k: SimdExports, storage: Storage, ...t: TensorInfo[]) => TensorInfo | TensorInfo[],
  ) => {
    if (tf.getKernel(kernelName, 'wasm') !== undefined) return;
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend }) => {
        const k = tfjsWasmSimd(backend);
        if (!k) throw new Error(`${kernelName}: WebAssembly SIMD is not available on this wasm backend`);
        return f(k, wasmStorage(backend, kernelName), ...(Object.values(inputs) as TensorInfo[]));
      },
    });
  };
  simdKernel(KERNEL_SIMD_SILU, simdSilu);
  simdKernel(KERNEL_SIMD_SILU_GRAD, simdSiluGrad);
  simdKernel(KERNEL_SIMD_MATMUL_TN, simdMatMulTN);
  simdKernel(KERNEL_SIMD_COL_SUM, simdColSum);
  simdKernel(KERNEL_SIMD_LINEAR, simdLinear);
  simdKernel(KERNEL_SIMD_SILU_SIG, simdSiluSig);
  simdKernel(KERNEL_SIMD_SILU_GRAD_SIG, simdSiluGradSig);
  simdKernel(KERNEL_SIMD_EXP, simdExp);
}

/** Marks the `Identity` kernel below, so a second copy of this package does not register it again. */
const SHARED_IDENTITY = Symbol.for('@crys/egnn:sharedIdentity');

/**
 * Replaces tfjs-backend-wasm's `Identity` kernel (the one behind `tf.clone`) with one that shares the input's heap
 * buffer and counts a reference, as tfjs-backend-cpu's `Identity` and wasm's own `Reshape` already do, instead of
 * copying it. tfjs clones every tensor it saves for a backward pass (`customGrad`'s `save` and the stock kernels'
 * saved inputs and outputs), so under a gradient tape each saved `[E, 64]` activation was copied once per step (≈ 9%
 * of a carbon_24 training step, measured with tf.profile). Tensors are immutable and no wasm kernel, tfjs's or ours,
 * writes into its inputs (wasm's `Reshape` output already shares its input's buffer), so a shared buffer is
 * indistinguishable from a copy; strings keep tfjs's kernel. Idempotent; it waits until tfjs-backend-wasm is loaded.
 */
function shareIdentityOnWasm(): boolean {
  const current = tf.getKernel('Identity', 'wasm');
  if (current === undefined) return false;
  if ((current.kernelFunc as { [SHARED_IDENTITY]?: true })[SHARED_IDENTITY]) return true;
  const stock = current.kernelFunc;
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return stock(args);
    (args.backend as WasmBackendLike).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  };
  (kernelFunc as { [SHARED_IDENTITY]?: true })[SHARED_IDENTITY] = true;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ ...current, kernelFunc });
  return true;
}

/** True when the active backend runs this package's plain-loop kernels. */
export function hasLoopKernels(): boolean {
  return LOOP_BACKENDS.includes(tf.getBackend());
}
