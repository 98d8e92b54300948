import { initBackend, shareWasmClones } from '@crys/egnn';

/**
 * Selects the tfjs backend the model runs on: `wasm` (default; deterministic, ~10× faster than `cpu` in
 * Node) or `cpu`. Falls back to `cpu` when wasm cannot start (never to webgl), and returns the backend in use.
 * It is `@crys/egnn`'s `initBackend` restricted to the backends the model is tested on; on wasm it also calls
 * `shareWasmClones()`, so the tensors a training step saves for its backward pass are not copied.
 *
 * @example
 * await initModelBackend(); // 'wasm'
 */
export async function initModelBackend(preferred: 'wasm' | 'cpu' = 'wasm'): Promise<string> {
  const backend = await initBackend(preferred === 'wasm' ? ['wasm', 'cpu'] : [preferred]);
  if (backend === 'wasm') shareWasmClones();
  return backend;
}
