import * as tf from '@tensorflow/tfjs';
import { isNode, resolveFromModule } from '@crys/lattice/internal';
import { BackendUnavailableError, InvalidArgumentError } from './errors.js';
import { tfjsHeap } from './wasm/instance.js';
import { withSharedMemory } from './wasm/shared-heap.js';
import { startThreads, threadsOn } from './wasm/threads.js';

/** A tfjs backend this package knows how to initialise. */
export type BackendName = 'wasm' | 'cpu' | 'webgl';

const BACKENDS: readonly BackendName[] = ['wasm', 'cpu', 'webgl'];

/** Directory (with trailing separator) of tfjs-backend-wasm's `.wasm` files in Node, else undefined. */
async function nodeWasmDir(): Promise<string | undefined> {
  const main = await resolveFromModule('@tensorflow/tfjs-backend-wasm', import.meta.url);
  return main?.slice(0, Math.max(main.lastIndexOf('/'), main.lastIndexOf('\\')) + 1);
}

let wasmReady: Promise<void> | undefined;

const WASM_BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/**
 * In Node, tfjs-backend-wasm's SIMD binary with a shared heap (wasm/shared-heap.ts) as a `data:` URL, so kernel
 * threads can run on its heap; undefined where that cannot work (no SIMD, tfjs's own threaded build, no
 * SharedArrayBuffer, or `CRYS_SHARED_HEAP=0`), and the stock binaries load as before.
 */
async function sharedHeapUrl(dir: string): Promise<string | undefined> {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (typeof SharedArrayBuffer !== 'function' || env?.CRYS_SHARED_HEAP === '0') return undefined;
  const [simd, threaded] = await Promise.all([
    tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
  ]);
  if (!simd || threaded) return undefined;
  try {
    const { readFile } = await import(/* @vite-ignore */ 'node:fs/promises' as string);
    const patched = withSharedMemory(await readFile(`${dir}tfjs-backend-wasm-simd.wasm`));
    return patched ? `data:application/wasm;base64,${Buffer.from(patched).toString('base64')}` : undefined;
  } catch {
    return undefined;
  }
}

async function registerWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dir = await nodeWasmDir();
    if (dir === undefined) return;
    const shared = await sharedHeapUrl(dir);
    // tfjs fetches a mapped binary with the platform's fetch (Node's reads data: URLs); every name must be mapped, and
    // only the SIMD one is ever chosen here (sharedHeapUrl checked SIMD and the absence of tfjs's threads).
    if (shared !== undefined) wasm.setWasmPaths(Object.fromEntries(WASM_BINARIES.map((b) => [b, shared])), true);
    else wasm.setWasmPaths(dir);
  })();
  try {
    await wasmReady;
  } catch (e) {
    wasmReady = undefined;
    throw e;
  }
}

/**
 * Selects and initialises the tfjs backend, returning its name. In Node the default order is `wasm` (the `.wasm`
 * files are found in `node_modules`, no configuration needed), then `cpu`; in browsers `webgl`, `wasm`, `cpu`.
 * A `preferred` backend is tried first and the others follow as fallbacks; a list of backends is the whole order
 * (`['wasm', 'cpu']` never falls back to webgl). Browsers that serve the `.wasm` files from elsewhere call
 * tfjs-backend-wasm's `setWasmPaths` before this.
 *
 * @param preferred - backend to try first, or the backends to try, in order.
 * @returns the active backend, e.g. `'wasm'`.
 * @throws {@link BackendUnavailableError} when none could be initialised.
 * @example
 * ```ts
 * const backend = await initBackend(); // 'wasm' in Node
 * await initBackend(['wasm', 'cpu']); // wasm, else cpu, never webgl
 * ```
 */
export async function initBackend(preferred?: BackendName | readonly BackendName[]): Promise<string> {
  const order = backendOrder(preferred);
  const tried: { backend: string; reason: string }[] = [];
  for (const name of order) {
    try {
      if (name === 'wasm') await registerWasm();
      if (name === 'webgl' && isNode()) throw new Error('webgl is not available in Node');
      if (tf.getBackend() === name) return name;
      if (await tf.setBackend(name)) {
        await tf.ready();
        return tf.getBackend();
      }
      tried.push({ backend: name, reason: 'tf.setBackend returned false' });
    } catch (e) {
      tried.push({ backend: name, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  throw new BackendUnavailableError('initBackend', tried);
}

/** The backends `initBackend(preferred)` tries, in order; throws on an unknown name or an empty list. */
function backendOrder(preferred: BackendName | readonly BackendName[] | undefined): readonly BackendName[] {
  const known = (name: unknown, parameter: string): void => {
    if (!BACKENDS.includes(name as BackendName)) {
      throw new InvalidArgumentError(
        'initBackend',
        parameter,
        `must be one of ${BACKENDS.join(', ')}, got ${String(name)}`,
        name,
      );
    }
  };
  if (Array.isArray(preferred)) {
    if (preferred.length === 0) {
      throw new InvalidArgumentError('initBackend', 'preferred', 'must name at least one backend, got []', preferred);
    }
    for (let i = 0; i < preferred.length; i++) known(preferred[i], `preferred[${i}]`);
    return preferred;
  }
  const defaults: BackendName[] = isNode() ? ['wasm', 'cpu'] : ['webgl', 'wasm', 'cpu'];
  if (preferred === undefined) return defaults;
  known(preferred, 'preferred');
  return [preferred as BackendName, ...defaults.filter((b) => b !== preferred)];
}

/** Marks the `Identity` kernel {@link shareWasmClones} registers, so it is recognised (also from a second copy). */
const SHARED_IDENTITY = Symbol.for('@crys/egnn:sharedIdentity');

/** The parts of tfjs-backend-wasm's backend the shared `Identity` uses. */
interface RefCountingBackend {
  incRef(dataId: object): void;
}

/**
 * Makes `tf.clone` on the wasm backend share its input's heap buffer (a counted reference, as tfjs-backend-cpu's
 * `Identity` and tfjs-backend-wasm's own `Reshape` already do) instead of copying it, by replacing tfjs-backend-wasm's
 * `Identity` kernel. tfjs clones every tensor it saves for a backward pass (`customGrad`'s `save`, the stock kernels'
 * saved inputs and outputs), so under a gradient tape each saved `[E, 64]` activation was copied once per step
 * (≈ 9 % of a carbon_24 training step, measured with tf.profile). Tensors are immutable and no wasm kernel, tfjs's or
 * ours, writes into its inputs, so a shared buffer is indistinguishable from a copy; strings keep the stock kernel.
 *
 * This is the only tfjs kernel this package replaces, and only when this function is called (training code calls it
 * once after {@link initBackend}). Calling it again is a no-op.
 *
 * @throws {@link BackendUnavailableError} when tfjs-backend-wasm is not loaded (call `initBackend('wasm')` first).
 * @example
 * ```ts
 * if ((await initBackend()) === 'wasm') shareWasmClones();
 * ```
 */
export function shareWasmClones(): void {
  const current = tf.getKernel('Identity', 'wasm');
  if (current === undefined) {
    throw new BackendUnavailableError('shareWasmClones', [
      { backend: 'wasm', reason: 'tfjs-backend-wasm is not loaded; call initBackend first' },
    ]);
  }
  if ((current.kernelFunc as { [SHARED_IDENTITY]?: true })[SHARED_IDENTITY]) return;
  const stock = current.kernelFunc;
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return stock(args);
    (args.backend as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  };
  (kernelFunc as { [SHARED_IDENTITY]?: true })[SHARED_IDENTITY] = true;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ ...current, kernelFunc });
}

/**
 * Sets how many threads this package's wasm kernels (dense layers and their gradients, SiLU, row gathers, segment sums)
 * split their work across: the calling thread and `count - 1` worker threads on the same heap. Every kernel splits into
 * parts that compute each output value exactly as one thread does, so results are bit-for-bit the same for any count.
 * Threads need the wasm backend with a shared heap, which {@link initBackend} loads in Node; elsewhere (cpu, browsers)
 * the count stays 1. Workers spin for a fraction of a millisecond after each kernel before they sleep.
 *
 * @param count - threads, 1 to 64 (1 stops the workers).
 * @returns the number of threads in effect.
 * @example
 * ```ts
 * await initBackend('wasm');
 * await setKernelThreads(2); // 2 on a Node wasm backend
 * ```
 */
export async function setKernelThreads(count: number): Promise<number> {
  const heap = tf.getBackend() === 'wasm' ? tfjsHeap(tf.backend()) : null;
  return startThreads(heap, count);
}

/** The number of threads the kernels use now (see {@link setKernelThreads}). */
export function kernelThreads(): number {
  return tf.getBackend() === 'wasm' ? threadsOn(tfjsHeap(tf.backend())) : 1;
}
