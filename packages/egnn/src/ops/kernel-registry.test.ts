import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../../test/helpers.js';
import { exp } from './exp.js';
import { gatherRows } from './gather-rows.js';
import { gatherRowsAdd } from './gather-rows-add.js';
import { kernelRegistration } from './kernel-registry.js';
import { linear } from './linear.js';
import { segmentMean } from './segment-mean.js';
import { segmentSum, segmentSumAdd } from './segment-sum.js';
import { silu } from './silu.js';
import { sliceColumns } from './slice-columns.js';
import { sliceRows } from './slice-rows.js';

/** Every op, forward and backward, on rows the SIMD kernels take. */
function runEveryOp(): void {
  tf.tidy(() => {
    const x = tf.randomUniform([8, 8]) as tf.Tensor2D;
    const idx = tf.tensor1d([0, 3, 7, 7, 1, 2, 5, 4], 'int32');
    const f = (t: tf.Tensor) => {
      const h = silu(linear(t as tf.Tensor2D, x, tf.zeros([8])));
      const g = gatherRowsAdd(h, idx, gatherRows(h, idx), idx, h);
      const s = segmentSumAdd(segmentSum(g, idx, 8), sliceRows(g, 0, 8), idx);
      return tf.sum(tf.add(exp(sliceColumns(segmentMean(s, idx, 8), 0, 4)), 1));
    };
    tf.grad(f)(x);
  });
}

describe.each(TEST_BACKENDS)('kernel registration on %s', (backend) => {
  test('running every op registers Crys kernels only and leaves every tfjs kernel as it was', async () => {
    await useBackend(backend);
    const before = new Map(tf.getKernelsForBackend(backend).map((k) => [k.kernelName, k.kernelFunc]));
    runEveryOp();
    const after = tf.getKernelsForBackend(backend);
    const added = after.filter((k) => !before.has(k.kernelName)).map((k) => k.kernelName);
    expect(added.every((name) => name.startsWith('Crys'))).toBe(true);
    for (const k of after) if (before.has(k.kernelName)) expect(k.kernelFunc).toBe(before.get(k.kernelName));
  });
});

test('kernelRegistration refuses a kernel name that could replace a tfjs kernel', () => {
  const register = kernelRegistration([
    { kernelName: 'Identity', backends: ['cpu'], run: ({ inputs }) => inputs.x as tf.TensorInfo },
  ]);
  expect(register).toThrowErrorMatchingInlineSnapshot(
    `[Error: @crys/egnn: kernel name Identity could replace a tfjs kernel; it must begin with Crys]`,
  );
});
