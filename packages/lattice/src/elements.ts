import { InvalidArgumentError } from './errors.js';

/**
 * Element symbols indexed by atomic number (index 0 is the placeholder 'X').
 *
 * @example
 * ELEMENT_SYMBOLS[26]; // 'Fe'
 */
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

/**
 * The largest atomic number in the table.
 *
 * @example
 * MAX_ATOMIC_NUMBER; // 118
 */
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

/**
 * Standard atomic weights (u) indexed by atomic number, exactly ASE 3.22's `ase.data.atomic_masses`
 * (= `atomic_masses_iupac2016`): IUPAC 2016 standard atomic weights (Meija et al., Pure Appl. Chem. 88,
 * 265–291, 2016; abridged values, conventional values for interval elements), and for elements without a
 * standard weight the mass of the longest-lived isotope. Index 0 is the placeholder 1.0 that ASE uses for 'X'.
 */
const ATOMIC_MASSES: readonly number[] = [
  1.0, 1.008, 4.002602, 6.94, 9.0121831, 10.81, 12.011, 14.007, 15.999, 18.998403163, 20.1797, 22.98976928, 24.305,
  26.9815385, 28.085, 30.973761998, 32.06, 35.45, 39.948, 39.0983, 40.078, 44.955908, 47.867, 50.9415, 51.9961,
  54.938044, 55.845, 58.933194, 58.6934, 63.546, 65.38, 69.723, 72.63, 74.921595, 78.971, 79.904, 83.798, 85.4678,
  87.62, 88.90584, 91.224, 92.90637, 95.95, 97.90721, 101.07, 102.9055, 106.42, 107.8682, 112.414, 114.818, 118.71,
  121.76, 127.6, 126.90447, 131.293, 132.90545196, 137.327, 138.90547, 140.116, 140.90766, 144.242, 144.91276, 150.36,
  151.964, 157.25, 158.92535, 162.5, 164.93033, 167.259, 168.93422, 173.054, 174.9668, 178.49, 180.94788, 183.84,
  186.207, 190.23, 192.217, 195.084, 196.966569, 200.592, 204.38, 207.2, 208.9804, 208.98243, 209.98715, 222.01758,
  223.01974, 226.02541, 227.02775, 232.0377, 231.03588, 238.02891, 237.04817, 244.06421, 243.06138, 247.07035,
  247.07031, 251.07959, 252.083, 257.09511, 258.09843, 259.101, 262.11, 267.122, 268.126, 271.134, 270.133, 269.1338,
  278.156, 281.165, 281.166, 285.177, 286.182, 289.19, 289.194, 293.204, 293.208, 294.214,
];

/**
 * Covalent radii (Å) indexed by atomic number, exactly ASE's `ase.data.covalent_radii`: Cordero et al.,
 * "Covalent radii revisited", Dalton Trans. 2832–2838 (2008) (sp³ carbon 0.76, low-spin Mn/Fe/Co), with
 * ASE's placeholder 0.2 Å where no value is known (Z ≥ 97 and index 0).
 */
const COVALENT_RADII: readonly number[] = [
  0.2, 0.31, 0.28, 1.28, 0.96, 0.84, 0.76, 0.71, 0.66, 0.57, 0.58, 1.66, 1.41, 1.21, 1.11, 1.07, 1.05, 1.02, 1.06, 2.03,
  1.76, 1.7, 1.6, 1.53, 1.39, 1.39, 1.32, 1.26, 1.24, 1.32, 1.22, 1.22, 1.2, 1.19, 1.2, 1.2, 1.16, 2.2, 1.95, 1.9, 1.75,
  1.64, 1.54, 1.47, 1.46, 1.42, 1.39, 1.45, 1.44, 1.42, 1.39, 1.39, 1.38, 1.39, 1.4, 2.44, 2.15, 2.07, 2.04, 2.03, 2.01,
  1.99, 1.98, 1.98, 1.96, 1.94, 1.92, 1.92, 1.89, 1.9, 1.87, 1.87, 1.75, 1.7, 1.62, 1.51, 1.44, 1.41, 1.36, 1.36, 1.32,
  1.45, 1.46, 1.48, 1.4, 1.5, 1.5, 2.6, 2.21, 2.15, 2.06, 2.0, 1.96, 1.9, 1.87, 1.8, 1.69, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2,
  0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2,
];

/**
 * Pauling electronegativities indexed by atomic number, as pymatgen's `Element.X` (its periodic_table.json,
 * from WebElements / CRC Handbook). NaN where no value is tabulated (He, Ne, Ar, Z ≥ 104) — pymatgen does the
 * same and then sorts such elements last in formulas.
 */
const ELECTRONEGATIVITIES: readonly number[] = [
  NaN,
  2.2,
  NaN,
  0.98,
  1.57,
  2.04,
  2.55,
  3.04,
  3.44,
  3.98,
  NaN,
  0.93,
  1.31,
  1.61,
  1.9,
  2.19,
  2.58,
  3.16,
  NaN,
  0.82,
  1.0,
  1.36,
  1.54,
  1.63,
  1.66,
  1.55,
  1.83,
  1.88,
  1.91,
  1.9,
  1.65,
  1.81,
  2.01,
  2.18,
  2.55,
  2.96,
  3.0,
  0.82,
  0.95,
  1.22,
  1.33,
  1.6,
  2.16,
  1.9,
  2.2,
  2.28,
  2.2,
  1.93,
  1.69,
  1.78,
  1.96,
  2.05,
  2.1,
  2.66,
  2.6,
  0.79,
  0.89,
  1.1,
  1.12,
  1.13,
  1.14,
  1.13,
  1.17,
  1.2,
  1.2,
  1.1,
  1.22,
  1.23,
  1.24,
  1.25,
  1.1,
  1.27,
  1.3,
  1.5,
  2.36,
  1.9,
  2.2,
  2.2,
  2.28,
  2.54,
  2.0,
  1.62,
  2.33,
  2.02,
  2.0,
  2.2,
  2.2,
  0.7,
  0.9,
  1.1,
  1.3,
  1.5,
  1.38,
  1.36,
  1.28,
  1.3,
  1.3,
  1.3,
  1.3,
  1.3,
  1.3,
  1.3,
  1.3,
  1.3,
  NaN,
  NaN,
  NaN,
  NaN,
  NaN,
  NaN,
  NaN,
  NaN,
  NaN,
  NaN,
  NaN,
  NaN,
  NaN,
  NaN,
  NaN,
];

function assertZ(fn: string, z: number): void {
  if (!Number.isInteger(z) || z < 1 || z > MAX_ATOMIC_NUMBER) {
    throw new InvalidArgumentError(fn, 'z', `must be an atomic number 1–${MAX_ATOMIC_NUMBER}, got ${z}`, z);
  }
}

/**
 * Standard atomic weight of element z in u (g/mol), equal to ASE's `atomic_masses[z]` (IUPAC 2016).
 * Throws {@link InvalidArgumentError} for anything but an integer 1–118.
 *
 * @example
 * atomicMass(6); // 12.011
 */
export function atomicMass(z: number): number {
  assertZ('atomicMass', z);
  return ATOMIC_MASSES[z];
}

/**
 * Covalent radius of element z in Å, equal to ASE's `covalent_radii[z]` (Cordero et al. 2008; 0.2 where
 * unknown). Throws {@link InvalidArgumentError} for anything but an integer 1–118.
 *
 * @example
 * covalentRadius(6); // 0.76
 */
export function covalentRadius(z: number): number {
  assertZ('covalentRadius', z);
  return COVALENT_RADII[z];
}

/**
 * Pauling electronegativity of element z, equal to pymatgen's `Element(z).X`; `NaN` for the elements without
 * a tabulated value (He, Ne, Ar and Z ≥ 104). Throws {@link InvalidArgumentError} for anything but 1–118.
 *
 * @example
 * electronegativity(8); // 3.44
 */
export function electronegativity(z: number): number {
  assertZ('electronegativity', z);
  return ELECTRONEGATIVITIES[z];
}
