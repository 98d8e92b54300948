import {
  assertFiniteArray,
  type Crystal,
  describeValue,
  determinant,
  ELEMENT_SYMBOLS,
  InvalidArgumentError,
  MAX_ATOMIC_NUMBER,
  minimumImage,
} from '@crys/lattice';
import { assertPositive } from '@crys/lattice/internal';
import { SMACT_METALS, SMACT_OXIDATION_STATES, SMACT_PAULING_ELECTRONEGATIVITY } from './smact-data.js';

/** Why a crystal failed structural validity (DiffCSP's `invalid_reason` names, plus `too_close`). */
export type InvalidReason = 'nan_value' | 'unrealistically_small_lattice' | 'too_close';

/** Options of {@link structureValidity}. */
export interface StructureValidityOptions {
  /** Smallest allowed interatomic distance (Å). Default 0.5, as CDVAE's `structure_validity`. */
  readonly cutoff?: number;
  /** Smallest allowed cell volume (Å³). Default 0.1. */
  readonly minVolume?: number;
}

/** The result of {@link structureValidity}. */
export interface StructureValidity {
  readonly valid: boolean;
  /** Smallest minimum-image distance between two different sites (Å); Infinity for one atom, NaN if not computed. */
  readonly minDistance: number;
  /** |det L| (Å³), NaN when the lattice is not finite. */
  readonly volume: number;
  /** Set when `valid` is false. */
  readonly reason?: InvalidReason;
}

function assertShape(fn: string, crystal: unknown): asserts crystal is Crystal {
  if (crystal === null || typeof crystal !== 'object') {
    throw new InvalidArgumentError(fn, 'crystal', `must be a Crystal, got ${describeValue(crystal)}`, crystal);
  }
  const c = crystal as Partial<Crystal>;
  const z = c.atomicNumbers;
  if (z === null || typeof z !== 'object' || typeof z.length !== 'number') {
    throw new InvalidArgumentError(fn, 'crystal.atomicNumbers', `must be an array, got ${describeValue(z)}`, z);
  }
  if (z.length === 0) throw new InvalidArgumentError(fn, 'crystal', 'must have at least one atom, got 0', crystal);
  if (!c.lattice || c.lattice.length !== 9) {
    throw new InvalidArgumentError(fn, 'crystal.lattice', `must have length 9, got ${describeValue(c.lattice)}`);
  }
  if (!c.fracCoords || c.fracCoords.length !== 3 * z.length) {
    throw new InvalidArgumentError(
      fn,
      'crystal.fracCoords',
      `must have length 3·n = ${3 * z.length}, got ${c.fracCoords?.length}`,
      c.fracCoords,
    );
  }
  for (let i = 0; i < z.length; i++) {
    if (!Number.isInteger(z[i]) || z[i] < 1 || z[i] > MAX_ATOMIC_NUMBER) {
      throw new InvalidArgumentError(
        fn,
        'crystal.atomicNumbers',
        `must be atomic numbers 1–${MAX_ATOMIC_NUMBER}, got ${z[i]} at index ${i}`,
      );
    }
  }
  const occ = c.occupancies;
  if (occ) {
    for (let i = 0; i < occ.length; i++) {
      if (!(occ[i] >= 1 - 1e-6)) {
        throw new InvalidArgumentError(
          fn,
          'crystal',
          `has a partially occupied site (occupancy ${occ[i]} at index ${i}); order the structure first`,
          crystal,
        );
      }
    }
  }
}

function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/**
 * Structural validity as CDVAE / DiffCSP define it (`scripts/eval_utils.py` `structure_validity` and
 * `Crystal.get_structure`): every pair of different sites at least `cutoff` Å apart (minimum image) and the cell
 * volume at least `minVolume` Å³. A generated crystal with NaN numbers or a singular cell is *invalid*, not an
 * error; a malformed object (wrong array lengths, no atoms, partial occupancy) throws InvalidArgumentError.
 *
 * @example
 * structureValidity(crystal); // { valid: true, minDistance: 1.94, volume: 64.2 }
 */
export function structureValidity(crystal: Crystal, options: StructureValidityOptions = {}): StructureValidity {
  const fn = 'structureValidity';
  assertShape(fn, crystal);
  const cutoff = options.cutoff ?? 0.5;
  const minVolume = options.minVolume ?? 0.1;
  assertPositive(fn, 'options.cutoff', cutoff, true);
  assertPositive(fn, 'options.minVolume', minVolume, true);
  const L = crystal.lattice;
  const f = crystal.fracCoords;
  if (!allFinite(L) || !allFinite(f)) {
    return { valid: false, minDistance: Number.NaN, volume: Number.NaN, reason: 'nan_value' };
  }
  const volume = Math.abs(determinant(L));
  if (!(volume >= minVolume)) {
    return { valid: false, minDistance: Number.NaN, volume, reason: 'unrealistically_small_lattice' };
  }
  const n = crystal.atomicNumbers.length;
  let minD2 = Number.POSITIVE_INFINITY;
  const d = new Float64Array(3 * Math.max(0, n - 1));
  for (let i = 0; i < n - 1; i++) {
    const m = n - 1 - i;
    for (let j = i + 1; j < n; j++) {
      const k = 3 * (j - i - 1);
      d[k] = f[3 * j] - f[3 * i];
      d[k + 1] = f[3 * j + 1] - f[3 * i + 1];
      d[k + 2] = f[3 * j + 2] - f[3 * i + 2];
    }
    const view = d.subarray(0, 3 * m);
    minimumImage(view, view, L);
    for (let k = 0; k < 3 * m; k += 3) {
      const d2 = view[k] * view[k] + view[k + 1] * view[k + 1] + view[k + 2] * view[k + 2];
      if (d2 < minD2) minD2 = d2;
    }
  }
  const minDistance = Math.sqrt(minD2);
  if (minDistance < cutoff) return { valid: false, minDistance, volume, reason: 'too_close' };
  return { valid: true, minDistance, volume };
}

/** Tables for {@link compositionValidity}; defaults are SMACT 2.2.1's (what CDVAE / DiffCSP ran). */
export interface CompositionValidityOptions {
  /** Allowed oxidation states by element symbol. Default {@link SMACT_OXIDATION_STATES}. */
  readonly oxidationStates?: Readonly<Record<string, readonly number[] | null>>;
  /** Pauling electronegativity by element symbol (null = unknown). Default {@link SMACT_PAULING_ELECTRONEGATIVITY}. */
  readonly electronegativity?: Readonly<Record<string, number | null>>;
  /** Elements treated as metals for the alloy rule. Default {@link SMACT_METALS}. */
  readonly metals?: ReadonlySet<string>;
  /** Apply the Pauling electronegativity test. Default true. */
  readonly paulingTest?: boolean;
  /** Count all-metal compositions as valid alloys. Default true. */
  readonly includeAlloys?: boolean;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * SMACT's `eneg_states_test` over the pairs in order, reproducing Python's behaviour with unknown (null)
 * electronegativities: a comparison with null raises TypeError, which CDVAE's `smact_validity` catches and treats
 * as *passing*; a pair that needs no comparison but has a null fails.
 */
function paulingPasses(ox: readonly number[], en: readonly (number | null)[]): boolean {
  for (let i = 0; i < ox.length; i++) {
    for (let j = i + 1; j < ox.length; j++) {
      const o1 = ox[i];
      const o2 = ox[j];
      const e1 = en[i];
      const e2 = en[j];
      if (o1 > 0 && o2 < 0) {
        if (e1 === null || e2 === null) return true; // TypeError → "assume it is okay"
        if (e1 >= e2) return false;
      } else if (o1 < 0 && o2 > 0) {
        if (e1 === null || e2 === null) return true;
        if (e1 <= e2) return false;
      } else if (e1 === null || e2 === null) {
        return false;
      }
    }
  }
  return true;
}

/**
 * Compositional validity as CDVAE / DiffCSP define it (`scripts/eval_utils.py` `smact_validity`, SMACT 2.2.1):
 * the composition reduced by the gcd of its counts is valid when it has one element, when every element is a
 * metal (alloy), or when some choice of one oxidation state per element is charge neutral and passes the Pauling
 * electronegativity test (cations less electronegative than anions). Elements SMACT has no data for (Z > 103)
 * make the composition invalid (SMACT raises there).
 *
 * @example
 * compositionValidity([56, 22, 8, 8, 8]); // true  (BaTiO3: Ba²⁺ Ti⁴⁺ O²⁻)
 * compositionValidity([11, 11, 17]);      // false (Na2Cl cannot balance)
 */
export function compositionValidity(
  atomicNumbers: ArrayLike<number>,
  options: CompositionValidityOptions = {},
): boolean {
  const fn = 'compositionValidity';
  assertFiniteArray(fn, 'atomicNumbers', atomicNumbers);
  if (atomicNumbers.length === 0) {
    throw new InvalidArgumentError(fn, 'atomicNumbers', 'must have at least one atom, got 0', atomicNumbers);
  }
  const counts = new Map<number, number>();
  for (let i = 0; i < atomicNumbers.length; i++) {
    const z = atomicNumbers[i];
    if (!Number.isInteger(z) || z < 1 || z > MAX_ATOMIC_NUMBER) {
      throw new InvalidArgumentError(
        fn,
        'atomicNumbers',
        `must be atomic numbers 1–${MAX_ATOMIC_NUMBER}, got ${z} at index ${i}`,
        atomicNumbers,
      );
    }
    counts.set(z, (counts.get(z) ?? 0) + 1);
  }
  const elems = [...counts.keys()].sort((a, b) => a - b);
  let g = 0;
  for (const z of elems) g = gcd(g, counts.get(z) ?? 0);
  const count = elems.map((z) => (counts.get(z) ?? 0) / g);
  const symbols = elems.map((z) => ELEMENT_SYMBOLS[z]);
  const oxTable = options.oxidationStates ?? SMACT_OXIDATION_STATES;
  const enTable = options.electronegativity ?? SMACT_PAULING_ELECTRONEGATIVITY;
  const metals = options.metals ?? SMACT_METALS;
  // SMACT's Element() raises for elements without data: treat as invalid
  for (const s of symbols) if (!(s in enTable) || !(s in oxTable)) return false;
  if (symbols.length === 1) return true;
  if ((options.includeAlloys ?? true) && symbols.every((s) => metals.has(s))) return true;
  const oxLists = symbols.map((s) => oxTable[s] ?? []);
  const en = symbols.map((s) => enTable[s] ?? null);
  const usePauling = options.paulingTest ?? true;
  const k = symbols.length;
  if (oxLists.some((l) => l.length === 0)) return false;
  // itertools.product over the oxidation-state lists, depth first, skipping branches whose remaining elements
  // cannot bring the charge back to zero (only non-neutral combinations are skipped: same answer, less work)
  const lo = new Float64Array(k + 1);
  const hi = new Float64Array(k + 1);
  for (let i = k - 1; i >= 0; i--) {
    lo[i] = lo[i + 1] + Math.min(...oxLists[i]) * count[i];
    hi[i] = hi[i + 1] + Math.max(...oxLists[i]) * count[i];
  }
  const ox = new Array<number>(k).fill(0);
  const visit = (i: number, charge: number): boolean => {
    if (i === k) return charge === 0 && (!usePauling || paulingPasses(ox, en));
    if (charge + lo[i] > 0 || charge + hi[i] < 0) return false;
    const list = oxLists[i];
    for (let t = 0; t < list.length; t++) {
      ox[i] = list[t];
      if (visit(i + 1, charge + list[t] * count[i])) return true;
    }
    return false;
  };
  return visit(0, 0);
}
