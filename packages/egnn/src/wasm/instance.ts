// Kernel modules compiled once and instantiated on a memory: a heap of their own (the plain inference path) or
// tfjs-backend-wasm's, whose tensors they then read and write in place, with no copies in or out.
import { assemble, get, vload, vstore, type WasmFunction } from './assembler.js';

/** A kernel module: its functions, assembled and compiled on first use, and instantiated once per memory. */
export interface KernelModule<Exports> {
  /** The module's bytes (for {@link wasmText}). */
  bytes(): Uint8Array<ArrayBuffer>;
  /**
   * The module's exports on `memory`, or null without WebAssembly SIMD or when the memory cannot be imported (a shared
   * memory, as threaded tfjs-backend-wasm builds use).
   */
  on(memory: WebAssembly.Memory): Exports | null;
}

/** The module of `functions()` (built lazily: a module that is never run is never assembled). */
export function kernelModule<Exports>(functions: () => readonly WasmFunction[]): KernelModule<Exports> {
  let bytes: Uint8Array<ArrayBuffer> | undefined;
  let compiled: WebAssembly.Module | null | undefined;
  const instances = new WeakMap<WebAssembly.Memory, Exports | null>();
  const assembled = () => {
    if (bytes === undefined) bytes = assemble(functions());
    return bytes;
  };
  const module = () => {
    if (compiled === undefined) {
      try {
        const b = assembled();
        compiled = typeof WebAssembly === 'object' && WebAssembly.validate(b) ? new WebAssembly.Module(b) : null;
      } catch {
        compiled = null;
      }
    }
    return compiled;
  };
  return {
    bytes: assembled,
    on(memory) {
      let k = instances.get(memory);
      if (k === undefined) {
        const m = module();
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
