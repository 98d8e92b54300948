/**
 * Symmetric 3×3 linear algebra on row-major Float64 matrices: eigen-decomposition (cyclic Jacobi), polar
 * decomposition (scaled Newton iteration, Higham 1986), and the exponential and logarithm of symmetric
 * matrices. Public functions validate their input and throw typed errors; internal work uses module-scope
 * scratch and does not allocate.
 */
import { DegenerateLatticeError, describeValue, InvalidArgumentError } from './errors.js';
import { create, determinant, type Mat3, type Mat3Like } from './mat3.js';
import { assertFiniteArray } from './validate.js';

/** Eigen-decomposition of a symmetric 3×3: m = Vᵀ · diag(values) · V where row i of `vectors` is V's row i. */
export interface SymmetricEigen {
  /** The three eigenvalues, ascending. */
  readonly values: Float64Array;
  /** Row-major 3×3; row i is the unit eigenvector of `values[i]`. Rows form a proper rotation (det +1). */
  readonly vectors: Mat3;
}

/** Right polar decomposition m = rotation · stretch. */
export interface PolarDecomposition {
  /** Proper orthogonal 3×3 (det +1). */
  readonly rotation: Mat3;
  /** Symmetric 3×3; positive-definite when det m > 0 (see {@link polarDecomposition} for det m < 0). */
  readonly stretch: Mat3;
}

// Relative asymmetry tolerated by the symmetric-matrix functions (they then use the symmetric part).
const SYM_TOL = 1e-8;

// Private to jacobi / eigenSymmetricInto (so callers may pass any of the scratch below as outputs).
const jA = new Float64Array(9);
const jV = new Float64Array(9);
const jW = new Float64Array(3);
// Scratch of the public functions.
const sU = new Float64Array(9);
const sV = new Float64Array(9);
const sW = new Float64Array(3);
const sX = new Float64Array(9);
const sY = new Float64Array(9);

/**
 * Cyclic Jacobi on the symmetric part of `m`. Writes eigenvalues (unsorted) into `w` and eigenvectors as
 * COLUMNS of `v` (m = v · diag(w) · vᵀ). Converges quadratically; about 4–6 sweeps in double precision and
 * exact on repeated eigenvalues (it only ever rotates by off-diagonal magnitudes).
 */
function jacobi(w: Float64Array, v: Float64Array, m: Mat3Like): void {
  const a = jA;
  a[0] = m[0];
  a[4] = m[4];
  a[8] = m[8];
  a[1] = a[3] = 0.5 * (m[1] + m[3]);
  a[2] = a[6] = 0.5 * (m[2] + m[6]);
  a[5] = a[7] = 0.5 * (m[5] + m[7]);
  v.fill(0);
  v[0] = v[4] = v[8] = 1;
  for (let sweep = 0; sweep < 64; sweep++) {
    const off = Math.abs(a[1]) + Math.abs(a[2]) + Math.abs(a[5]);
    if (off === 0) break;
    const diag = Math.abs(a[0]) + Math.abs(a[4]) + Math.abs(a[8]);
    if (sweep > 3 && off <= 1e-300 + 1e-18 * diag) break;
    for (let p = 0; p < 2; p++) {
      for (let q = p + 1; q < 3; q++) {
        const apq = a[3 * p + q];
        if (apq === 0) continue;
        const app = a[4 * p],
          aqq = a[4 * q];
        // Rotation angle as in Numerical Recipes `jacobi` (stable form: t = sgn(θ) / (|θ| + √(θ² + 1))).
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        const tau = s / (1 + c);
        a[4 * p] = app - t * apq;
        a[4 * q] = aqq + t * apq;
        a[3 * p + q] = a[3 * q + p] = 0;
        const r = 3 - p - q; // the third index
        const arp = a[3 * r + p],
          arq = a[3 * r + q];
        a[3 * r + p] = a[3 * p + r] = arp - s * (arq + tau * arp);
        a[3 * r + q] = a[3 * q + r] = arq + s * (arp - tau * arq);
        for (let k = 0; k < 3; k++) {
          const vkp = v[3 * k + p],
            vkq = v[3 * k + q];
          v[3 * k + p] = vkp - s * (vkq + tau * vkp);
          v[3 * k + q] = vkq + s * (vkp - tau * vkq);
        }
      }
    }
  }
  w[0] = a[0];
  w[1] = a[4];
  w[2] = a[8];
}

/**
 * Kernel: eigenvalues ascending into `values` (3) and unit eigenvectors as ROWS of `vectors` (row i belongs to
 * values[i]), for the symmetric part of `m`. The rows form a proper rotation (det +1). Outputs may alias `m`.
 * No validation: NaN in, NaN out.
 *
 * @example
 * const values = new Float64Array(3), vectors = create();
 * eigenSymmetricInto(values, vectors, [2, 0, 0, 0, 1, 0, 0, 0, 3]); // values [1, 2, 3]
 */
export function eigenSymmetricInto(values: Float64Array, vectors: Mat3, m: Mat3Like): void {
  jacobi(jW, jV, m);
  // Sort ascending (three elements: a small network keeps it branch-light and stable).
  let i0 = 0,
    i1 = 1,
    i2 = 2;
  if (jW[i0] > jW[i1]) [i0, i1] = [i1, i0];
  if (jW[i1] > jW[i2]) [i1, i2] = [i2, i1];
  if (jW[i0] > jW[i1]) [i0, i1] = [i1, i0];
  const w0 = jW[i0],
    w1 = jW[i1],
    w2 = jW[i2];
  values[0] = w0;
  values[1] = w1;
  values[2] = w2;
  for (let r = 0; r < 3; r++) {
    const col = r === 0 ? i0 : r === 1 ? i1 : i2;
    vectors[3 * r] = jV[col];
    vectors[3 * r + 1] = jV[3 + col];
    vectors[3 * r + 2] = jV[6 + col];
  }
  if (determinant(vectors) < 0) {
    vectors[6] = -vectors[6];
    vectors[7] = -vectors[7];
    vectors[8] = -vectors[8];
  }
}

function assertSymmetric(fn: string, name: string, m: unknown): asserts m is Mat3Like {
  assertFiniteArray(fn, name, m, 9);
  const a = m as Mat3Like;
  let norm = 0;
  for (let i = 0; i < 9; i++) norm = Math.max(norm, Math.abs(a[i]));
  const asym = Math.max(Math.abs(a[1] - a[3]), Math.abs(a[2] - a[6]), Math.abs(a[5] - a[7]));
  if (asym > SYM_TOL * norm) {
    throw new InvalidArgumentError(
      fn,
      name,
      `must be symmetric (|m_ij − m_ji| ≤ 1e-8·max|m|), got asymmetry ${asym.toPrecision(3)} in ${describeValue(m)}`,
      m,
    );
  }
}

/**
 * Eigen-decomposition of a symmetric 3×3 by cyclic Jacobi rotations: ascending eigenvalues and unit
 * eigenvectors (row i of `vectors` belongs to `values[i]`), so m = vectorsᵀ · diag(values) · vectors.
 * Accurate to a few ulps of max|λ| and robust for repeated eigenvalues (any orthonormal basis of the
 * eigenspace is returned). Throws {@link InvalidArgumentError} for non-finite input or an asymmetric matrix
 * (beyond 1e-8 relative; within it the symmetric part is used).
 *
 * @example
 * const { values, vectors } = eigenSymmetric([2, 1, 0, 1, 2, 0, 0, 0, 5]);
 * // values ≈ [1, 3, 5]; vectors row 0 ≈ ±[0.7071, −0.7071, 0]
 */
export function eigenSymmetric(
  m: Mat3Like,
  out: SymmetricEigen = { values: new Float64Array(3), vectors: create() },
): SymmetricEigen {
  assertSymmetric('eigenSymmetric', 'm', m);
  eigenSymmetricInto(out.values, out.vectors, m);
  return out;
}

/** out = Vᵀ · diag(f(λ)) · V, with V's rows the eigenvectors in `vecs`. */
function recompose(out: Mat3, vecs: Float64Array, f0: number, f1: number, f2: number): Mat3 {
  for (let i = 0; i < 3; i++) {
    for (let j = i; j < 3; j++) {
      const x = vecs[i] * vecs[j] * f0 + vecs[3 + i] * vecs[3 + j] * f1 + vecs[6 + i] * vecs[6 + j] * f2;
      out[3 * i + j] = x;
      out[3 * j + i] = x;
    }
  }
  return out;
}

/**
 * Matrix exponential of a symmetric 3×3, through its eigen-decomposition: exp(S) = Vᵀ · diag(e^λ) · V. The
 * result is symmetric positive-definite. `out` may be `s`. Throws for non-finite or asymmetric input.
 *
 * @example
 * expSymmetric(create(), [0, 0, 0, 0, Math.log(2), 0, 0, 0, 0]); // diag(1, 2, 1)
 */
export function expSymmetric<T extends Mat3>(out: T, s: Mat3Like): T {
  assertSymmetric('expSymmetric', 's', s);
  eigenSymmetricInto(sW, sX, s);
  recompose(out, sX, Math.exp(sW[0]), Math.exp(sW[1]), Math.exp(sW[2]));
  return out;
}

/**
 * Principal logarithm of a symmetric positive-definite 3×3: log(S) = Vᵀ · diag(ln λ) · V, symmetric. `out`
 * may be `s`. Throws {@link InvalidArgumentError} unless `s` is finite, symmetric and positive-definite
 * (smallest eigenvalue > 0).
 *
 * @example
 * logSymmetric(create(), [1, 0, 0, 0, Math.E, 0, 0, 0, 1]); // diag(0, 1, 0)
 */
export function logSymmetric<T extends Mat3>(out: T, s: Mat3Like): T {
  assertSymmetric('logSymmetric', 's', s);
  eigenSymmetricInto(sW, sX, s);
  if (!(sW[0] > 0)) {
    throw new InvalidArgumentError(
      'logSymmetric',
      's',
      `must be positive-definite, got smallest eigenvalue ${sW[0].toPrecision(6)} in ${describeValue(s)}`,
      s,
    );
  }
  recompose(out, sX, Math.log(sW[0]), Math.log(sW[1]), Math.log(sW[2]));
  return out;
}

/** X⁻ᵀ into out (out must not alias x); returns det(x). */
function invTranspose(out: Float64Array, x: Float64Array): number {
  const a00 = x[0],
    a01 = x[1],
    a02 = x[2],
    a10 = x[3],
    a11 = x[4],
    a12 = x[5],
    a20 = x[6],
    a21 = x[7],
    a22 = x[8];
  const c00 = a11 * a22 - a12 * a21;
  const c01 = a12 * a20 - a10 * a22;
  const c02 = a10 * a21 - a11 * a20;
  const det = a00 * c00 + a01 * c01 + a02 * c02;
  const inv = 1 / det;
  // (X⁻¹)ᵀ = cofactor matrix / det.
  out[0] = c00 * inv;
  out[1] = c01 * inv;
  out[2] = c02 * inv;
  out[3] = (a02 * a21 - a01 * a22) * inv;
  out[4] = (a00 * a22 - a02 * a20) * inv;
  out[5] = (a01 * a20 - a00 * a21) * inv;
  out[6] = (a01 * a12 - a02 * a11) * inv;
  out[7] = (a02 * a10 - a00 * a12) * inv;
  out[8] = (a00 * a11 - a01 * a10) * inv;
  return det;
}

function frob(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < 9; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/**
 * Kernel behind {@link polarDecomposition}: writes the proper rotation and the symmetric stretch with
 * m = rotation · stretch. Returns false (outputs untouched) when m is singular or not finite. Outputs may
 * alias `m`.
 *
 * @example
 * const r = create(), u = create();
 * polarDecompositionInto(r, u, deformation); // false if singular
 */
export function polarDecompositionInto(rotation: Mat3, stretch: Mat3, m: Mat3Like): boolean {
  const x = sX,
    y = sY;
  let amax = 0;
  for (let i = 0; i < 9; i++) {
    x[i] = m[i];
    amax = Math.max(amax, Math.abs(m[i]));
  }
  // The orthogonal factor does not depend on the scale of m. Far from 1 the determinant and the inverse under- or
  // overflow (entries of 1e-106 have a subnormal determinant), so such an m is first scaled by a power of two
  // (exact); matrices within 2^±100 are iterated as they are, bit for bit.
  if (amax > 0 && Number.isFinite(amax) && (amax < 2 ** -100 || amax > 2 ** 100)) {
    const c = 2 ** -Math.round(Math.log2(amax));
    for (let i = 0; i < 9; i++) x[i] *= c;
  }
  const det0 = determinant(x);
  if (!(Math.abs(det0) > 0) || !Number.isFinite(det0)) return false;
  // Higham's scaled Newton iteration X ← (ζX + ζ⁻¹X⁻ᵀ)/2 with Frobenius-norm scaling; it converges
  // quadratically to the orthogonal polar factor Q (det Q = sign det m) and is backward stable.
  let scaled = true;
  let finalSteps = -1;
  for (let it = 0; it < 100 && finalSteps !== 0; it++) {
    invTranspose(y, x);
    const nx = frob(x);
    const zeta = scaled ? Math.sqrt(frob(y) / nx) : 1;
    let diff = 0;
    for (let i = 0; i < 9; i++) {
      const nv = 0.5 * (zeta * x[i] + y[i] / zeta);
      diff += (nv - x[i]) * (nv - x[i]);
      x[i] = nv;
    }
    diff = Math.sqrt(diff);
    if (diff < 1e-2) scaled = false; // scaling only helps far from convergence
    // Quadratic convergence: once a step is below 1e-6 (relative to ‖Q‖ = √3), two more reach rounding level.
    if (finalSteps > 0) finalSteps--;
    else if (finalSteps < 0 && diff < 1e-6) finalSteps = 2;
    if (diff === 0) break;
  }
  // Stretch U = sym(Qᵀ m).
  const u = sU;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      u[3 * i + j] = x[i] * m[j] + x[3 + i] * m[3 + j] + x[6 + i] * m[6 + j];
    }
  }
  u[1] = u[3] = 0.5 * (u[1] + u[3]);
  u[2] = u[6] = 0.5 * (u[2] + u[6]);
  u[5] = u[7] = 0.5 * (u[5] + u[7]);
  if (det0 < 0) {
    // Q is a rotoreflection. Make it proper with the Householder H = I − 2vvᵀ along the eigenvector v of the
    // smallest eigenvalue of U: R = Q·H is the proper rotation closest to m, and S = H·U (symmetric, since v
    // is an eigenvector of U) has that one eigenvalue negated. R·S = Q·H·H·U = Q·U = m.
    eigenSymmetricInto(sW, sV, u);
    const v0 = sV[0],
      v1 = sV[1],
      v2 = sV[2];
    const q = y;
    for (let i = 0; i < 9; i++) q[i] = x[i];
    for (let i = 0; i < 3; i++) {
      const qv = q[3 * i] * v0 + q[3 * i + 1] * v1 + q[3 * i + 2] * v2;
      x[3 * i] = q[3 * i] - 2 * qv * v0;
      x[3 * i + 1] = q[3 * i + 1] - 2 * qv * v1;
      x[3 * i + 2] = q[3 * i + 2] - 2 * qv * v2;
    }
    recompose(u, sV, -sW[0], sW[1], sW[2]);
  }
  for (let i = 0; i < 9; i++) {
    rotation[i] = x[i];
    stretch[i] = u[i];
  }
  return true;
}

/**
 * Right polar decomposition m = rotation · stretch, with `rotation` proper orthogonal (det +1) and
 * `stretch` symmetric. For det m > 0, `stretch` = √(mᵀm) is positive-definite and the factorisation is the
 * usual unique one. For det m < 0 (a reflection is involved) no such pair exists; this function then returns
 * the proper rotation closest to m and a symmetric `stretch` with exactly one negative eigenvalue (the one of
 * smallest magnitude), still with m = rotation · stretch. Computed by Higham's scaled Newton iteration, so
 * it stays accurate for badly conditioned m. For a lattice L (rows = vectors), L = R·U means the row
 * vectors are transformed by Uᵀ = U after R; for the deformation of a lattice write L' = L·F and decompose F.
 * Throws {@link InvalidArgumentError} for non-finite input and {@link DegenerateLatticeError} for a singular m.
 *
 * @example
 * const { rotation, stretch } = polarDecomposition([0, -2, 0, 1, 0, 0, 0, 0, 1]);
 * // rotation = [0, -1, 0, 1, 0, 0, 0, 0, 1] (90° about z), stretch = diag(1, 2, 1)
 */
export function polarDecomposition(
  m: Mat3Like,
  out: PolarDecomposition = { rotation: create(), stretch: create() },
): PolarDecomposition {
  const fn = 'polarDecomposition';
  assertFiniteArray(fn, 'm', m, 9);
  let norm = 0;
  for (let i = 0; i < 9; i++) norm = Math.max(norm, Math.abs(m[i]));
  // singular relative to its scale: compared at scale ~1 (a power of two, exact), where det cannot under- or overflow
  const c = norm > 0 ? 2 ** -Math.round(Math.log2(norm)) : 1;
  const scaled = create();
  for (let i = 0; i < 9; i++) scaled[i] = m[i] * c;
  const det = determinant(m);
  const n = norm * c;
  if (!(Math.abs(determinant(scaled)) > 1e-14 * n * n * n)) {
    throw new DegenerateLatticeError(
      fn,
      'm',
      `must be non-singular, got det ${det.toPrecision(4)} for ${describeValue(m)}`,
      m,
    );
  }
  polarDecompositionInto(out.rotation, out.stretch, m);
  return out;
}
