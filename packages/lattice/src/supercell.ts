/**
 * Supercells and unimodular changes of cell. A new cell is an integer combination of the old lattice
 * vectors: L' = M · L (rows = vectors), so fractional coordinates map as f' = f · M⁻¹.
 */
import type { Crystal } from './crystal.js';
import { describeValue, InvalidArgumentError } from './errors.js';
import { multiply } from './mat3.js';
import { assertFiniteArray, assertLattice } from './validate.js';

/** Largest number of atoms {@link makeSupercell} will build. */
const MAX_SUPERCELL_ATOMS = 50_000_000;

function integerMatrix(fn: string, name: string, matrix: unknown): Float64Array {
  assertFiniteArray(fn, name, matrix);
  const a = matrix as ArrayLike<number>;
  if (a.length !== 3 && a.length !== 9) {
    throw new InvalidArgumentError(fn, name, `must have 3 (diagonal) or 9 integers, got length ${a.length}`, matrix);
  }
  for (let i = 0; i < a.length; i++) {
    if (!Number.isInteger(a[i]) || Math.abs(a[i]) > 2 ** 20) {
      throw new InvalidArgumentError(fn, name, `must hold integers (|m| ≤ 2²⁰), got ${a[i]} at index ${i}`, matrix);
    }
  }
  const m = new Float64Array(9);
  if (a.length === 3) {
    m[0] = a[0];
    m[4] = a[1];
    m[8] = a[2];
  } else {
    m.set(a);
  }
  return m;
}

/** Adjugate (transposed cofactors) of an integer matrix: M · adj(M) = det(M) · I, exact in Float64. */
function adjugate(m: Float64Array): Float64Array {
  const [a, b, c, d, e, f, g, h, i] = m;
  return Float64Array.of(
    e * i - f * h,
    c * h - b * i,
    b * f - c * e,
    f * g - d * i,
    a * i - c * g,
    c * d - a * f,
    d * h - e * g,
    b * g - a * h,
    a * e - b * d,
  );
}

function intDet(m: Float64Array): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

/** f ← f wrapped into [0, 1), never 1.0 or −0 (as wrapFrac). */
function wrap1(x: number): number {
  const w = x - Math.floor(x);
  return w >= 1 || w === 0 ? 0 : w;
}

/**
 * The supercell L' = M · L of a crystal for an integer matrix M (9 integers row-major, or 3 for diag(M)),
 * with every atom of the new cell, fractional coordinates wrapped into [0, 1). Atoms come in cell-major order
 * (ASE's default for `make_supercell`): for each old-cell translation t ∈ Z³ inside the new cell, in
 * lexicographic order of (t₀, t₁, t₂), all n atoms of the input in their order; so atom k·n + i is an image of
 * input atom i. The translations are found exactly in integers (t · adj M / det M ∈ [0, 1)³). det M < 0 gives
 * a left-handed cell. Occupancies and labels are repeated. Throws {@link InvalidArgumentError} for a
 * non-integer or singular M, a degenerate lattice, or a result above 5·10⁷ atoms.
 *
 * @example
 * const big = makeSupercell(cscl, [2, 2, 2]); // 16 atoms, lattice 8.24 Å cubic
 */
export function makeSupercell(crystal: Crystal, matrix: ArrayLike<number>): Crystal {
  const fn = 'makeSupercell';
  assertLattice(fn, crystal?.lattice, 'crystal.lattice');
  const m = integerMatrix(fn, 'matrix', matrix);
  const det = intDet(m);
  if (det === 0) {
    throw new InvalidArgumentError(
      fn,
      'matrix',
      `must be non-singular, got det 0 for ${describeValue(matrix)}`,
      matrix,
    );
  }
  const n = crystal.atomicNumbers.length;
  const count = Math.abs(det);
  if (n * count > MAX_SUPERCELL_ATOMS) {
    throw new InvalidArgumentError(
      fn,
      'matrix',
      `would make ${n * count} atoms (limit ${MAX_SUPERCELL_ATOMS})`,
      matrix,
    );
  }
  const adj = adjugate(m);
  // Bounding box of the new cell in old fractional coordinates: the 8 corners Σ s_i · M_i, s ∈ {0, 1}³.
  const lo = [0, 0, 0],
    hi = [0, 0, 0];
  for (let s = 1; s < 8; s++) {
    for (let c = 0; c < 3; c++) {
      let x = 0;
      for (let r = 0; r < 3; r++) if (s & (1 << r)) x += m[3 * r + c];
      if (x < lo[c]) lo[c] = x;
      if (x > hi[c]) hi[c] = x;
    }
  }
  const translations = new Float64Array(3 * count);
  let found = 0;
  for (let t0 = lo[0]; t0 <= hi[0]; t0++) {
    for (let t1 = lo[1]; t1 <= hi[1]; t1++) {
      for (let t2 = lo[2]; t2 <= hi[2]; t2++) {
        let inside = true;
        for (let c = 0; c < 3 && inside; c++) {
          const k = t0 * adj[c] + t1 * adj[3 + c] + t2 * adj[6 + c]; // t · adj(M), integer
          inside = det > 0 ? k >= 0 && k < det : k <= 0 && k > det;
        }
        if (inside) {
          translations[3 * found] = t0;
          translations[3 * found + 1] = t1;
          translations[3 * found + 2] = t2;
          found++;
        }
      }
    }
  }
  // found === |det M| always (the index of the sublattice); a mismatch would be a bug, not bad input.
  const inv = Float64Array.from(adj, (x) => x / det);
  const f = crystal.fracCoords;
  const frac = new Float64Array(3 * n * found);
  const atomicNumbers = new Uint8Array(n * found);
  for (let k = 0; k < found; k++) {
    const t0 = translations[3 * k],
      t1 = translations[3 * k + 1],
      t2 = translations[3 * k + 2];
    for (let i = 0; i < n; i++) {
      const x = f[3 * i] + t0,
        y = f[3 * i + 1] + t1,
        z = f[3 * i + 2] + t2;
      const o = 3 * (k * n + i);
      frac[o] = wrap1(x * inv[0] + y * inv[3] + z * inv[6]);
      frac[o + 1] = wrap1(x * inv[1] + y * inv[4] + z * inv[7]);
      frac[o + 2] = wrap1(x * inv[2] + y * inv[5] + z * inv[8]);
      atomicNumbers[k * n + i] = crystal.atomicNumbers[i];
    }
  }
  const out: Crystal = {
    lattice: multiply(new Float64Array(9), m, crystal.lattice),
    fracCoords: frac,
    atomicNumbers,
    ...(crystal.occupancies ? { occupancies: repeat(crystal.occupancies, found) } : {}),
    ...(crystal.labels ? { labels: Array.from({ length: n * found }, (_, j) => crystal.labels![j % n]) } : {}),
  };
  return out;
}

function repeat(a: Float64Array, times: number): Float64Array {
  const out = new Float64Array(a.length * times);
  for (let k = 0; k < times; k++) out.set(a, k * a.length);
  return out;
}

/**
 * The same crystal described in another cell of the same lattice: L' = T · L and f' = f · T⁻¹, wrapped into
 * [0, 1), for an integer T with det ±1 (9 integers, row-major). Atom order, occupancies and labels are kept.
 * Use it with the `transform` of {@link niggliReduce} to express a crystal in its Niggli cell. Throws
 * {@link InvalidArgumentError} unless T is integer and unimodular.
 *
 * @example
 * const { transform } = niggliReduce(crystal.lattice);
 * const niggli = changeOfCell(crystal, transform); // same atoms, reduced cell
 */
export function changeOfCell(crystal: Crystal, unimodular: ArrayLike<number>): Crystal {
  const fn = 'changeOfCell';
  assertLattice(fn, crystal?.lattice, 'crystal.lattice');
  assertFiniteArray(fn, 'unimodular', unimodular, 9);
  const t = integerMatrix(fn, 'unimodular', unimodular);
  const det = intDet(t);
  if (det !== 1 && det !== -1) {
    throw new InvalidArgumentError(
      fn,
      'unimodular',
      `must have determinant ±1, got ${det} for ${describeValue(unimodular)}`,
      unimodular,
    );
  }
  const inv = adjugate(t);
  if (det === -1) for (let i = 0; i < 9; i++) inv[i] = -inv[i];
  const f = crystal.fracCoords;
  const frac = new Float64Array(f.length);
  for (let i = 0; i < f.length; i += 3) {
    const x = f[i],
      y = f[i + 1],
      z = f[i + 2];
    frac[i] = wrap1(x * inv[0] + y * inv[3] + z * inv[6]);
    frac[i + 1] = wrap1(x * inv[1] + y * inv[4] + z * inv[7]);
    frac[i + 2] = wrap1(x * inv[2] + y * inv[5] + z * inv[8]);
  }
  return {
    lattice: multiply(new Float64Array(9), t, crystal.lattice),
    fracCoords: frac,
    atomicNumbers: Uint8Array.from(crystal.atomicNumbers),
    ...(crystal.occupancies ? { occupancies: Float64Array.from(crystal.occupancies) } : {}),
    ...(crystal.labels ? { labels: [...crystal.labels] } : {}),
  };
}
