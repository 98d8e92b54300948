import { SMACT_OXIDATION_STATES } from '@crys/eval';
import { covalentRadius, electronegativity, elementSymbol, InvalidArgumentError } from '@crys/lattice';

/**
 * Element descriptors of a model's species, as recorded in its file: the column names and one row per species
 * (embedding-row order).
 */
export interface SpeciesDescriptors {
  readonly names: readonly string[];
  readonly values: readonly (readonly number[])[];
}

/** Period (row) 1–7 and IUPAC group 1–18 of element z; lanthanides and actinides count as group 3. */
function periodAndGroup(z: number): { period: number; group: number; block: 's' | 'p' | 'd' | 'f' } {
  const starts = [1, 3, 11, 19, 37, 55, 87, 119];
  let period = 1;
  while (z >= starts[period]) period++;
  const k = z - starts[period - 1]; // position within the period, from 0
  if (period === 1) return { period, group: z === 1 ? 1 : 18, block: 's' };
  if (period <= 3) {
    if (k < 2) return { period, group: k + 1, block: 's' };
    return { period, group: k + 11, block: 'p' };
  }
  if (k < 2) return { period, group: k + 1, block: 's' };
  if (period >= 6) {
    // La–Yb / Ac–No (k 2–15): the f block, group 3; then Lu/Lr … (k 16–) the d block from group 3
    if (k < 16) return { period, group: 3, block: k === 2 ? 'd' : 'f' };
    const j = k - 14;
    return j < 12 ? { period, group: j + 1, block: 'd' } : { period, group: j + 1, block: 'p' };
  }
  return k < 12 ? { period, group: k + 1, block: 'd' } : { period, group: k + 1, block: 'p' };
}

const CONTINUOUS = [
  'covalent radius',
  'electronegativity',
  'period',
  'group',
  'highest oxidation state',
  'lowest oxidation state',
] as const;
const BLOCKS = ['s', 'p', 'd', 'f'] as const;

/**
 * Descriptors of each species for the species embedding (`NetworkConfig.descriptors`): covalent radius,
 * Pauling electronegativity, period, group, highest and lowest SMACT oxidation state, each standardised over the
 * given species (mean 0, spread 1; a missing electronegativity takes the mean), and the s/p/d/f block as 0/1. A
 * network shares what it learns about one element with its neighbours in these descriptors, which matters for
 * elements seen in only a few training crystals.
 *
 * @example
 * elementDescriptors([8, 22, 38]).values.length; // 3 rows of 10 numbers
 */
export function elementDescriptors(species: readonly number[]): SpeciesDescriptors {
  const fn = 'elementDescriptors';
  if (species.length === 0) throw new InvalidArgumentError(fn, 'species', 'must name at least one element', species);
  const raw = species.map((z) => {
    const symbol = elementSymbol(z);
    const { period, group, block } = periodAndGroup(z);
    const states = (SMACT_OXIDATION_STATES[symbol] ?? []).filter((s) => s !== 0);
    const hi = states.length ? Math.max(...states) : 0;
    const lo = states.length ? Math.min(...states) : 0;
    return { continuous: [covalentRadius(z), electronegativity(z), period, group, hi, lo], block };
  });
  const columns = CONTINUOUS.map((_, c) => {
    const known = raw.map((r) => r.continuous[c]).filter((v) => Number.isFinite(v));
    const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
    const spread = Math.sqrt(known.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, known.length));
    return { mean, spread: spread > 1e-9 ? spread : 1 };
  });
  const values = raw.map((r) => [
    ...r.continuous.map((v, c) => (Number.isFinite(v) ? (v - columns[c].mean) / columns[c].spread : 0)),
    ...BLOCKS.map((b) => (r.block === b ? 1 : 0)),
  ]);
  return { names: [...CONTINUOUS, ...BLOCKS.map((b) => `${b} block`)], values };
}
