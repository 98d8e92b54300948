import { InvalidArgumentError } from './errors.js';
import { MAX_ATOMIC_NUMBER } from './elements.js';
import type { Mat3 } from './mat3.js';
import { assertFiniteArray, assertLattice } from './validate.js';

/**
 * A periodic crystal: a lattice, fractional coordinates and species. Plain readonly data; functions act on it.
 */
export interface Crystal {
  /** 3×3 row-major, length 9; row i is lattice vector i (Å). */
  readonly lattice: Mat3;
  /** 3·n, atom-major [x0, y0, z0, x1, …], fractional. Not necessarily wrapped into [0, 1). */
  readonly fracCoords: Float64Array;
  /** n atomic numbers. */
  readonly atomicNumbers: Uint8Array;
  /** Optional n site occupancies (1 = fully occupied). Present only when some site is partial. */
  readonly occupancies?: Float64Array;
  /** Optional n site labels (e.g. from CIF `_atom_site_label`). */
  readonly labels?: readonly string[];
}

/** Fields accepted by {@link createCrystal}: any array-likes. */
export interface CrystalInit {
  lattice: ArrayLike<number>;
  fracCoords: ArrayLike<number>;
  atomicNumbers: ArrayLike<number>;
  occupancies?: ArrayLike<number>;
  labels?: readonly string[];
}

/**
 * A validated {@link Crystal} with copies of the given arrays. Throws {@link InvalidArgumentError} (naming
 * the field) for wrong lengths, non-finite numbers, unknown atomic numbers or a degenerate lattice.
 *
 * @example
 * const cscl = createCrystal({ lattice: [4.12, 0, 0, 0, 4.12, 0, 0, 0, 4.12],
 *   fracCoords: [0, 0, 0, 0.5, 0.5, 0.5], atomicNumbers: [55, 17] });
 */
export function createCrystal(init: CrystalInit, fn = 'createCrystal'): Crystal {
  assertLattice(fn, init.lattice);
  const n = init.atomicNumbers?.length;
  if (typeof n !== 'number') {
    throw new InvalidArgumentError(fn, 'atomicNumbers', 'must be an array', init.atomicNumbers);
  }
  assertFiniteArray(fn, 'fracCoords', init.fracCoords);
  if (init.fracCoords.length !== 3 * n) {
    throw new InvalidArgumentError(
      fn,
      'fracCoords',
      `must have length 3·n = ${3 * n} for ${n} atoms, got ${init.fracCoords.length}`,
      init.fracCoords,
    );
  }
  const atomicNumbers = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const z = init.atomicNumbers[i];
    if (!Number.isInteger(z) || z < 1 || z > MAX_ATOMIC_NUMBER) {
      throw new InvalidArgumentError(fn, 'atomicNumbers', `must be atomic numbers 1–118, got ${z} at index ${i}`, z);
    }
    atomicNumbers[i] = z;
  }
  let occupancies: Float64Array | undefined;
  if (init.occupancies !== undefined) {
    assertFiniteArray(fn, 'occupancies', init.occupancies, n);
    occupancies = Float64Array.from(init.occupancies);
    for (let i = 0; i < n; i++) {
      if (!(occupancies[i] > 0 && occupancies[i] <= 1 + 1e-6)) {
        throw new InvalidArgumentError(fn, 'occupancies', `must be in (0, 1], got ${occupancies[i]} at index ${i}`);
      }
    }
  }
  if (init.labels !== undefined && init.labels.length !== n) {
    throw new InvalidArgumentError(fn, 'labels', `must have length n = ${n}, got ${init.labels.length}`);
  }
  return {
    lattice: Float64Array.from(init.lattice),
    fracCoords: Float64Array.from(init.fracCoords),
    atomicNumbers,
    ...(occupancies ? { occupancies } : {}),
    ...(init.labels ? { labels: [...init.labels] } : {}),
  };
}

/**
 * Number of sites n.
 *
 * @example
 * numAtoms(cscl); // 2
 */
export function numAtoms(crystal: Crystal): number {
  return crystal.atomicNumbers.length;
}

/**
 * True when some site has occupancy below 1 (within 1e-6).
 *
 * @example
 * hasPartialOccupancy(createCrystal({ ...cscl, occupancies: [1, 0.5] })); // true
 */
export function hasPartialOccupancy(crystal: Crystal): boolean {
  const o = crystal.occupancies;
  if (!o) return false;
  for (let i = 0; i < o.length; i++) if (o[i] < 1 - 1e-6) return true;
  return false;
}

/**
 * Throws a clear error when a crystal has partially occupied sites, for callers that need whole atoms.
 *
 * @example
 * assertOrdered('radiusGraph', crystal); // throws if some site is partially occupied
 */
export function assertOrdered(fn: string, crystal: Crystal): void {
  if (hasPartialOccupancy(crystal)) {
    throw new InvalidArgumentError(
      fn,
      'crystal',
      'has partially occupied sites; this operation needs whole atoms (order the structure first)',
    );
  }
}
