// Where a kernel finds its tensors: the cpu backend keeps JS typed arrays, the wasm backend keeps everything on its
// heap. Kernels read their inputs straight from there and write into a fresh output, so a gather or scatter costs one
// pass over the data and no intermediate tensors.
import type * as tf from '@tensorflow/tfjs';
import { HeapExhaustedError } from '../errors.js';
import { partCount, splitRange } from '../wasm/threads.js';

export type NumericArray = Float32Array | Int32Array;
type TensorInfo = tf.TensorInfo;

/** The two storage models we know. */
export interface Storage {
  /**
   * Allocates an output; on wasm this may grow the heap, so read inputs only after every allocation (the output's
   * `values` stay valid: on wasm they are read from the heap each time).
   */
  alloc(shape: number[], dtype: 'float32' | 'int32'): { info: TensorInfo; values: NumericArray };
  read(info: TensorInfo): NumericArray;
  /** The tensor's byte address on the wasm heap (absent on cpu). */
  offset?(info: TensorInfo): number;
  /** Frees an allocation that is not returned (scratch). */
  free(info: TensorInfo): void;
}

interface CpuBackendLike {
  data: { get(dataId: object): { values: unknown } };
  disposeData(dataId: object, force?: boolean): boolean;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: NumericArray): TensorInfo;
}

/** The parts of tfjs-backend-wasm's backend our kernels use. */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  /** tfjs-backend-wasm's record of each tensor (its heap address among them); read when present. */
  dataIdMap?: { get(dataId: object): { memoryOffset?: number | null } | undefined };
  typedArrayFromHeap(info: TensorInfo): NumericArray;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

export function cpuStorage(backend: unknown): Storage {
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
    free(info) {
      b.disposeData(info.dataId, true);
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
      // The address from tfjs-backend-wasm's record (no view made: ≈ 1 µs each, ≈ 480 outputs a training step).
      const at = b.dataIdMap?.get(info.dataId)?.memoryOffset;
      if ((typeof at === 'number' ? at : b.typedArrayFromHeap(info).byteOffset) === 0 && sizeOf(shape) > 0) {
        const values = b.typedArrayFromHeap(info);
        const heapBytes = values.buffer.byteLength;
        b.disposeData(info.dataId, true);
        throw new HeapExhaustedError(
          kernelName,
          `an output of shape [${shape.join(', ')}]`,
          values.byteLength,
          heapBytes,
        );
      }
      // `values` is read from the heap on each access: a later allocation may grow a plain (unshared) heap, which
      // detaches every view taken before it.
      return {
        info,
        get values() {
          return b.typedArrayFromHeap(info);
        },
      };
    },
    read(info) {
      return b.typedArrayFromHeap(info);
    },
    // The address from tfjs-backend-wasm's own record, without a typed array per pointer (≈ 1 µs each, several per
    // kernel call); from a view when the record has none.
    offset(info) {
      const at = b.dataIdMap?.get(info.dataId)?.memoryOffset;
      return typeof at === 'number' ? at : b.typedArrayFromHeap(info).byteOffset;
    },
    free(info) {
      b.disposeData(info.dataId, true);
    },
  };
}

export function sizeOf(shape: readonly number[]): number {
  let s = 1;
  for (let i = 0; i < shape.length; i++) s *= shape[i];
  return s;
}

/** Values per row of a tensor (1 for a vector). */
export const rowSize = (shape: readonly number[]): number => (shape.length === 1 ? 1 : sizeOf(shape.slice(1)));

/** The tensor's byte address on the wasm heap (what a SIMD kernel takes as a pointer). */
export const byteOffset = (storage: Storage, info: TensorInfo): number =>
  storage.offset ? storage.offset(info) : storage.read(info).byteOffset;

/** Bytes from which an elementwise or row-copying kernel is split across kernel threads (≈ 0.05 ms on one). */
export const PARALLEL_BYTES = 1 << 18;

/**
 * Row ranges [start, end) of a kernel over `rows` rows that moves `bytes` bytes in all: split across the kernel threads
 * (four parts each) from {@link PARALLEL_BYTES} on, one range below.
 */
export const rowRanges = (rows: number, bytes: number, threads: number): [number, number][] =>
  splitRange(rows, bytes >= PARALLEL_BYTES ? partCount(threads, 4) : 1, 1);

/**
 * The argument lists of an elementwise SIMD function `f(...pointers, bytes)` over `values` floats (a multiple of 4),
 * one per thread when the work is large enough: every pointer advanced to the part's first value.
 */
export function elementwiseCalls(pointers: readonly number[], values: number, threads: number): number[][] {
  const parts = 4 * values * (pointers.length + 1) >= PARALLEL_BYTES ? partCount(threads, 4) : 1;
  return splitRange(values, parts, 4).map(([a, b]) => [...pointers.map((p) => p + 4 * a), 4 * (b - a)]);
}

/**
 * An elementwise SIMD kernel `fn(out, x, bytes)` on the whole groups of 4 values (across the kernel threads, see
 * {@link elementwiseCalls}), then `tail` on the last size % 4 values in JavaScript.
 */
export function elementwise<E>(
  call: { storage: Storage; threads: number; parts(fn: keyof E & string, calls: readonly (readonly number[])[]): void },
  x: TensorInfo,
  fn: keyof E & string,
  tail: (v: number) => number,
): TensorInfo {
  const { storage } = call;
  const out = storage.alloc(x.shape.slice(), 'float32');
  const size = out.values.length;
  const body = size & ~3;
  if (body > 0) {
    call.parts(fn, elementwiseCalls([byteOffset(storage, out.info), byteOffset(storage, x)], body, call.threads));
  }
  const xs = storage.read(x);
  const o = storage.read(out.info);
  for (let i = body; i < size; i++) o[i] = tail(xs[i]);
  return out.info;
}
