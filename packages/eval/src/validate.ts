import {
  assertFiniteArray,
  assertLattice,
  type Crystal,
  describeValue,
  InvalidArgumentError,
  MAX_ATOMIC_NUMBER,
} from '@crys/lattice';

/**
 * Checks a crystal at a public boundary: a finite, non-degenerate lattice, at least one atom, finite fractional
 * coordinates of length 3·n, atomic numbers 1–118 and no partially occupied site. Throws
 * {@link InvalidArgumentError} (or its subclass `DegenerateLatticeError`) naming `fn` and `name`.
 */
export function assertCrystal(fn: string, name: string, crystal: unknown): asserts crystal is Crystal {
  if (crystal === null || typeof crystal !== 'object') {
    throw new InvalidArgumentError(fn, name, `must be a Crystal, got ${describeValue(crystal)}`, crystal);
  }
  const c = crystal as Partial<Crystal>;
  assertLattice(fn, c.lattice, `${name}.lattice`);
  const z = c.atomicNumbers;
  if (z === null || typeof z !== 'object' || typeof z.length !== 'number') {
    throw new InvalidArgumentError(fn, `${name}.atomicNumbers`, `must be an array, got ${describeValue(z)}`, z);
  }
  const n = z.length;
  if (n === 0) throw new InvalidArgumentError(fn, name, 'must have at least one atom, got 0', crystal);
  assertFiniteArray(fn, `${name}.fracCoords`, c.fracCoords, 3 * n);
  for (let i = 0; i < n; i++) {
    const zi = z[i];
    if (!Number.isInteger(zi) || zi < 1 || zi > MAX_ATOMIC_NUMBER) {
      throw new InvalidArgumentError(
        fn,
        `${name}.atomicNumbers`,
        `must be atomic numbers 1–${MAX_ATOMIC_NUMBER}, got ${zi} at index ${i}`,
        z,
      );
    }
  }
  const occ = c.occupancies;
  if (occ !== undefined) {
    for (let i = 0; i < occ.length; i++) {
      if (!(occ[i] >= 1 - 1e-6)) {
        throw new InvalidArgumentError(
          fn,
          name,
          `has a partially occupied site (occupancy ${occ[i]} at index ${i}); order the structure first`,
          crystal,
        );
      }
    }
  }
}
