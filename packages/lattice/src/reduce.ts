/**
 * Lattice basis reductions. Rows of a lattice are its vectors, so a change of basis is a LEFT
 * multiplication: reduced = transform · lattice, with `transform` an integer matrix of determinant +1.
 */
import { InvalidArgumentError } from './errors.js';
import { create, determinant, type Mat3, type Mat3Like } from './mat3.js';
import { assertLattice } from './validate.js';

/** A reduced basis of the same lattice and the integer change of basis that produced it. */
export interface ReducedLattice {
  /** The reduced lattice (rows = vectors, Å), in the orientation of the input: `transform · input`. */
  readonly lattice: Mat3;
  /**
   * Row-major 3×3 integer matrix, `lattice = transform · input`. Unimodular: det +1 from
   * {@link niggliReduce}; det ±1 from {@link lllReduce} (which keeps pymatgen's vectors, swaps included).
   */
  readonly transform: Int32Array;
}

/** Options of {@link niggliReduce}. */
export interface NiggliOptions {
  /**
   * Relative tolerance; comparisons of metric entries (Å²) use ε = tolerance · V^{1/3}, exactly as pymatgen's
   * `Lattice.get_niggli_reduced_lattice(tol)`. Default 1e-5.
   */
  readonly tolerance?: number;
}

/** Options of {@link lllReduce}. */
export interface LllOptions {
  /** Lovász parameter δ in (0.25, 1]. Default 0.75 (as pymatgen). */
  readonly delta?: number;
}

/** Python's round(): to nearest, ties to even (pymatgen's LLL depends on it for exact ties like u = −½). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function dot3(a: Float64Array, i: number, b: Float64Array, j: number): number {
  return a[3 * i] * b[3 * j] + a[3 * i + 1] * b[3 * j + 1] + a[3 * i + 2] * b[3 * j + 2];
}

const lllB = new Float64Array(9);
const lllU = new Float64Array(9);
const lllM = new Float64Array(3);

/**
 * Internal (not exported from the package). LLL in the formulation of pymatgen's `Lattice._calculate_lll` (Gram–Schmidt coefficients updated in place,
 * Python rounding), so that the reduced basis matches pymatgen's `lll_matrix` vector for vector.
 * `a` (rows = basis) and `t` (integer transform rows) are updated in place.
 */
export function lllInPlace(a: Float64Array, t: Float64Array, delta: number): void {
  const b = lllB; // Gram–Schmidt vectors (rows)
  const u = lllU; // u[3i + j], j < i: GS coefficients
  const m = lllM; // |b_i|²
  u.fill(0);
  const gs = (s: number): void => {
    // Recompute row s of u and b_s against b_0..b_{s−1}.
    for (let c = 0; c < 3; c++) b[3 * s + c] = a[3 * s + c];
    for (let j = 0; j < s; j++) {
      const uij = dot3(a, s, b, j) / m[j];
      u[3 * s + j] = uij;
    }
    for (let j = 0; j < s; j++) for (let c = 0; c < 3; c++) b[3 * s + c] -= u[3 * s + j] * b[3 * j + c];
    m[s] = dot3(b, s, b, s);
  };
  gs(0);
  gs(1);
  gs(2);
  let k = 2; // 1-based, as in pymatgen
  for (let guard = 0; k <= 3 && guard < 100_000; guard++) {
    const kk = k - 1;
    for (let i = k - 1; i >= 1; i--) {
      const ii = i - 1;
      const q = roundHalfEven(u[3 * kk + ii]);
      if (q !== 0) {
        for (let c = 0; c < 3; c++) {
          a[3 * kk + c] -= q * a[3 * ii + c];
          t[3 * kk + c] -= q * t[3 * ii + c];
        }
        for (let j = 0; j < ii; j++) u[3 * kk + j] -= q * u[3 * ii + j];
        u[3 * kk + ii] -= q;
      }
    }
    const ukk = u[3 * kk + kk - 1];
    if (dot3(b, kk, b, kk) >= (delta - ukk * ukk) * dot3(b, kk - 1, b, kk - 1)) {
      k++;
    } else {
      for (let c = 0; c < 3; c++) {
        const x = a[3 * kk + c];
        a[3 * kk + c] = a[3 * (kk - 1) + c];
        a[3 * (kk - 1) + c] = x;
        const y = t[3 * kk + c];
        t[3 * kk + c] = t[3 * (kk - 1) + c];
        t[3 * (kk - 1) + c] = y;
      }
      gs(kk - 1);
      gs(kk);
      if (k > 2) {
        k--;
      } else {
        // pymatgen solves for the coefficients of the remaining vector against the new b_0, b_1.
        for (let j = 0; j < 2; j++) u[6 + j] = dot3(a, 2, b, j) / m[j];
      }
    }
  }
}

function checkedTransform(fn: string, t: Float64Array): Int32Array {
  const out = new Int32Array(9);
  for (let i = 0; i < 9; i++) {
    if (!Number.isSafeInteger(t[i]) || Math.abs(t[i]) > 2 ** 31 - 1) {
      throw new InvalidArgumentError(fn, 'lattice', `is too skewed: the transform overflowed Int32 (${t[i]})`);
    }
    out[i] = t[i];
  }
  return out;
}

/**
 * Lenstra–Lenstra–Lovász reduction of a lattice basis (rows = vectors), following pymatgen's
 * `Lattice.get_lll_reduced_lattice(delta)` step for step, so the result equals pymatgen's `lll_matrix`.
 * Returns the reduced lattice and the integer transform T (det ±1) with reduced = T · lattice. Throws
 * {@link InvalidArgumentError} for a degenerate lattice or a δ outside (0.25, 1].
 *
 * @example
 * const { lattice, transform } = lllReduce([1, 0, 0, 5, 1, 0, 7, 3, 1]);
 * // lattice = the unit cube; transform · input = lattice
 */
export function lllReduce(lattice: Mat3Like, options: LllOptions = {}): ReducedLattice {
  const fn = 'lllReduce';
  assertLattice(fn, lattice);
  const delta = options.delta ?? 0.75;
  if (!(delta > 0.25 && delta <= 1)) {
    throw new InvalidArgumentError(fn, 'options.delta', `must be in (0.25, 1], got ${delta}`, delta);
  }
  const a = Float64Array.from(lattice);
  const t = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  lllInPlace(a, t, delta);
  const transform = checkedTransform(fn, t);
  return { lattice: a, transform };
}

const sG = new Float64Array(9);
const sX = new Float64Array(9);
const sM = new Float64Array(9);
const sT2 = new Float64Array(9);

/** x = t · l and g = x · xᵀ (metric of the current basis). */
function basisAndMetric(x: Float64Array, g: Float64Array, t: Float64Array, l: Mat3Like): void {
  for (let i = 0; i < 3; i++) {
    for (let c = 0; c < 3; c++) x[3 * i + c] = t[3 * i] * l[c] + t[3 * i + 1] * l[3 + c] + t[3 * i + 2] * l[6 + c];
  }
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) g[3 * i + j] = dot3(x, i, x, j);
}

/** t ← Mᵀ · t for the integer 3×3 M given row-major (the basis change G ← Mᵀ G M). */
function applyStep(t: Float64Array, m: ArrayLike<number>): void {
  for (let i = 0; i < 3; i++) {
    for (let c = 0; c < 3; c++) sT2[3 * i + c] = m[i] * t[c] + m[3 + i] * t[3 + c] + m[6 + i] * t[6 + c];
  }
  t.set(sT2);
}

function setM(
  m00: number,
  m01: number,
  m02: number,
  m10: number,
  m11: number,
  m12: number,
  m20: number,
  m21: number,
  m22: number,
): Float64Array {
  sM[0] = m00;
  sM[1] = m01;
  sM[2] = m02;
  sM[3] = m10;
  sM[4] = m11;
  sM[5] = m12;
  sM[6] = m20;
  sM[7] = m21;
  sM[8] = m22;
  return sM;
}

/**
 * Niggli reduction by the Křivý–Gruber algorithm with the ε-comparisons of Grosse-Kunstleve, Sauter & Adams
 * (Acta Cryst. A60, 1–6, 2004), as pymatgen's `Lattice.get_niggli_reduced_lattice` does: it starts from the
 * LLL-reduced basis, runs steps A1–A8 on the metric G = X·Xᵀ with ε = tolerance · V^{1/3}, and recomputes G
 * from the exact integer transform after every step (so rounding never accumulates). Unlike pymatgen
 * 2022.x it refreshes G after step A1 (pymatgen gh-3657). The Niggli cell is unique, so the reduced
 * parameters are the same for every basis of the lattice. Returns the reduced lattice in the input's
 * orientation and T ∈ SL(3, Z) with reduced = T · lattice. Throws {@link InvalidArgumentError} for a
 * degenerate lattice or a bad tolerance.
 *
 * @example
 * const { lattice, transform } = niggliReduce([3, 0, 0, 3, 4, 0, 6, 4, 5]);
 * latticeParameters(lattice); // { a: 3, b: 4, c: 5, alpha: 90, beta: 90, gamma: 90 }
 */
export function niggliReduce(lattice: Mat3Like, options: NiggliOptions = {}): ReducedLattice {
  const fn = 'niggliReduce';
  assertLattice(fn, lattice);
  const tolerance = options.tolerance ?? 1e-5;
  if (!(tolerance >= 0 && Number.isFinite(tolerance))) {
    throw new InvalidArgumentError(fn, 'options.tolerance', `must be finite and ≥ 0, got ${tolerance}`, tolerance);
  }
  const l = lattice;
  const e = tolerance * Math.cbrt(Math.abs(determinant(l)));
  const x = Float64Array.from(l);
  const t = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  lllInPlace(x, t, 0.75);
  const g = sG;
  let A = 0,
    B = 0,
    C = 0,
    E = 0,
    N = 0,
    Y = 0;
  const refresh = (): void => {
    basisAndMetric(sX, g, t, l);
    A = g[0];
    B = g[4];
    C = g[8];
    E = 2 * g[5];
    N = 2 * g[2];
    Y = 2 * g[1];
  };
  let converged = false;
  for (let iter = 0; iter < 1000; iter++) {
    refresh();
    if (A > B + e || (Math.abs(A - B) < e && Math.abs(E) > Math.abs(N) + e)) {
      // A1: swap a and b
      applyStep(t, setM(0, -1, 0, -1, 0, 0, 0, 0, -1));
      refresh();
    }
    if (B > C + e || (Math.abs(B - C) < e && Math.abs(N) > Math.abs(Y) + e)) {
      // A2: swap b and c
      applyStep(t, setM(-1, 0, 0, 0, 0, -1, 0, -1, 0));
      continue;
    }
    const sl = Math.abs(E) < e ? 0 : Math.sign(E);
    const sm = Math.abs(N) < e ? 0 : Math.sign(N);
    const sn = Math.abs(Y) < e ? 0 : Math.sign(Y);
    if (sl * sm * sn === 1) {
      // A3: make all three products positive
      applyStep(t, setM(sl === -1 ? -1 : 1, 0, 0, 0, sm === -1 ? -1 : 1, 0, 0, 0, sn === -1 ? -1 : 1));
    } else {
      // A4: make all three non-positive, with a determinant +1 diagonal
      let i = sl === 1 ? -1 : 1;
      let j = sm === 1 ? -1 : 1;
      let k = sn === 1 ? -1 : 1;
      if (i * j * k === -1) {
        if (sn === 0) k = -1;
        else if (sm === 0) j = -1;
        else if (sl === 0) i = -1;
      }
      applyStep(t, setM(i, 0, 0, 0, j, 0, 0, 0, k));
    }
    refresh();
    if (Math.abs(E) > B + e || (Math.abs(E - B) < e && 2 * N < Y - e) || (Math.abs(E + B) < e && Y < -e)) {
      applyStep(t, setM(1, 0, 0, 0, 1, -Math.sign(E), 0, 0, 1)); // A5
      continue;
    }
    if (Math.abs(N) > A + e || (Math.abs(A - N) < e && 2 * E < Y - e) || (Math.abs(A + N) < e && Y < -e)) {
      applyStep(t, setM(1, 0, -Math.sign(N), 0, 1, 0, 0, 0, 1)); // A6
      continue;
    }
    if (Math.abs(Y) > A + e || (Math.abs(A - Y) < e && 2 * E < N - e) || (Math.abs(A + Y) < e && N < -e)) {
      applyStep(t, setM(1, -Math.sign(Y), 0, 0, 1, 0, 0, 0, 1)); // A7
      continue;
    }
    const s = E + N + Y + A + B;
    if (s < -e || (Math.abs(s) < e && e < Y + (A + N) * 2)) {
      applyStep(t, setM(1, 0, 1, 0, 1, 1, 0, 0, 1)); // A8
      continue;
    }
    converged = true;
    break;
  }
  if (!converged) {
    throw new InvalidArgumentError(
      fn,
      'lattice',
      'did not reach a Niggli cell in 1000 steps (tolerance too small?)',
      l,
    );
  }
  // LLL's swaps may have left det T = −1; −T spans the same cell with the same metric and det +1 (pymatgen
  // negates the matrix in the same situation).
  if (determinant(t) < 0) for (let i = 0; i < 9; i++) t[i] = -t[i];
  const transform = checkedTransform(fn, t);
  const out = create();
  basisAndMetric(out, g, t, l);
  return { lattice: out, transform };
}
