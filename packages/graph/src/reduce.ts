/**
 * Internal: a pairwise (Gauss-style) basis reduction of a lattice, used only to choose a well-conditioned
 * basis for the neighbour search. Correctness never depends on how good the reduction is: candidates are found
 * in the reduced basis with a small slack and then checked exactly in the caller's basis.
 *
 * Legend: L original rows a, b, c; M integer unimodular with Lr = M · L; Minv = M⁻¹ (integer);
 * fractional coordinates transform as xr = x · Minv and images as τ = τr · M.
 */
export interface Reduction {
  /** true when M is the identity (the lattice was already reduced). */
  readonly identity: boolean;
  /** 9, integer-valued, row-major. */
  readonly m: Float64Array;
  /** 9, integer-valued, row-major: M⁻¹. */
  readonly minv: Float64Array;
  /** 9: Lr = M · L. */
  readonly lattice: Float64Array;
}

const IDENTITY = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
const m = new Float64Array(9);
const minv = new Float64Array(9);
const v = new Float64Array(9);
const lr = new Float64Array(9);
const result = { identity: true, m, minv, lattice: lr };

/** True when no pair reduction a_i − q·a_j (q ≠ 0) shortens a_i: the common case of a sensible cell. */
function pairReduced(l: ArrayLike<number>): boolean {
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      if (i === j) continue;
      const ai = 3 * i,
        aj = 3 * j;
      const dot = l[ai] * l[aj] + l[ai + 1] * l[aj + 1] + l[ai + 2] * l[aj + 2];
      const nj = l[aj] * l[aj] + l[aj + 1] * l[aj + 1] + l[aj + 2] * l[aj + 2];
      if (Math.abs(dot) > 0.5 * nj) return false;
    }
  }
  return true;
}

/**
 * Reduces `lattice`. The result is module-level scratch, valid until the next call (kernel convention: the
 * builders call this once per graph and never keep it).
 */
export function reduceLattice(lattice: ArrayLike<number>): Reduction {
  m.set(IDENTITY);
  minv.set(IDENTITY);
  for (let k = 0; k < 9; k++) v[k] = lattice[k];
  if (pairReduced(lattice)) {
    lr.set(v);
    result.identity = true;
    return result;
  }
  let identity = true;
  for (let iter = 0; iter < 200; iter++) {
    let changed = false;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        if (i === j) continue;
        const ai = 3 * i,
          aj = 3 * j;
        const dot = v[ai] * v[aj] + v[ai + 1] * v[aj + 1] + v[ai + 2] * v[aj + 2];
        const nj = v[aj] * v[aj] + v[aj + 1] * v[aj + 1] + v[aj + 2] * v[aj + 2];
        const q = Math.round(dot / nj);
        if (q === 0) continue;
        const ni = v[ai] * v[ai] + v[ai + 1] * v[ai + 1] + v[ai + 2] * v[ai + 2];
        const nx = v[ai] - q * v[aj],
          ny = v[ai + 1] - q * v[aj + 1],
          nz = v[ai + 2] - q * v[aj + 2];
        // Only strict, clear improvements, so that rounding cannot make the loop cycle.
        if (!(nx * nx + ny * ny + nz * nz < ni * (1 - 1e-12))) continue;
        v[ai] = nx;
        v[ai + 1] = ny;
        v[ai + 2] = nz;
        for (let c = 0; c < 3; c++) m[ai + c] -= q * m[aj + c]; // row i of M −= q · row j
        for (let r = 0; r < 3; r++) minv[3 * r + j] += q * minv[3 * r + i]; // column j of M⁻¹ += q · column i
        changed = true;
        identity = false;
      }
    }
    if (!changed) break;
  }
  // Recompute Lr from the exact integer M rather than trusting the accumulated updates.
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      lr[3 * r + c] = m[3 * r] * lattice[c] + m[3 * r + 1] * lattice[3 + c] + m[3 * r + 2] * lattice[6 + c];
    }
  }
  result.identity = identity;
  return result;
}
