// Kernel modules compiled once and instantiated on a memory: a heap of their own (the plain inference path) or
// tfjs-backend-wasm's, whose tensors they then read and write in place, with no copies in or out. A shared heap gets
// the modules' shared-memory variant, which worker threads instantiate on the same memory (threads.ts).
import { assemble, get, vload, vstore, type WasmFunction } from './assembler.js';

/** A kernel module: its functions, assembled and compiled on first use, and instantiated once per memory. */
export interface KernelModule<Exports> {
  /** A number naming the module within this process (how worker threads are told which module to run). */
  readonly id: number;
  /** The module's bytes, importing a plain or (`shared`) a shared memory (for {@link wasmText}). */
  bytes(shared?: boolean): Uint8Array<ArrayBuffer>;
  /** The compiled module for `memory` (plain or shared alike), or null without WebAssembly SIMD. */
  compiled(memory: WebAssembly.Memory): WebAssembly.Module | null;
  /** The module's exports on `memory`, or null without WebAssembly SIMD or when the memory cannot be imported. */
  on(memory: WebAssembly.Memory): Exports | null;
}

let modules = 0;

/** True when `memory` is shared (its buffer a SharedArrayBuffer): worker threads can run kernels on it. */
export const isShared = (memory: WebAssembly.Memory): boolean =>
  typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;

/** The module of `functions()` (built lazily: a module that is never run is never assembled). */
export function kernelModule<Exports>(functions: () => readonly WasmFunction[]): KernelModule<Exports> {
  const bytes: [Uint8Array<ArrayBuffer>?, Uint8Array<ArrayBuffer>?] = [];
  const compiled: [(WebAssembly.Module | null)?, (WebAssembly.Module | null)?] = [];
  const instances = new WeakMap<WebAssembly.Memory, Exports | null>();
  const assembled = (shared: boolean) => {
    const v = shared ? 1 : 0;
    bytes[v] ??= assemble(functions(), shared);
    return bytes[v] as Uint8Array<ArrayBuffer>;
  };
  const module = (shared: boolean) => {
    const v = shared ? 1 : 0;
    if (compiled[v] === undefined) {
      try {
        const b = assembled(shared);
        compiled[v] = typeof WebAssembly === 'object' && WebAssembly.validate(b) ? new WebAssembly.Module(b) : null;
      } catch {
        compiled[v] = null;
      }
    }
    return compiled[v] as WebAssembly.Module | null;
  };
  return {
    id: modules++,
    bytes: (shared = false) => assembled(shared),
    compiled: (memory) => module(isShared(memory)),
    on(memory) {
      let k = instances.get(memory);
      if (k === undefined) {
        const m = module(isShared(memory));
        try {
          k = m ? (new WebAssembly.Instance(m, { env: { memory } }).exports as unknown as Exports) : null;
        } catch {
          k = null;
        }
        instances.set(memory, k);
      }
      return k;
    },
  };
}

/** A one-instruction SIMD module: it instantiates on a memory exactly when every kernel module does. */
const probe = kernelModule<object>(() => [
  { name: 'copy', params: ['ptr'], locals: [], code: [...get(0), ...get(0), ...vload(0), ...vstore(0)] },
]);

interface EmscriptenLike {
  asm?: { memory?: unknown };
  wasmExports?: { memory?: unknown };
}

/** tfjs-backend-wasm's heap (`backend.wasm`'s memory; older Emscripten builds keep it under `asm`), or null. */
export function tfjsHeap(backend: unknown): WebAssembly.Memory | null {
  const em = (backend as { wasm?: EmscriptenLike } | undefined)?.wasm;
  const memory = em?.asm?.memory ?? em?.wasmExports?.memory;
  return typeof WebAssembly === 'object' && memory instanceof WebAssembly.Memory ? memory : null;
}

/** True when the kernel modules run on `memory` (WebAssembly SIMD is available and the memory can be imported). */
export function simdRunsOn(memory: WebAssembly.Memory | null): boolean {
  return memory !== null && probe.on(memory) !== null;
}
