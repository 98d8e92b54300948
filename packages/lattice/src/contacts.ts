import type { Crystal } from './crystal.js';
import { planeSpacings } from './cell.js';
import { minimumImage } from './coords.js';
import { InvalidArgumentError } from './errors.js';
import { assertFiniteArray, assertLattice, assertPositive } from './validate.js';

/** Most bins along one axis (keys stay exact integers: 1e5³ < 2⁵³). */
const MAX_BINS = 100_000;

/** Two atoms closer than a threshold ({@link closeContacts}): 0-based indices `i < j` and their distance (Å). */
export interface CloseContact {
  readonly i: number;
  readonly j: number;
  /** Minimum-image distance between atom `i` and atom `j` (any periodic image of `j`), Å. */
  readonly distance: number;
}

/** Options of {@link closeContacts}. */
export interface CloseContactOptions {
  /** Stop after this many contacts (default: all). */
  readonly limit?: number;
  /**
   * Also report pairs of which one site is partially occupied (default false: coincident partial sites are how
   * a disordered site is written, not an overlap).
   */
  readonly includePartial?: boolean;
}

/**
 * Pairs of different atoms closer than `threshold` Å, periodic images included: for every i < j the exact
 * minimum-image distance ({@link minimumImage}, any cell however skewed). An atom's distance to its own images
 * is the shortest lattice translation and is not a contact. Pairs with a partially occupied site are skipped
 * unless `includePartial`. Ordered by i, then j. Near-linear: atoms are binned on a fractional grid whose bins are
 * at least `threshold` thick, and only atoms in the same or adjacent bins are measured.
 * Throws {@link InvalidArgumentError} for a threshold that is not positive and finite, a non-finite coordinate or
 * a degenerate lattice (DegenerateLatticeError).
 *
 * @example
 * closeContacts(crystal, 0.5); // [{ i: 4, j: 5, distance: 0 }] for a cell with a duplicated atom
 */
export function closeContacts(
  crystal: Pick<Crystal, 'lattice' | 'fracCoords' | 'occupancies'>,
  threshold: number,
  options: CloseContactOptions = {},
): CloseContact[] {
  const fn = 'closeContacts';
  assertPositive(fn, 'threshold', threshold);
  assertLattice(fn, crystal.lattice, 'crystal.lattice');
  const f = crystal.fracCoords;
  assertFiniteArray(fn, 'crystal.fracCoords', f);
  if (f.length % 3 !== 0) {
    throw new InvalidArgumentError(fn, 'crystal.fracCoords', `must have a length divisible by 3, got ${f.length}`);
  }
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const occ = options.includePartial ? undefined : crystal.occupancies;
  const partial = (k: number) => occ !== undefined && occ[k] < 1;
  const n = f.length / 3;
  const lattice = crystal.lattice;
  // Bins along each fractional axis no thinner than threshold / h_k (h_k the plane spacing): two atoms closer
  // than threshold differ by less than threshold / h_k along axis k for the image that achieves it, so they sit
  // in the same or adjacent (cyclic) bins. Candidates from those bins get the exact minimum-image distance.
  const h = planeSpacings(lattice, new Float64Array(3));
  const m = [0, 1, 2].map((k) => Math.max(1, Math.min(MAX_BINS, Math.floor(h[k] / threshold))));
  const offsets = m.map((mk) => (mk === 1 ? [0] : mk === 2 ? [0, 1] : [-1, 0, 1]));
  const bin = new Int32Array(3 * n);
  const cells = new Map<number, number[]>();
  const key = (b0: number, b1: number, b2: number) => (b0 * m[1] + b1) * m[2] + b2;
  for (let a = 0; a < n; a++) {
    for (let k = 0; k < 3; k++) {
      const x = f[3 * a + k];
      bin[3 * a + k] = Math.min(m[k] - 1, Math.floor((x - Math.floor(x)) * m[k]));
    }
    const kk = key(bin[3 * a], bin[3 * a + 1], bin[3 * a + 2]);
    const list = cells.get(kk);
    if (list) list.push(a);
    else cells.set(kk, [a]);
  }
  const out: CloseContact[] = [];
  const t2 = threshold * threshold;
  const candidates: number[] = [];
  let d = new Float64Array(0);
  for (let i = 0; i < n - 1 && out.length < limit; i++) {
    if (partial(i)) continue;
    candidates.length = 0;
    for (const o0 of offsets[0]) {
      const b0 = (bin[3 * i] + o0 + m[0]) % m[0];
      for (const o1 of offsets[1]) {
        const b1 = (bin[3 * i + 1] + o1 + m[1]) % m[1];
        for (const o2 of offsets[2]) {
          const list = cells.get(key(b0, b1, (bin[3 * i + 2] + o2 + m[2]) % m[2]));
          if (list) for (const j of list) if (j > i && !partial(j)) candidates.push(j);
        }
      }
    }
    if (candidates.length === 0) continue;
    candidates.sort((x, y) => x - y);
    if (d.length < 3 * candidates.length) d = new Float64Array(Math.max(3 * candidates.length, 2 * d.length));
    const view = d.subarray(0, 3 * candidates.length);
    for (let c = 0; c < candidates.length; c++) {
      const j = candidates[c];
      view[3 * c] = f[3 * j] - f[3 * i];
      view[3 * c + 1] = f[3 * j + 1] - f[3 * i + 1];
      view[3 * c + 2] = f[3 * j + 2] - f[3 * i + 2];
    }
    minimumImage(view, view, lattice);
    for (let c = 0; c < candidates.length && out.length < limit; c++) {
      const r2 = view[3 * c] ** 2 + view[3 * c + 1] ** 2 + view[3 * c + 2] ** 2;
      if (r2 < t2) out.push({ i, j: candidates[c], distance: Math.sqrt(r2) });
    }
  }
  return out;
}
