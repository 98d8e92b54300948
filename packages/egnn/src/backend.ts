import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, InvalidArgumentError } from './errors.js';

/** A tfjs backend this package knows how to initialise. */
export type BackendName = 'wasm' | 'cpu' | 'webgl';

const BACKENDS: readonly BackendName[] = ['wasm', 'cpu', 'webgl'];

interface NodeProcessLike {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

function nodeProcess(): NodeProcessLike | undefined {
  const p = (globalThis as { process?: NodeProcessLike }).process;
  return p?.versions?.node ? p : undefined;
}

/** Directory (with trailing slash) holding tfjs-backend-wasm's `.wasm` files, resolved from this module in Node. */
async function nodeWasmDir(): Promise<string> {
  const proc = nodeProcess();
  type ModuleMod = { createRequire(url: string): { resolve(id: string): string } };
  type PathMod = { dirname(p: string): string; sep: string };
  // getBuiltinModule (Node ≥ 20.16) keeps `node:` imports out of browser bundles entirely; the dynamic import is
  // the fallback for older Node versions.
  const mod = (proc?.getBuiltinModule?.('node:module') ??
    (await import(/* @vite-ignore */ `${'node:'}module`))) as ModuleMod;
  const path = (proc?.getBuiltinModule?.('node:path') ??
    (await import(/* @vite-ignore */ `${'node:'}path`))) as PathMod;
  const main = mod.createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  return path.dirname(main) + path.sep;
}

let wasmReady: Promise<void> | undefined;

async function registerWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (nodeProcess()) wasm.setWasmPaths(await nodeWasmDir());
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
 * A `preferred` backend is tried first and the others follow as fallbacks. Browsers that serve the `.wasm` files
 * from elsewhere call tfjs-backend-wasm's `setWasmPaths` before this.
 *
 * @param preferred - backend to try first.
 * @returns the active backend, e.g. `'wasm'`.
 * @throws {@link BackendUnavailableError} when none could be initialised.
 * @example
 * ```ts
 * const backend = await initBackend(); // 'wasm' in Node
 * ```
 */
export async function initBackend(preferred?: BackendName): Promise<string> {
  if (preferred !== undefined && !BACKENDS.includes(preferred)) {
    throw new InvalidArgumentError(
      'initBackend',
      'preferred',
      `must be one of ${BACKENDS.join(', ')}, got ${String(preferred)}`,
      preferred,
    );
  }
  const defaults: BackendName[] = nodeProcess() ? ['wasm', 'cpu'] : ['webgl', 'wasm', 'cpu'];
  const order = preferred ? [preferred, ...defaults.filter((b) => b !== preferred)] : defaults;
  const tried: { backend: string; reason: string }[] = [];
  for (const name of order) {
    try {
      if (name === 'wasm') await registerWasm();
      if (name === 'webgl' && nodeProcess()) throw new Error('webgl is not available in Node');
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
