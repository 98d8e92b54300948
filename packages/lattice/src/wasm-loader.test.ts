import { expect, test } from 'vitest';
import { isNode, resolveFromModule, wasmBindgenLoader } from './wasm-loader.js';

test('resolveFromModule(specifier, import.meta.url) resolves a package file in Node', async () => {
  expect(isNode()).toBe(true);
  expect(await resolveFromModule('vitest/package.json', import.meta.url)).toMatch(/vitest[/\\]package\.json$/);
});

test('wasmBindgenLoader(init).load() calls init once, shares the promise and retries after a failure', async () => {
  const calls: unknown[] = [];
  let fail = true;
  const init = async (input?: { module_or_path: string | Uint8Array }) => {
    calls.push(input?.module_or_path);
    if (fail) throw new Error('no such module');
  };
  const loader = wasmBindgenLoader<string>(init, 'vitest/package.json', import.meta.url);
  await expect(loader.load('a.wasm')).rejects.toThrow('no such module');
  expect(loader.loaded).toBe(false);
  fail = false;
  const first = loader.load('b.wasm');
  expect(loader.load('c.wasm')).toBe(first);
  await first;
  expect(loader.loaded).toBe(true);
  expect(calls).toEqual(['a.wasm', 'b.wasm']);
});

test('wasmBindgenLoader(init, wasmFile).load() reads wasmFile from node_modules in Node', async () => {
  const calls: unknown[] = [];
  const loader = wasmBindgenLoader<string>(
    async (input) => {
      calls.push(input?.module_or_path);
    },
    'vitest/package.json',
    import.meta.url,
  );
  await loader.load();
  expect(calls).toHaveLength(1);
  expect(JSON.parse(new TextDecoder().decode(calls[0] as Uint8Array)).name).toBe('vitest');
});
