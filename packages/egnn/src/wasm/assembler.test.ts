import { describe, expect, test } from 'vitest';
import { adamModule } from '../ops/adam.js';
import { addModule } from '../ops/add-same.js';
import { edgeFirstModule } from '../ops/edge-first-layer.js';
import { edgeVectorsModule } from '../ops/edge-vectors.js';
import { expModule } from '../ops/exp.js';
import { gatherRowsModule } from '../ops/gather-rows.js';
import { gatherRowsAddModule } from '../ops/gather-rows-add.js';
import { linearModule } from '../ops/linear.js';
import { outerRowsModule } from '../ops/outer-rows.js';
import { scaleRowsModule } from '../ops/scale-rows.js';
import { segmentSumModule } from '../ops/segment-sum.js';
import { siluModule } from '../ops/silu.js';
import { copyModule } from '../ops/slice-columns.js';
import {
  add,
  assemble,
  doWhile,
  f32Text,
  f32x4Splat,
  get,
  type Instr,
  i32,
  ltU,
  set,
  tee,
  vload,
  vstore,
  type WasmFunction,
  wasmText,
} from './assembler.js';

const MODULES = {
  'gather-rows': gatherRowsModule,
  'gather-rows-add': gatherRowsAddModule,
  'segment-sum': segmentSumModule,
  linear: linearModule,
  silu: siluModule,
  exp: expModule,
  'scale-rows': scaleRowsModule,
  adam: adamModule,
  'slice-columns': copyModule,
  'edge-first-layer': edgeFirstModule,
  'outer-rows': outerRowsModule,
  'add-same': addModule,
  'edge-vectors': edgeVectorsModule,
};

describe('the kernel modules', () => {
  // The text of every kernel module is kept beside the package's tests, so a change to a kernel shows in review as a
  // change to its instructions (`vitest -u` rewrites them after an intended change).
  test.each(Object.entries(MODULES))('wasmText(%s module) matches its reviewed text', async (name, module) => {
    const bytes = module.bytes();
    expect(WebAssembly.validate(bytes)).toBe(true);
    await expect(wasmText(bytes)).toMatchFileSnapshot(`../../test/wasm/${name}.wat`);
  });

  test.each(Object.entries(MODULES))('the %s module has a variant importing a shared memory', (_, module) => {
    const shared = module.bytes(true);
    expect(WebAssembly.validate(shared)).toBe(true);
    const text = wasmText(shared);
    expect(text).toContain('(import "env" "memory" (memory 1 65536 shared))');
    // The same code: only the import differs.
    expect(text.replace(' 65536 shared', '')).toBe(wasmText(module.bytes()));
  });
});

describe('assemble(functions) and wasmText(bytes)', () => {
  // copy(dst, src, bytes): dst[i] = src[i] + 0 for 16-byte blocks, a loop with multi-byte LEB128 immediates.
  const copy: WasmFunction = {
    name: 'copy',
    params: ['dst', 'src', 'end'],
    locals: [['v128', ['zero']]],
    code: [
      ...f32x4Splat(0),
      ...set(3),
      ...get(1),
      ...get(2),
      ...add,
      ...set(2),
      ...doWhile(
        [...get(0), ...get(1), ...vload(0), ...vstore(0), ...get(0), ...i32(16), ...add, ...set(0)] as Instr[],
        [...get(1), ...i32(16), ...add, ...tee(1), ...get(2), ...ltU],
      ),
      ...i32(-624485),
      ...i32(300),
      ...add,
      ...set(0),
    ],
  };

  test('assemble([copy]) runs on an imported memory', () => {
    const bytes = assemble([copy]);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { copy: run } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as {
      copy(dst: number, src: number, bytes: number): void;
    };
    const heap = new Float32Array(memory.buffer);
    heap.set([1, 2, 3, 4, 5, 6, 7, 8], 8);
    run(64, 32, 32);
    expect(Array.from(heap.subarray(16, 24))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('wasmText(bytes) prints the names, loops and immediates back', () => {
    expect(wasmText(assemble([copy]))).toMatchInlineSnapshot(`
      "(module
        (import "env" "memory" (memory 1))
        (func $copy (export "copy") (param $dst i32) (param $src i32) (param $end i32)
          (local $zero v128)
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000 ;; f32 0 or i32 0 in each lane
          local.set $zero
          local.get $src
          local.get $end
          i32.add
          local.set $end
          loop
            local.get $dst
            local.get $src
            v128.load
            v128.store
            local.get $dst
            i32.const 16
            i32.add
            local.set $dst
            local.get $src
            i32.const 16
            i32.add
            local.tee $src
            local.get $end
            i32.lt_u
            br_if 0
          end
          i32.const -624485
          i32.const 300
          i32.add
          local.set $dst
        )
      )
      "
    `);
  });

  test('assemble refuses an unknown instruction or a wrong number of immediates', () => {
    const bad = (code: Instr[]) => () => assemble([{ name: 'f', params: [], locals: [], code }]);
    expect(bad([['i32.popcnt' as never]])).toThrowErrorMatchingInlineSnapshot(
      `[Error: assemble: unknown instruction i32.popcnt]`,
    );
    expect(bad([['local.get']])).toThrowErrorMatchingInlineSnapshot(
      `[Error: assemble: local.get takes 1 immediates, got 0]`,
    );
  });

  test('wasmText refuses bytes that are not a WebAssembly module', () => {
    expect(() => wasmText(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrowErrorMatchingInlineSnapshot(
      `[Error: wasmText: not a WebAssembly 1.0 module]`,
    );
  });

  test('f32Text(v) is the shortest decimal of the float32 nearest v', () => {
    expect([Math.LOG2E, 0.1, 88, -2.1219444e-4, Number.POSITIVE_INFINITY].map(f32Text)).toEqual([
      '1.442695',
      '0.1',
      '88',
      '-0.00021219444',
      'Infinity',
    ]);
  });
});
