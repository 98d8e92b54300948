import { initBackend } from '@crys/egnn';

/**
 * Selects the tfjs backend the model runs on: `wasm` (default; deterministic, ~10× faster than `cpu` in
 * Node) or `cpu`. Falls back to `cpu` when wasm cannot start (never to webgl), and returns the backend in use.
 * It is `@crys/egnn`'s `initBackend` restricted to the backends the model is tested on.
 *
 * @example
 * await initModelBackend(); // 'wasm'
 */
export async function initModelBackend(preferred: 'wasm' | 'cpu' = 'wasm'): Promise<string> {
  return initBackend(preferred === 'wasm' ? ['wasm', 'cpu'] : [preferred]);
}
