/**
 * Boundary checks of the plain-array functions that only this package needs (kernels themselves never check); the
 * general ones (`assertCount`, `assertFiniteArray`) come from @crys/lattice.
 */
import { assertFiniteArray, describeValue, InvalidArgumentError } from '@crys/lattice';

/** Throws unless `idx` is an Int32Array of `length` entries, each in [0, bound). */
export function assertIndex(
  fn: string,
  name: string,
  idx: unknown,
  length: number,
  bound: number,
  boundName: string,
): void {
  if (!(idx instanceof Int32Array)) {
    throw new InvalidArgumentError(fn, name, `must be an Int32Array, got ${describeValue(idx)}`, idx);
  }
  if (idx.length !== length) {
    throw new InvalidArgumentError(fn, name, `must have length ${length}, got ${idx.length}`, idx);
  }
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i];
    if (k < 0 || k >= bound) {
      throw new InvalidArgumentError(
        fn,
        name,
        `must hold indices in [0, ${boundName} = ${bound}), got ${k} at index ${i}`,
        idx,
      );
    }
  }
}

/** Throws unless `a` is a finite array whose length is a multiple of `width`; returns length / width. */
export function assertRows(fn: string, name: string, a: unknown, width: number, layout: string): number {
  assertFiniteArray(fn, name, a);
  const n = (a as ArrayLike<number>).length;
  if (n % width !== 0) {
    throw new InvalidArgumentError(fn, name, `must have length ${layout}, got ${n}`, a);
  }
  return n / width;
}
