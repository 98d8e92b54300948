import { atomicNumberOf } from '@crys/lattice';

/**
 * The element of a species or label as CIF and POSCAR files write it: `'Fe'`, `'Fe3+'`, `'O2-'`, `'Fe1'`,
 * `'OW2'`, `'D'` (deuterium → H). The leading letters are matched as a two-letter symbol when that is an
 * element, else as one letter (pymatgen's `CifParser._parse_symbol` does the same). Returns 0 when no
 * element matches.
 *
 * @example
 * speciesToAtomicNumber('Fe3+'); // 26
 */
export function speciesToAtomicNumber(species: string): number {
  let i = 0;
  const n = species.length;
  while (i < n && !isLetter(species.charCodeAt(i))) i++;
  const s = i;
  while (i < n && isLetter(species.charCodeAt(i))) i++;
  const len = i - s;
  if (len === 0) return 0;
  if (len >= 2) {
    const z = atomicNumberOf(species.slice(s, s + 2));
    // A two-letter match wins unless the second letter is upper-case and the first alone is an element
    // (labels like 'CA1' are read as Ca, matching pymatgen).
    if (z !== undefined) return z;
  }
  const first = species[s].toUpperCase();
  if (first === 'D' || first === 'T') return 1;
  return atomicNumberOf(first) ?? 0;
}

/**
 * The oxidation state written after a species (`'Fe3+'` → 3, `'O2-'` → −2, `'Na+'` → 1), or 0.
 *
 * @example
 * oxidationStateOf('O2-'); // -2
 */
export function oxidationStateOf(species: string): number {
  const m = /([0-9.]*)([+-])([0-9.]*)$/.exec(species);
  if (!m) return 0;
  const mag = m[1] || m[3] || '1';
  const v = Number(mag);
  return Number.isFinite(v) ? (m[2] === '-' ? -v : v) : 0;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
