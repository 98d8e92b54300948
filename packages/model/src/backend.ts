import * as tf from '@tensorflow/tfjs';

/**
 * Selects the tfjs backend the model runs on: `wasm` (default; deterministic, ~10× faster than `cpu` in
 * Node) or `cpu`. Falls back to `cpu` when wasm cannot start, and returns the backend in use.
 *
 * @example
 * await initModelBackend(); // 'wasm'
 */
export async function initModelBackend(preferred: 'wasm' | 'cpu' = 'wasm'): Promise<string> {
  if (preferred === 'wasm') {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return tf.getBackend();
      }
    } catch {
      // fall through to cpu
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return tf.getBackend();
}
