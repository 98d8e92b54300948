// Node plumbing for the packages that load WebAssembly: moyo in @crys/io and @crys/eval, tfjs-backend-wasm in
// @crys/egnn. Browser-safe: Node built-ins are reached through `process.getBuiltinModule` (Node ≥ 20.16) or a
// dynamic import of a non-literal specifier, so bundlers never try to resolve them.

interface NodeProcessLike {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

function nodeProcess(): NodeProcessLike | undefined {
  const p = (globalThis as { process?: NodeProcessLike }).process;
  return typeof p?.versions?.node === 'string' ? p : undefined;
}

/**
 * True when running in Node.
 *
 * @example
 * isNode(); // true in Node, false in a browser or a worker
 */
export function isNode(): boolean {
  return nodeProcess() !== undefined;
}

async function builtin<T>(id: string): Promise<T> {
  return (nodeProcess()?.getBuiltinModule?.(id) ?? (await import(/* @vite-ignore */ id))) as T;
}

/**
 * The absolute path of `specifier` resolved as the module at `base` would import it, or `undefined` outside Node.
 * Pass your own `import.meta.url`: under pnpm a package resolves only from the packages that declare it.
 *
 * @example
 * await resolveFromModule('@spglib/moyo-wasm/moyo_wasm_bg.wasm', import.meta.url); // '/…/moyo_wasm_bg.wasm'
 */
export async function resolveFromModule(specifier: string, base: string): Promise<string | undefined> {
  if (!isNode()) return undefined;
  const { createRequire } = await builtin<typeof import('node:module')>('node:module');
  return createRequire(base).resolve(specifier);
}

/** Loads one wasm-bindgen module; made by {@link wasmBindgenLoader}. */
export interface WasmLoader<Source> {
  /**
   * Loads the module once: later calls share the first call's promise, and a failed load is tried again by the
   * next call. `source` (bytes, a URL, a Response) replaces the default location.
   */
  load(source?: Source): Promise<void>;
  /** True once a load has finished. */
  readonly loaded: boolean;
}

/**
 * A loader for a wasm-bindgen package's WebAssembly. In Node it reads `wasmFile` (resolved from `base`, pass
 * `import.meta.url`) from `node_modules`; elsewhere the package's own loader fetches the file next to its module
 * (bundlers that understand `new URL('…', import.meta.url)` copy it), unless a source is given.
 *
 * @param init - the package's default export (wasm-bindgen's `__wbg_init`).
 * @example
 * import init from '@spglib/moyo-wasm';
 * const moyo = wasmBindgenLoader(init, '@spglib/moyo-wasm/moyo_wasm_bg.wasm', import.meta.url);
 * await moyo.load();
 */
export function wasmBindgenLoader<Source>(
  init: (input?: { module_or_path: Source | Uint8Array }) => Promise<unknown>,
  wasmFile: string,
  base: string,
): WasmLoader<Source> {
  let ready: Promise<void> | undefined;
  let loaded = false;
  const loadOnce = async (source: Source | undefined): Promise<void> => {
    if (source !== undefined) {
      await init({ module_or_path: source });
    } else {
      const file = await resolveFromModule(wasmFile, base);
      if (file === undefined) {
        await init();
      } else {
        const { readFile } = await builtin<typeof import('node:fs/promises')>('node:fs/promises');
        await init({ module_or_path: await readFile(file) });
      }
    }
    loaded = true;
  };
  return {
    load(source?: Source): Promise<void> {
      if (ready === undefined) {
        ready = loadOnce(source);
        ready.catch(() => {
          ready = undefined;
        });
      }
      return ready;
    },
    get loaded() {
      return loaded;
    },
  };
}
