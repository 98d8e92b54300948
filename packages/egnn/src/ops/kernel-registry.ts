// Registers this package's kernels with tfjs, for the `cpu` and `wasm` backends, under names of their own
// (`Crys…`): registration never replaces a tfjs kernel. Other backends (webgl, webgpu) run each op's stock-tfjs
// fallback. On wasm, a kernel module built by the assembler runs on tfjs-backend-wasm's heap when the rows suit it.
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { type KernelModule, simdRunsOn, tfjsHeap } from '../wasm/instance.js';
import { runParts, threadsOn } from '../wasm/threads.js';
import { cpuStorage, type Storage, wasmStorage } from './storage.js';

type TensorInfo = tf.TensorInfo;

/** Backends for which this package's kernels exist. */
export const LOOP_BACKENDS = ['cpu', 'wasm'] as const;
export type LoopBackend = (typeof LOOP_BACKENDS)[number];

/** What a kernel's implementation is given. */
export interface KernelCall<Exports> {
  readonly inputs: Readonly<Record<string, TensorInfo>>;
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly storage: Storage;
  /** The op's kernel module on the wasm heap, or null (cpu, or no WebAssembly SIMD). */
  readonly simd: Exports | null;
  /** Threads the kernel may split its work across (1 unless kernel threads run on this heap: threads.ts). */
  readonly threads: number;
  /**
   * Runs the module's `fn` once per argument list, the lists on different threads when there are several (they must
   * write disjoint memory), and returns when all are done.
   */
  parts(fn: keyof Exports & string, calls: readonly (readonly number[])[]): void;
}

/** A kernel: its name (which must begin with `Crys`), backends, and implementation. */
export interface KernelDefinition<Exports> {
  readonly kernelName: string;
  readonly backends: readonly LoopBackend[];
  /** The op's kernel module, when it has one. */
  readonly module?: KernelModule<Exports>;
  /** When true the kernel needs its module: it throws on a wasm backend without WebAssembly SIMD. */
  readonly simdOnly?: boolean;
  run(call: KernelCall<Exports>): TensorInfo | TensorInfo[];
}

/**
 * A function that registers `kernels` once (call it before running them; idempotent). A kernel already registered
 * under the same name (by a second copy of this package) is left as it is; a name not beginning with `Crys`, which
 * could replace one of tfjs's own kernels, throws.
 */
export function kernelRegistration<E>(kernels: readonly KernelDefinition<E>[]): () => void {
  let registered = false;
  return () => {
    if (registered) return;
    for (const k of kernels) {
      if (!k.kernelName.startsWith('Crys')) {
        throw new Error(`@crys/egnn: kernel name ${k.kernelName} could replace a tfjs kernel; it must begin with Crys`);
      }
    }
    registered = true;
    for (const k of kernels) {
      for (const backendName of k.backends) {
        if (tf.getKernel(k.kernelName, backendName) !== undefined) continue;
        // The storage of the last backend this kernel ran on (one object per backend, not one per call).
        let last: { backend: unknown; storage: Storage } | undefined;
        tf.registerKernel({
          kernelName: k.kernelName,
          backendName,
          kernelFunc: ({ inputs, backend, attrs }) => {
            const wasm = backendName === 'wasm';
            const memory = wasm ? tfjsHeap(backend) : null;
            const simd = memory !== null && k.module ? k.module.on(memory) : null;
            if (k.simdOnly && !simd) {
              throw new Error(`${k.kernelName}: WebAssembly SIMD is not available on this wasm backend`);
            }
            if (last?.backend !== backend) {
              last = { backend, storage: wasm ? wasmStorage(backend, k.kernelName) : cpuStorage(backend) };
            }
            return k.run({
              inputs: inputs as Record<string, TensorInfo>,
              attrs: attrs as Record<string, unknown>,
              storage: last.storage,
              simd,
              threads: simd === null ? 1 : threadsOn(memory),
              parts: (fn, calls) => runParts(k.module as KernelModule<E>, memory as WebAssembly.Memory, fn, calls),
            });
          },
        });
      }
    }
  };
}

/** True when the active backend runs this package's kernels. */
export function hasLoopKernels(): boolean {
  return (LOOP_BACKENDS as readonly string[]).includes(tf.getBackend());
}

/** True when the active backend is wasm and the kernel modules run on its heap (WebAssembly SIMD). */
export function hasWasmSimd(): boolean {
  return tf.getBackend() === 'wasm' && simdRunsOn(tfjsHeap(tf.backend()));
}

/** The largest index of index tensors already checked, by their data (which tfjs never changes). */
const checkedMax = new WeakMap<object, number>();

/**
 * Throws unless every index is in [0, limit) (the kernels write by index, so an index out of range is refused). With
 * the tensor's `dataId`, the range of its indices is kept: a network reuses its `src` and `dst` in every layer, and a
 * pass over them took ≈ 15 µs per kernel call on a perov_5 batch.
 */
export function checkIndices(fn: string, name: string, idx: Int32Array, limit: number, dataId?: object): void {
  const known = dataId === undefined ? undefined : checkedMax.get(dataId);
  if (known !== undefined && known < limit) return;
  let max = -1;
  for (let e = 0; e < idx.length; e++) {
    const i = idx[e];
    if (!(i >= 0 && i < limit)) {
      throw new InvalidArgumentError(fn, name, `must be in [0, ${limit}), got ${i} at position ${e}`, i);
    }
    if (i > max) max = i;
  }
  if (dataId !== undefined) checkedMax.set(dataId, max);
}
