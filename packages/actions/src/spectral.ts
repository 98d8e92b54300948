/**
 * Spectral functions of symmetric 3×3 matrices: f(A) = U·diag(f(λ))·Uᵀ for A = U·diag(λ)·Uᵀ, on plain Float64
 * arrays and as a differentiable tfjs op.
 *
 * Why spectral: for any rotation or reflection R, f(R·A·Rᵀ) = R·f(A)·Rᵀ, so a spectral map of an equivariant
 * symmetric action is again equivariant and symmetric. An elementwise map (tanh of each entry) is neither
 * (see docs/design/actions.md).
 *
 * The gradient uses the Daleckiĭ–Kreĭn formula: the derivative of f at A in direction E is
 * U·(D ∘ (Uᵀ·E·U))·Uᵀ with D_ij = (f(λ_i) − f(λ_j)) / (λ_i − λ_j) (the divided difference, f′(λ_i) when
 * λ_i = λ_j). It never divides by an eigenvalue gap, so it stays finite for repeated eigenvalues (a cubic
 * cell gives A ∝ I), where the derivative of the eigenvectors themselves does not exist.
 */
import * as tf from '@tensorflow/tfjs';

/** A scalar function applied to the eigenvalues, with its divided difference (used by the gradient). */
export interface SpectralFunction {
  /** f(x). */
  value(x: number): number;
  /** (f(a) − f(b)) / (a − b), and f′(a) when a = b; must be numerically stable near a = b. */
  divided(a: number, b: number): number;
}

/** tanh(x)/x, 1 at 0. */
function tanhc(x: number): number {
  return Math.abs(x) < 1e-8 ? 1 - (x * x) / 3 : Math.tanh(x) / x;
}

/** expm1(x)/x, 1 at 0. */
function expm1c(x: number): number {
  return Math.abs(x) < 1e-8 ? 1 + x / 2 : Math.expm1(x) / x;
}

/** f(x) = 1 + λ·tanh(x/λ): eigenvalues of the result lie in (1 − λ, 1 + λ). */
export function tanhDeformationFunction(bound: number): SpectralFunction {
  const inv = 1 / bound;
  return {
    value: (x) => 1 + bound * Math.tanh(x * inv),
    // tanh u − tanh v = tanh(u − v)·(1 − tanh u·tanh v), so the quotient never cancels catastrophically.
    divided: (a, b) => {
      const u = a * inv,
        v = b * inv;
      return (1 - Math.tanh(u) * Math.tanh(v)) * tanhc(u - v);
    },
  };
}

/** f(x) = eˣ. */
export const expFunction: SpectralFunction = {
  value: (x) => Math.exp(x),
  divided: (a, b) => {
    const lo = Math.min(a, b),
      hi = Math.max(a, b);
    return Math.exp(lo) * expm1c(hi - lo);
  },
};

/** f(x) = √max(x, 0), for polar decompositions (the divided difference is capped where both are ~0). */
export const sqrtFunction: SpectralFunction = {
  value: (x) => Math.sqrt(Math.max(x, 0)),
  divided: (a, b) => 1 / Math.max(Math.sqrt(Math.max(a, 0)) + Math.sqrt(Math.max(b, 0)), 1e-12),
};

const scratchM = new Float64Array(9);
const scratchT = new Float64Array(9);

/**
 * Eigen-decomposition of the symmetric part of the 3×3 at `a[offset … offset+8]` by cyclic Jacobi rotations
 * (accurate to a few ulps of ‖A‖, exact orthogonality of U to rounding). Writes the eigenvalues ascending into
 * `values[3·k …]` and the eigenvectors as the COLUMNS of the row-major `vectors[9·k …]`, so A = U·diag(λ)·Uᵀ.
 * Kernel: no checks, no allocation.
 */
export function eigenSymmetric3(
  values: Float64Array,
  vectors: Float64Array,
  a: ArrayLike<number>,
  offset = 0,
  k = 0,
): void {
  const m = scratchM;
  m[0] = a[offset];
  m[4] = a[offset + 4];
  m[8] = a[offset + 8];
  m[1] = m[3] = 0.5 * (a[offset + 1] + a[offset + 3]);
  m[2] = m[6] = 0.5 * (a[offset + 2] + a[offset + 6]);
  m[5] = m[7] = 0.5 * (a[offset + 5] + a[offset + 7]);
  const vo = 9 * k;
  const v = vectors;
  for (let i = 0; i < 9; i++) v[vo + i] = i % 4 === 0 ? 1 : 0;
  for (let sweep = 0; sweep < 32; sweep++) {
    const off = m[1] * m[1] + m[2] * m[2] + m[5] * m[5];
    const diag = m[0] * m[0] + m[4] * m[4] + m[8] * m[8];
    if (off === 0 || off <= 1e-36 * diag) break;
    for (let pq = 0; pq < 3; pq++) {
      // (p, q) = (0, 1), (0, 2), (1, 2); r is the remaining index.
      const p = pq === 2 ? 1 : 0;
      const q = pq === 0 ? 1 : 2;
      const r = 3 - p - q;
      const apq = m[3 * p + q];
      if (apq === 0) continue;
      const app = m[4 * p],
        aqq = m[4 * q];
      const theta = (aqq - app) / (2 * apq);
      let t = 1 / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      if (theta < 0) t = -t;
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      m[4 * p] = app - t * apq;
      m[4 * q] = aqq + t * apq;
      m[3 * p + q] = m[3 * q + p] = 0;
      const mrp = m[3 * r + p],
        mrq = m[3 * r + q];
      m[3 * r + p] = m[3 * p + r] = c * mrp - s * mrq;
      m[3 * r + q] = m[3 * q + r] = s * mrp + c * mrq;
      for (let i = 0; i < 3; i++) {
        const vip = v[vo + 3 * i + p],
          viq = v[vo + 3 * i + q];
        v[vo + 3 * i + p] = c * vip - s * viq;
        v[vo + 3 * i + q] = s * vip + c * viq;
      }
    }
  }
  // Sort ascending (three elements: a fixed network of swaps), permuting the columns of U alongside.
  let l0 = m[0],
    l1 = m[4],
    l2 = m[8];
  const swap = (i: number, j: number): void => {
    for (let row = 0; row < 3; row++) {
      const x = v[vo + 3 * row + i];
      v[vo + 3 * row + i] = v[vo + 3 * row + j];
      v[vo + 3 * row + j] = x;
    }
  };
  if (l0 > l1) {
    [l0, l1] = [l1, l0];
    swap(0, 1);
  }
  if (l1 > l2) {
    [l1, l2] = [l2, l1];
    swap(1, 2);
  }
  if (l0 > l1) {
    [l0, l1] = [l1, l0];
    swap(0, 1);
  }
  values[3 * k] = l0;
  values[3 * k + 1] = l1;
  values[3 * k + 2] = l2;
}

const scratchValues = new Float64Array(3);
const scratchVectors = new Float64Array(9);

/**
 * out = U·diag(f(λ))·Uᵀ where U·diag(λ)·Uᵀ is the symmetric part of `a`. Reads offset `aOffset`, writes at
 * `outOffset` (both in numbers), so it can walk a 9·B batch. Kernel: no checks; `out` may be `a`.
 */
export function spectralMapMat3<T extends Float64Array | Float32Array>(
  out: T,
  a: ArrayLike<number>,
  f: SpectralFunction,
  aOffset = 0,
  outOffset = 0,
): T {
  const lam = scratchValues,
    u = scratchVectors;
  eigenSymmetric3(lam, u, a, aOffset, 0);
  const f0 = f.value(lam[0]),
    f1 = f.value(lam[1]),
    f2 = f.value(lam[2]);
  for (let i = 0; i < 3; i++) {
    for (let j = i; j < 3; j++) {
      const x = u[3 * i] * f0 * u[3 * j] + u[3 * i + 1] * f1 * u[3 * j + 1] + u[3 * i + 2] * f2 * u[3 * j + 2];
      out[outOffset + 3 * i + j] = x;
      out[outOffset + 3 * j + i] = x;
    }
  }
  return out;
}

/**
 * The vector–Jacobian product of A ↦ f(sym A): out = sym(U·(D ∘ (Uᵀ·sym(dy)·U))·Uᵀ), given the eigen-pairs of
 * sym A (`values[3k…]`, `vectors[9k…]`). Kernel.
 */
function spectralVjp(
  out: Float64Array | Float32Array,
  dy: ArrayLike<number>,
  values: Float64Array,
  vectors: Float64Array,
  k: number,
  f: SpectralFunction,
): void {
  const o = 9 * k;
  const u = vectors;
  const s = scratchM;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) s[3 * i + j] = 0.5 * (dy[o + 3 * i + j] + dy[o + 3 * j + i]);
  }
  // t = Uᵀ·s·U, then t ∘= D, then back: U·t·Uᵀ.
  const t = scratchT;
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      let acc = 0;
      for (let i = 0; i < 3; i++) {
        const uia = u[o + 3 * i + a];
        for (let j = 0; j < 3; j++) acc += uia * s[3 * i + j] * u[o + 3 * j + b];
      }
      t[3 * a + b] = acc * f.divided(values[3 * k + a], values[3 * k + b]);
    }
  }
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let acc = 0;
      for (let a = 0; a < 3; a++) {
        const uia = u[o + 3 * i + a];
        for (let b = 0; b < 3; b++) acc += uia * t[3 * a + b] * u[o + 3 * j + b];
      }
      out[o + 3 * i + j] = acc;
    }
  }
}

/**
 * f applied spectrally to each symmetric 3×3 of a [B, 3, 3] tensor (its symmetric part is used), as a
 * differentiable op. The eigen-decomposition runs in Float64 on the CPU (B is the number of crystals: small),
 * so the op reads its input synchronously; the gradient is the Daleckiĭ–Kreĭn formula, finite for repeated
 * eigenvalues.
 */
export function spectralMapTensor(a: tf.Tensor3D, f: SpectralFunction): tf.Tensor3D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    const data = x.dataSync();
    const batch = x.shape[0] as number;
    const values = new Float64Array(3 * batch);
    const vectors = new Float64Array(9 * batch);
    const result = new Float32Array(9 * batch);
    for (let k = 0; k < batch; k++) {
      eigenSymmetric3(values, vectors, data, 9 * k, k);
      const f0 = f.value(values[3 * k]),
        f1 = f.value(values[3 * k + 1]),
        f2 = f.value(values[3 * k + 2]);
      const o = 9 * k;
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          result[o + 3 * i + j] =
            vectors[o + 3 * i] * f0 * vectors[o + 3 * j] +
            vectors[o + 3 * i + 1] * f1 * vectors[o + 3 * j + 1] +
            vectors[o + 3 * i + 2] * f2 * vectors[o + 3 * j + 2];
        }
      }
    }
    return {
      value: tf.tensor3d(result, [batch, 3, 3]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync();
        const grad = new Float32Array(9 * batch);
        for (let k = 0; k < batch; k++) spectralVjp(grad, g, values, vectors, k, f);
        return tf.tensor3d(grad, [batch, 3, 3]);
      },
    };
  });
  return op(a) as tf.Tensor3D;
}
