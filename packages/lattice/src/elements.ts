import { InvalidArgumentError } from './errors.js';

/** Element symbols indexed by atomic number (index 0 is the placeholder 'X'). */
export const ELEMENT_SYMBOLS: readonly string[] = [
  'X',
  'H',
  'He',
  'Li',
  'Be',
  'B',
  'C',
  'N',
  'O',
  'F',
  'Ne',
  'Na',
  'Mg',
  'Al',
  'Si',
  'P',
  'S',
  'Cl',
  'Ar',
  'K',
  'Ca',
  'Sc',
  'Ti',
  'V',
  'Cr',
  'Mn',
  'Fe',
  'Co',
  'Ni',
  'Cu',
  'Zn',
  'Ga',
  'Ge',
  'As',
  'Se',
  'Br',
  'Kr',
  'Rb',
  'Sr',
  'Y',
  'Zr',
  'Nb',
  'Mo',
  'Tc',
  'Ru',
  'Rh',
  'Pd',
  'Ag',
  'Cd',
  'In',
  'Sn',
  'Sb',
  'Te',
  'I',
  'Xe',
  'Cs',
  'Ba',
  'La',
  'Ce',
  'Pr',
  'Nd',
  'Pm',
  'Sm',
  'Eu',
  'Gd',
  'Tb',
  'Dy',
  'Ho',
  'Er',
  'Tm',
  'Yb',
  'Lu',
  'Hf',
  'Ta',
  'W',
  'Re',
  'Os',
  'Ir',
  'Pt',
  'Au',
  'Hg',
  'Tl',
  'Pb',
  'Bi',
  'Po',
  'At',
  'Rn',
  'Fr',
  'Ra',
  'Ac',
  'Th',
  'Pa',
  'U',
  'Np',
  'Pu',
  'Am',
  'Cm',
  'Bk',
  'Cf',
  'Es',
  'Fm',
  'Md',
  'No',
  'Lr',
  'Rf',
  'Db',
  'Sg',
  'Bh',
  'Hs',
  'Mt',
  'Ds',
  'Rg',
  'Cn',
  'Nh',
  'Fl',
  'Mc',
  'Lv',
  'Ts',
  'Og',
];

const BY_SYMBOL: ReadonlyMap<string, number> = new Map(ELEMENT_SYMBOLS.map((s, z) => [s.toLowerCase(), z]));

/** The largest atomic number in the table. */
export const MAX_ATOMIC_NUMBER = ELEMENT_SYMBOLS.length - 1;

/**
 * Atomic number of an element symbol (case-insensitive), or `undefined`.
 *
 * @example
 * atomicNumberOf('Fe'); // 26
 */
export function atomicNumberOf(symbol: string): number | undefined {
  const z = BY_SYMBOL.get(symbol.toLowerCase());
  return z === 0 ? undefined : z;
}

/**
 * Symbol of an atomic number 1–118. Throws {@link InvalidArgumentError} otherwise.
 *
 * @example
 * elementSymbol(8); // 'O'
 */
export function elementSymbol(z: number): string {
  if (!Number.isInteger(z) || z < 1 || z > MAX_ATOMIC_NUMBER) {
    throw new InvalidArgumentError(
      'elementSymbol',
      'z',
      `must be an atomic number 1–${MAX_ATOMIC_NUMBER}, got ${z}`,
      z,
    );
  }
  return ELEMENT_SYMBOLS[z];
}
