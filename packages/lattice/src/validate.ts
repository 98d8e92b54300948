import { DegenerateLatticeError, describeValue, InvalidArgumentError } from './errors.js';
import { determinant, type Mat3Like } from './mat3.js';

/**
 * Throws unless `value` is an array-like of `length` finite numbers. `layout` names the length in the message
 * (`must have length 3·n = 30, got 10`).
 *
 * @example
 * assertFiniteArray('radiusGraph', 'fracCoords', fracCoords, 3 * n, '3·n');
 */
export function assertFiniteArray(fn: string, name: string, value: unknown, length?: number, layout?: string): void {
  if (value === null || typeof value !== 'object' || typeof (value as ArrayLike<number>).length !== 'number') {
    throw new InvalidArgumentError(fn, name, `must be an array of numbers, got ${describeValue(value)}`, value);
  }
  const a = value as ArrayLike<number>;
  if (length !== undefined && a.length !== length) {
    const want = layout === undefined ? `${length}` : `${layout} = ${length}`;
    throw new InvalidArgumentError(fn, name, `must have length ${want}, got ${a.length}`, value);
  }
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new InvalidArgumentError(fn, name, `must be finite, got ${String(x)} at index ${i}`, value);
    }
  }
}

/**
 * Throws unless `value` is a non-negative integer (a count or an index bound).
 *
 * @example
 * assertCount('crystalActions', 'numCrystals', 2); // passes; -1 or 1.5 throws
 */
export function assertCount(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(fn, name, `must be a non-negative integer, got ${describeValue(value)}`, value);
  }
}

/**
 * Throws unless `value` is a positive integer (a size: units, layers, a batch).
 *
 * @example
 * assertPositiveInteger('EgnnConv', 'units', 64); // passes; 0 or 2.5 throws
 */
export function assertPositiveInteger(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new InvalidArgumentError(fn, name, `must be a positive integer, got ${describeValue(value)}`, value);
  }
}

/**
 * Throws unless `value` is a finite number > 0 (≥ 0 with `allowZero`).
 *
 * @example
 * assertPositive('spaceGroup', 'options.symprec', 0.1); // passes; 0, -1 or Infinity throws
 */
export function assertPositive(fn: string, name: string, value: unknown, allowZero = false): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    const want = allowZero ? 'non-negative' : 'positive';
    throw new InvalidArgumentError(fn, name, `must be ${want} and finite, got ${describeValue(value)}`, value);
  }
}

/**
 * Throws {@link DegenerateLatticeError} unless `lattice` is a finite 3×3 whose volume and edge lengths are finite
 * (no overflow) and whose volume is not negligible against its edge lengths (|det| > 1e-10 · |a||b||c|).
 *
 * @example
 * assertLattice('radiusGraph', crystal.lattice); // throws DegenerateLatticeError if singular
 */
export function assertLattice(fn: string, lattice: unknown, name = 'lattice'): asserts lattice is Mat3Like {
  assertFiniteArray(fn, name, lattice, 9);
  const l = lattice as Mat3Like;
  const det = determinant(l);
  const na = Math.hypot(l[0], l[1], l[2]);
  const nb = Math.hypot(l[3], l[4], l[5]);
  const nc = Math.hypot(l[6], l[7], l[8]);
  if (!Number.isFinite(det) || !Number.isFinite(na) || !Number.isFinite(nb) || !Number.isFinite(nc)) {
    // finite entries whose volume or lengths overflow: the bound below would be finite and pass Infinity
    throw new DegenerateLatticeError(
      fn,
      name,
      `has a volume or edge length that is not finite (det ${det}, lengths ${na}, ${nb}, ${nc}), got ${describeValue(lattice)}`,
      lattice,
    );
  }
  if (!(Math.abs(det) > 1e-10 * na * nb * nc) || na === 0 || nb === 0 || nc === 0) {
    throw new DegenerateLatticeError(
      fn,
      name,
      `is singular or degenerate (det ${det.toPrecision(4)}), got ${describeValue(lattice)}`,
      lattice,
    );
  }
}
