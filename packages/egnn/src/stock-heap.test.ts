// tfjs-backend-wasm's stock heap (CRYS_SHARED_HEAP=0, and what browsers get): a plain memory whose buffer is replaced
// when it grows, so a kernel must not keep a view of one output across the allocation of the next.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { randomArray } from '../test/helpers.js';
import { initBackend } from './backend.js';
import { adamUpdate } from './ops/adam.js';
import { silu } from './ops/silu.js';
import { isShared, tfjsHeap } from './wasm/instance.js';

describe('kernels on the stock (unshared) wasm heap', () => {
  beforeAll(async () => {
    process.env.CRYS_SHARED_HEAP = '0';
    expect(await initBackend('wasm')).toBe('wasm');
  });

  test('the heap is the stock one here', () => {
    expect(isShared(tfjsHeap(tf.backend()) as WebAssembly.Memory)).toBe(false);
  });

  test('SiLU under a gradient tape and an Adam step are right when their outputs grow the heap', () => {
    // Each output is ≈ 16 MB, so the heap grows between the allocations of a kernel's outputs.
    const n = 4_000_003;
    const xs = randomArray(n, 5);
    const x = tf.tensor1d(xs);
    // Under a tape SiLU's kernel writes [silu(x), σ(x)]; the sum reads the first, the gradient both.
    const { value, grad } = tf.valueAndGrad((v: tf.Tensor) => tf.sum(silu(v)))(x);
    const gv = grad.dataSync();
    let sum = 0;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const s = 1 / (1 + Math.exp(-xs[i]));
      sum += xs[i] * s;
      if (i % 997 === 0) worst = Math.max(worst, Math.abs(gv[i] - (s + xs[i] * s * (1 - s))));
    }
    expect(Math.abs(value.dataSync()[0] - sum) / Math.abs(sum)).toBeLessThan(1e-3); // a float32 sum of 4·10⁶ terms
    expect(worst).toBeLessThan(1e-5);
    const w = tf.variable(tf.ones([n]));
    const m = tf.variable(tf.zeros([n]));
    const v = tf.variable(tf.zeros([n]));
    adamUpdate(w, m, v, x, { stepSize: 0.5, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    // One step from zero moments moves every weight by ≈ stepSize·0.1·g/√(0.001·g²) = ±1.58·stepSize.
    const wv = w.dataSync();
    for (const i of [0, 1, n >> 1, n - 1]) expect(Math.abs(wv[i] - 1)).toBeCloseTo((0.5 * 0.1) / Math.sqrt(0.001), 3);
    tf.dispose([x, value, grad, w, m, v]);
  });
});
