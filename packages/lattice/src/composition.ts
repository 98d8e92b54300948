/**
 * Composition of a crystal: element counts, formulas in pymatgen's or Hill's order, a formula parser and
 * the mass density.
 */
import type { Crystal } from './crystal.js';
import { describeValue, InvalidArgumentError } from './errors.js';
import { atomicMass, atomicNumberOf, electronegativity, ELEMENT_SYMBOLS, MAX_ATOMIC_NUMBER } from './elements.js';
import { determinant } from './mat3.js';
import { assertLattice } from './validate.js';

/** Element amounts keyed by atomic number (counts of atoms; fractional with partial occupancy). */
export type Composition = ReadonlyMap<number, number>;

/** Options of {@link chemicalFormula} and {@link reducedFormula}. */
export interface FormulaOptions {
  /**
   * `'electronegativity'` (default): ascending Pauling electronegativity, ties by symbol, elements without a
   * value last, as pymatgen's `Composition.formula` / `reduced_formula` sort (`[X, symbol]`) — but without
   * pymatgen's polyanion brackets and special names (`O2`, `Li2O2`). `'hill'`: C, then H, then the others
   * alphabetically; with no carbon, all alphabetically (Hill 1900, as CIF `_chemical_formula_sum`).
   */
  readonly order?: 'electronegativity' | 'hill';
}

/** u·Å⁻³ → g·cm⁻³: the atomic mass constant in grams × 10²⁴ (CODATA 2018, 1.66053906660e−27 kg). */
const AMU_PER_A3_TO_G_PER_CM3 = 1.6605390666;

/**
 * Element amounts of a crystal, keyed by atomic number in ascending order; each site counts its occupancy
 * (1 when the crystal has none).
 *
 * @example
 * elementCounts(cscl); // Map { 17 => 1, 55 => 1 }
 */
export function elementCounts(crystal: Crystal): Map<number, number> {
  const z = crystal.atomicNumbers;
  const occ = crystal.occupancies;
  const acc = new Float64Array(MAX_ATOMIC_NUMBER + 1);
  const seen = new Uint8Array(MAX_ATOMIC_NUMBER + 1);
  for (let i = 0; i < z.length; i++) {
    acc[z[i]] += occ ? occ[i] : 1;
    seen[z[i]] = 1;
  }
  const out = new Map<number, number>();
  for (let k = 1; k <= MAX_ATOMIC_NUMBER; k++) if (seen[k]) out.set(k, acc[k]);
  return out;
}

function toComposition(fn: string, x: Crystal | Composition): Composition {
  if (x instanceof Map) {
    for (const [z, n] of x) {
      if (!Number.isInteger(z) || z < 1 || z > MAX_ATOMIC_NUMBER) {
        throw new InvalidArgumentError(fn, 'composition', `must be keyed by atomic numbers 1–118, got key ${z}`, x);
      }
      if (!(Number.isFinite(n) && n >= 0)) {
        throw new InvalidArgumentError(fn, 'composition', `must have finite amounts ≥ 0, got ${n} for Z = ${z}`, x);
      }
    }
    return x;
  }
  const c = x as Crystal;
  if (!c || !(c.atomicNumbers instanceof Uint8Array)) {
    throw new InvalidArgumentError(
      fn,
      'crystal',
      `must be a Crystal or a Map of atomic number → amount, got ${describeValue(x)}`,
      x,
    );
  }
  return elementCounts(c);
}

function sortedSymbols(comp: Composition, order: 'electronegativity' | 'hill'): number[] {
  const zs = [...comp.keys()].filter((z) => comp.get(z)! > 1e-8);
  const sym = (z: number): string => ELEMENT_SYMBOLS[z];
  if (order === 'hill') {
    const hasC = zs.includes(6);
    const rank = (z: number): number => (hasC ? (z === 6 ? 0 : z === 1 ? 1 : 2) : 2);
    return zs.sort((p, q) => rank(p) - rank(q) || (sym(p) < sym(q) ? -1 : sym(p) > sym(q) ? 1 : 0));
  }
  return zs.sort((p, q) => {
    const xp = electronegativity(p),
      xq = electronegativity(q);
    const np = Number.isNaN(xp),
      nq = Number.isNaN(xq);
    if (np !== nq) return np ? 1 : -1;
    if (!np && xp !== xq) return xp - xq;
    return sym(p) < sym(q) ? -1 : sym(p) > sym(q) ? 1 : 0;
  });
}

function formatAmount(n: number): string {
  if (Math.abs(n - 1) < 1e-8) return '';
  const r = Math.round(n);
  if (Math.abs(n - r) < 1e-8) return String(r);
  return String(Number(n.toFixed(8)));
}

function writeFormula(comp: Composition, divisor: number, order: 'electronegativity' | 'hill'): string {
  let s = '';
  for (const z of sortedSymbols(comp, order)) s += ELEMENT_SYMBOLS[z] + formatAmount(comp.get(z)! / divisor);
  return s;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * The full formula of a crystal (or of a composition), e.g. `'Ba2Ti2O6'` for a 2-formula-unit cell; amounts of 1
 * are omitted and fractional amounts written with up to 8 decimals. Order: see {@link FormulaOptions}.
 *
 * @example
 * chemicalFormula(parseFormula('Ti2Ba2O6')); // 'Ba2Ti2O6'
 * chemicalFormula(parseFormula('H2O'), { order: 'hill' }); // 'H2O'
 */
export function chemicalFormula(crystal: Crystal | Composition, options: FormulaOptions = {}): string {
  const comp = toComposition('chemicalFormula', crystal);
  return writeFormula(comp, 1, options.order ?? 'electronegativity');
}

/**
 * The formula divided by the greatest common divisor of its amounts (when they are all integers), e.g.
 * `'BaTiO3'`, as pymatgen's `Composition.reduced_formula` without its polyanion brackets and special names.
 *
 * @example
 * reducedFormula(parseFormula('Ba2Ti2O6')); // 'BaTiO3'
 */
export function reducedFormula(crystal: Crystal | Composition, options: FormulaOptions = {}): string {
  const comp = toComposition('reducedFormula', crystal);
  let divisor = 0;
  for (const n of comp.values()) {
    if (n <= 1e-8) continue;
    if (Math.abs(n - Math.round(n)) > 1e-8) {
      divisor = 1;
      break;
    }
    divisor = gcd(divisor, Math.round(n));
  }
  return writeFormula(comp, divisor || 1, options.order ?? 'electronegativity');
}

/**
 * Parses a chemical formula into element amounts keyed by atomic number (ascending): element symbols with
 * optional integer or decimal amounts, nested `()` / `[]` groups with multipliers, whitespace ignored, repeated
 * elements summed. Throws {@link InvalidArgumentError} naming the position of the first bad character.
 *
 * @example
 * parseFormula('BaTiO3'); // Map { 8 => 3, 22 => 1, 56 => 1 }
 * parseFormula('Ca3(PO4)2'); // Map { 8 => 8, 15 => 2, 20 => 3 }
 */
export function parseFormula(formula: string): Map<number, number> {
  const fn = 'parseFormula';
  if (typeof formula !== 'string') {
    throw new InvalidArgumentError(fn, 'formula', `must be a string, got ${describeValue(formula)}`, formula);
  }
  const s = formula;
  let pos = 0;
  const fail = (what: string): never => {
    throw new InvalidArgumentError(fn, 'formula', `${what} at index ${pos} in '${s}'`, s);
  };
  const skipSpace = (): void => {
    while (pos < s.length && /\s/.test(s[pos])) pos++;
  };
  const readAmount = (): number => {
    const m = /^\d+(\.\d*)?|^\.\d+/.exec(s.slice(pos));
    if (!m) return 1;
    pos += m[0].length;
    return Number(m[0]);
  };
  const closing: Record<string, string> = { '(': ')', '[': ']' };
  const group = (close: string | null): Map<number, number> => {
    const acc = new Map<number, number>();
    const add = (z: number, n: number): void => {
      acc.set(z, (acc.get(z) ?? 0) + n);
    };
    for (;;) {
      skipSpace();
      if (pos >= s.length) {
        if (close) fail(`expected '${close}'`);
        return acc;
      }
      const ch = s[pos];
      if (ch === close) {
        pos++;
        return acc;
      }
      if (ch === '(' || ch === '[') {
        pos++;
        const inner = group(closing[ch]);
        const k = readAmount();
        for (const [z, n] of inner) add(z, n * k);
        continue;
      }
      const m = /^[A-Z][a-z]?/.exec(s.slice(pos));
      if (!m) fail(`unexpected '${ch}'`);
      const symbol = m![0];
      const z = atomicNumberOf(symbol);
      if (z === undefined) fail(`unknown element '${symbol}'`);
      pos += symbol.length;
      add(z!, readAmount());
    }
  };
  const acc = group(null);
  if (acc.size === 0) fail('has no elements');
  return new Map([...acc.entries()].sort((p, q) => p[0] - q[0]));
}

/** Options of {@link density}. */
export interface DensityOptions {
  /**
   * Atomic masses (u) indexed by atomic number. Default: ASE's IUPAC 2016 weights ({@link atomicMass}). Another
   * table reproduces another code's numbers, e.g. `@crys/eval`'s `ATOMIC_MASSES` (pymatgen's) for CDVAE's density
   * metric; the two differ in the fourth digit for some elements (Li 6.941 vs 6.94).
   */
  readonly masses?: ArrayLike<number>;
}

/**
 * Mass density in g/cm³: Σ occupancy·mass (by default ASE's IUPAC 2016 weights, {@link atomicMass}) / |det L|
 * (Å³), with 1 u = 1.66053906660e−24 g (CODATA 2018). Throws for a degenerate lattice, or when `options.masses`
 * has no finite mass for an atom's element.
 *
 * @example
 * density(cscl); // ≈ 4.00 for CsCl with a = 4.12 Å
 */
export function density(crystal: Crystal, options: DensityOptions = {}): number {
  assertLattice('density', crystal?.lattice, 'crystal.lattice');
  const z = crystal.atomicNumbers;
  const occ = crystal.occupancies;
  const table = options.masses;
  let mass = 0;
  for (let i = 0; i < z.length; i++) {
    let m: number;
    if (table === undefined) {
      m = atomicMass(z[i]);
    } else {
      m = table[z[i]];
      if (typeof m !== 'number' || !Number.isFinite(m)) {
        throw new InvalidArgumentError(
          'density',
          'options.masses',
          `has no mass for element ${z[i]} (atom ${i}), got ${String(m)}`,
          table,
        );
      }
    }
    mass += m * (occ ? occ[i] : 1);
  }
  return (mass * AMU_PER_A3_TO_G_PER_CM3) / Math.abs(determinant(crystal.lattice));
}
