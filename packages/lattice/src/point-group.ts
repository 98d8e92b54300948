/**
 * The holohedry of a lattice as integer operations on fractional coordinates.
 */
import { InvalidArgumentError } from './errors.js';
import type { Mat3Like } from './mat3.js';
import { assertLattice } from './validate.js';

/** Options of {@link latticePointGroup}. */
export interface PointGroupOptions {
  /**
   * Relative tolerance on the metric: R·G·Rᵀ may differ from G = L·Lᵀ by `tolerance · sqrt(Gᵢᵢ·Gⱼⱼ)` in entry
   * (i, j). Default 1e-3.
   */
  readonly tolerance?: number;
}

/**
 * The lattice's point group (holohedry) as integer matrices R with entries in {−1, 0, 1} and R·G·Rᵀ = G, where
 * G = L·Lᵀ is the metric of the row-major lattice L. Each R maps the lattice onto itself by a rotation or
 * rotoinversion Q (R·L = L·Q), so a fractional row f of an atom goes to f·R: the crystal rotated by Q, described in
 * the same cell. The identity comes first, and −I (inversion) is always present. Complete for reduced cells
 * (Niggli, Minkowski), whose symmetry operations all have entries in {−1, 0, 1}; on other cells it returns the
 * operations of that form (a subgroup). A lattice that is symmetric only to within the tolerance (a cell relaxed
 * without symmetry) gives the operations that hold within it, a set that need not be closed under products.
 * Returned as row-major Int8Array(9) each, at most 48.
 *
 * @example
 * latticePointGroup(latticeFromParameters(4, 4, 4, 90, 90, 90)).length; // 48 (m-3m)
 * latticePointGroup(latticeFromParameters(3, 4, 5, 90, 90, 90)).length; // 8 (mmm)
 */
export function latticePointGroup(lattice: Mat3Like, options: PointGroupOptions = {}): Int8Array[] {
  const fn = 'latticePointGroup';
  assertLattice(fn, lattice);
  const tol = options.tolerance ?? 1e-3;
  if (!(tol > 0 && tol < 1)) {
    throw new InvalidArgumentError(fn, 'options.tolerance', `must be in (0, 1), got ${tol}`, tol);
  }
  const g = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      g[3 * i + j] =
        lattice[3 * i] * lattice[3 * j] +
        lattice[3 * i + 1] * lattice[3 * j + 1] +
        lattice[3 * i + 2] * lattice[3 * j + 2];
    }
  }
  const scale = (i: number, j: number) => tol * Math.sqrt(g[4 * i] * g[4 * j]);
  // v·G·wᵀ for integer rows
  const form = (v: ArrayLike<number>, w: ArrayLike<number>) => {
    let s = 0;
    for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) s += v[p] * g[3 * p + q] * w[q];
    return s;
  };
  const vectors: Int8Array[] = [];
  for (let a = -1; a <= 1; a++)
    for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) if (a || b || c) vectors.push(Int8Array.of(a, b, c));
  // candidate rows for row i: integer vectors with the length of lattice vector i
  const rows: Int8Array[][] = [0, 1, 2].map((i) =>
    vectors.filter((v) => Math.abs(form(v, v) - g[4 * i]) <= scale(i, i)),
  );
  const out: Int8Array[] = [];
  for (const r0 of rows[0]) {
    for (const r1 of rows[1]) {
      if (Math.abs(form(r0, r1) - g[1]) > scale(0, 1)) continue;
      for (const r2 of rows[2]) {
        if (Math.abs(form(r0, r2) - g[2]) > scale(0, 2) || Math.abs(form(r1, r2) - g[5]) > scale(1, 2)) continue;
        const det =
          r0[0] * (r1[1] * r2[2] - r1[2] * r2[1]) -
          r0[1] * (r1[0] * r2[2] - r1[2] * r2[0]) +
          r0[2] * (r1[0] * r2[1] - r1[1] * r2[0]);
        if (det !== 1 && det !== -1) continue;
        out.push(Int8Array.of(...r0, ...r1, ...r2));
      }
    }
  }
  // identity first, the rest in a fixed (enumeration) order
  const isIdentity = (r: Int8Array) => r.every((x, k) => x === (k % 4 === 0 ? 1 : 0));
  out.sort((x, y) => Number(isIdentity(y)) - Number(isIdentity(x)));
  return out;
}
