/**
 * Seeded random perturbations of a crystal: a symmetric lattice strain and atom displacements, the starting
 * points users hand to a relaxation.
 */
import { cartToFrac, fracToCart, wrapFrac } from './coords.js';
import type { Crystal } from './crystal.js';
import { InvalidArgumentError } from './errors.js';
import { create, determinant, multiply } from './mat3.js';
import { createRng, type Rng } from './random.js';
import { randomSymmetricStrain } from './random-cell.js';
import { assertFiniteArray, assertLattice } from './validate.js';

/** How {@link perturb} draws each atom's displacement. */
export type DisplacementMode = 'gaussian' | 'sphere';

/** Options of {@link perturb}. */
export interface PerturbOptions {
  /**
   * Size of the atom displacements, Å. With `mode: 'gaussian'` (default) each Cartesian component is drawn from
   * N(0, displacement²), so the mean length is ≈ 1.6 · displacement; with `mode: 'sphere'` every atom moves by
   * exactly `displacement` in a uniformly random direction (pymatgen's `Structure.perturb(distance)`). Default 0.
   */
  readonly displacement?: number;
  /** Per-atom displacement law, see `displacement`. Default `'gaussian'`. */
  readonly mode?: DisplacementMode;
  /**
   * Standard deviation of the symmetric strain: the lattice becomes L · (I + ε) with ε symmetric, diagonal
   * entries N(0, strain²) and shear entries N(0, strain²/2) (as {@link randomSymmetricStrain}). Default 0.
   */
  readonly strain?: number;
  /** Seed of the generator; the same seed, crystal and options always give the same result. Default 0. */
  readonly seed?: number;
}

function assertSize(fn: string, name: string, value: unknown): asserts value is number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
    throw new InvalidArgumentError(fn, name, `must be a finite number ≥ 0, got ${String(value)}`, value);
  }
}

/** A uniformly random unit vector (Marsaglia 1972: reject points outside the unit disk). */
function unitVector(rng: Rng, out: Float64Array, o: number): void {
  for (;;) {
    const u = 2 * rng.next() - 1;
    const v = 2 * rng.next() - 1;
    const s = u * u + v * v;
    if (s >= 1 || s === 0) continue;
    const r = 2 * Math.sqrt(1 - s);
    out[o] = u * r;
    out[o + 1] = v * r;
    out[o + 2] = 1 - 2 * s;
    return;
  }
}

/**
 * A randomly perturbed copy of a crystal, reproducible from `seed`: first the lattice is strained to
 * L' = L · (I + ε) (ε symmetric, so no rotation; the fractional coordinates go with the lattice), then every atom
 * is moved in Cartesian space by its own random displacement (see {@link PerturbOptions.displacement}) and its
 * fractional coordinates wrapped into [0, 1). The strain is drawn before the displacements, so a given seed gives
 * the same strain whatever the displacement. Atom order, species, occupancies and labels are kept. Throws
 * {@link InvalidArgumentError} for a negative or non-finite size, an unknown mode, or a strain so large that the
 * drawn I + ε folds the cell.
 *
 * @example
 * const start = perturb(cscl, { displacement: 0.05, strain: 0.01, seed: 0 }); // same result for every run
 */
export function perturb(crystal: Crystal, options: PerturbOptions = {}): Crystal {
  const fn = 'perturb';
  assertLattice(fn, crystal?.lattice, 'crystal.lattice');
  const n = crystal.atomicNumbers?.length ?? 0;
  assertFiniteArray(fn, 'crystal.fracCoords', crystal.fracCoords, 3 * n, '3·n');
  const displacement = options.displacement ?? 0;
  const strain = options.strain ?? 0;
  const seed = options.seed ?? 0;
  const mode = options.mode ?? 'gaussian';
  assertSize(fn, 'options.displacement', displacement);
  assertSize(fn, 'options.strain', strain);
  if (!(Number.isSafeInteger(seed) && seed >= 0)) {
    throw new InvalidArgumentError(fn, 'options.seed', `must be an integer ≥ 0, got ${String(seed)}`, seed);
  }
  if (mode !== 'gaussian' && mode !== 'sphere') {
    throw new InvalidArgumentError(fn, 'options.mode', `must be 'gaussian' or 'sphere', got ${String(mode)}`, mode);
  }
  const rng = createRng(seed);
  const lattice = Float64Array.from(crystal.lattice);
  if (strain > 0) {
    const g = randomSymmetricStrain(rng, strain);
    if (!(determinant(g) > 0.01)) {
      // I + ε folded the cell (or nearly): a strain this large is not a perturbation
      throw new InvalidArgumentError(
        fn,
        'options.strain',
        `${strain} drew a deformation with determinant ${determinant(g).toPrecision(3)} for seed ${seed} (the cell folds); use a strain well below 1`,
        strain,
      );
    }
    multiply(lattice, crystal.lattice, g);
  }
  const cart = fracToCart(new Float64Array(3 * n), crystal.fracCoords, lattice);
  if (displacement > 0) {
    const d = create();
    for (let i = 0; i < n; i++) {
      if (mode === 'gaussian') {
        for (let k = 0; k < 3; k++) cart[3 * i + k] += displacement * rng.normal();
      } else {
        unitVector(rng, d, 0);
        for (let k = 0; k < 3; k++) cart[3 * i + k] += displacement * d[k];
      }
    }
  }
  // The lattice passed assertLattice, so it is invertible.
  const frac = cartToFrac(cart, cart, lattice) as Float64Array;
  wrapFrac(frac, frac);
  return {
    lattice,
    fracCoords: frac,
    atomicNumbers: Uint8Array.from(crystal.atomicNumbers),
    ...(crystal.occupancies ? { occupancies: Float64Array.from(crystal.occupancies) } : {}),
    ...(crystal.labels ? { labels: [...crystal.labels] } : {}),
  };
}
