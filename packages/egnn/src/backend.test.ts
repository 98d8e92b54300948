import * as tf from '@tensorflow/tfjs';
import { expect, test } from 'vitest';
import '../test/helpers.js';
import { type BackendName, initBackend } from './backend.js';

test('initBackend() picks wasm in Node, with the .wasm files found in node_modules', async () => {
  expect(await initBackend()).toBe('wasm');
  expect(tf.getBackend()).toBe('wasm');
  expect(tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).arraySync())).toEqual([2, 3]);
});

test('initBackend(preferred) switches backends and falls back when the preferred one is unavailable', async () => {
  expect(await initBackend('cpu')).toBe('cpu');
  expect(await initBackend('wasm')).toBe('wasm');
  expect(await initBackend('webgl')).toBe('wasm'); // no webgl in Node: the Node default order follows
});

test('initBackend rejects an unknown backend name', async () => {
  await expect(initBackend('tpu' as BackendName)).rejects.toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: initBackend: preferred must be one of wasm, cpu, webgl, got tpu]`,
  );
});
