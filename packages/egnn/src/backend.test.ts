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

test('initBackend([...]) tries exactly the listed backends, in order', async () => {
  expect(await initBackend(['cpu'])).toBe('cpu');
  expect(await initBackend(['wasm', 'cpu'])).toBe('wasm');
  await expect(initBackend(['webgl'])).rejects.toThrowErrorMatchingInlineSnapshot(
    `[BackendUnavailableError: initBackend: no tfjs backend could be initialised (tried webgl: webgl is not available in Node)]`,
  );
  expect(await initBackend(['webgl', 'cpu'])).toBe('cpu');
});

test('initBackend rejects an unknown backend name', async () => {
  await expect(initBackend('tpu' as BackendName)).rejects.toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: initBackend: preferred must be one of wasm, cpu, webgl, got tpu]`,
  );
});

test('initBackend rejects an empty list and names the unknown entry of a list', async () => {
  await expect(initBackend([])).rejects.toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: initBackend: preferred must name at least one backend, got []]`,
  );
  await expect(initBackend(['cpu', 'tpu' as BackendName])).rejects.toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: initBackend: preferred[1] must be one of wasm, cpu, webgl, got tpu]`,
  );
});
