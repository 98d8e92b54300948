import { initBackend, setKernelThreads, shareWasmClones } from '@crys/egnn';

/** Options of {@link initModelBackend}. */
export interface ModelBackendOptions {
  /**
   * Threads the wasm kernels split their work across (`@crys/egnn`'s `setKernelThreads`; 1 to 64, default 1). Results
   * are bit-for-bit the same for any count; only the time changes. Ignored on cpu; unset leaves the count as it is.
   */
  readonly threads?: number;
}

/**
 * Selects the tfjs backend the model runs on: `wasm` (default; deterministic, ~10× faster than `cpu` in
 * Node) or `cpu`. Falls back to `cpu` when wasm cannot start (never to webgl), and returns the backend in use.
 * It is `@crys/egnn`'s `initBackend` restricted to the backends the model is tested on; on wasm it also calls
 * `shareWasmClones()`, so the tensors a training step saves for its backward pass are not copied, and starts the
 * kernel threads of `options.threads`.
 *
 * @example
 * await initModelBackend(); // 'wasm'
 * await initModelBackend('wasm', { threads: 2 }); // both cores of a 2-core machine
 */
export async function initModelBackend(
  preferred: 'wasm' | 'cpu' = 'wasm',
  options: ModelBackendOptions = {},
): Promise<string> {
  const backend = await initBackend(preferred === 'wasm' ? ['wasm', 'cpu'] : [preferred]);
  if (backend === 'wasm') {
    shareWasmClones();
    if (options.threads !== undefined) await setKernelThreads(options.threads);
  }
  return backend;
}
