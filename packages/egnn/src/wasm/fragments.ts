// Code fragments the kernels share: loop shapes, row addressing and a pool of v128 constants.
import {
  add,
  doWhile,
  f32x4Splat,
  f32Text,
  get,
  hex32,
  type Instr,
  i32,
  i32load,
  i32x4Splat,
  ltU,
  mul,
  set,
  shl,
  tee,
} from './assembler.js';

/** `i += step; i < end` as a loop condition (leaves an i32). */
export const advance = (i: number, step: readonly Instr[], end: number): Instr[] => [
  ...get(i),
  ...step,
  ...add,
  ...tee(i),
  ...get(end),
  ...ltU,
];

/** `for (i = 0; …; i += step) body` while i < end, as a do-while (the body runs at least once: end > 0). */
export const countedLoop = (i: number, end: number, step: number, body: readonly Instr[]): Instr[] => [
  ...i32(0),
  ...set(i),
  ...doWhile(body, advance(i, i32(step), end)),
];

/**
 * v128 constants kept in locals from `first` on (V8 rematerialises a `v128.const` inside a loop on every iteration):
 * `f32(value)` / `i32(value)` give the local, `init()` the code that fills them, run once before the loop, and
 * `names()` the locals' names (`f32:1.442695`, `i32:0x3f800000`).
 */
export function constantPool(first: number) {
  const values: { v: number; int: boolean }[] = [];
  const local = (v: number, int: boolean) => {
    let i = values.findIndex((c) => c.v === v && c.int === int);
    if (i < 0) i = values.push({ v, int }) - 1;
    return first + i;
  };
  return {
    f32: (v: number) => get(local(v, false)),
    i32: (v: number) => get(local(v, true)),
    count: () => values.length,
    names: () => values.map((c) => (c.int ? `i32:${hex32(c.v)}` : `f32:${f32Text(c.v)}`)),
    init: () => values.flatMap((c, i) => [...(c.int ? i32x4Splat(c.v) : f32x4Splat(c.v)), ...set(first + i)]),
  };
}
export type ConstantPool = ReturnType<typeof constantPool>;

/**
 * A loop over rows e < rows with an inner loop over the F floats of a row, four at a time (F % 4 = 0, rows ≥ 1, F ≥ 4;
 * with `step` 4, one at a time and any F ≥ 1). `row` computes the row's pointers from `e` (the row index local);
 * `vector` moves one v128 (or word) at byte offset `fb` (0 … fbEnd = 4F).
 */
export function rowLoop(
  e: number,
  rows: number,
  fb: number,
  fbEnd: number,
  row: readonly Instr[],
  vector: readonly Instr[],
  step = 16,
): Instr[] {
  return countedLoop(e, rows, 1, [...row, ...countedLoop(fb, fbEnd, step, vector)]);
}

/**
 * Code for the byte address of row `idx[i]` of a matrix at `base` with rows of `fbe` bytes (`idx[i + offset / 4]` with
 * a byte `offset`).
 */
export const indexedRow = (base: number, idx: number, i: number, fbe: number, offset = 0): Instr[] => [
  ...get(base),
  ...get(idx),
  ...get(i),
  ...i32(2),
  ...shl,
  ...add,
  ...i32load(offset),
  ...get(fbe),
  ...mul,
  ...add,
];

/** Code for the byte address of row `i` of a matrix at `base` with rows of `fbe` bytes. */
export const directRow = (base: number, i: number, fbe: number): Instr[] => [
  ...get(base),
  ...get(i),
  ...get(fbe),
  ...mul,
  ...add,
];

/** Code for the sum of two i32 locals (a pointer plus a byte offset). */
export const plus = (ptr: number, offset: number): Instr[] => [...get(ptr), ...get(offset), ...add];
