// Symmetric 3×3 helpers (row-major Float64Array(9)): eigendecomposition by cyclic Jacobi, and the matrix
// functions built on it (exp, log, sqrt). Private to @crys/model; candidates to move down to @crys/lattice.

const scratchV = new Float64Array(9);
const scratchW = new Float64Array(3);

/** Eigen-decomposition of symmetric `a`: writes eigenvalues to `w` (3) and eigenvectors as columns of `v`. */
export function symEig(a: ArrayLike<number>, w: Float64Array, v: Float64Array): void {
  const m = [a[0], 0.5 * (a[1] + a[3]), 0.5 * (a[2] + a[6]), a[4], 0.5 * (a[5] + a[7]), a[8]];
  // m: [00, 01, 02, 11, 12, 22]
  let a00 = m[0],
    a01 = m[1],
    a02 = m[2],
    a11 = m[3],
    a12 = m[4],
    a22 = m[5];
  v.fill(0);
  v[0] = v[4] = v[8] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = a01 * a01 + a02 * a02 + a12 * a12;
    if (off < 1e-30 * (a00 * a00 + a11 * a11 + a22 * a22 + 1e-300)) break;
    for (let pq = 0; pq < 3; pq++) {
      const p = pq === 2 ? 1 : 0;
      const q = pq === 0 ? 1 : 2;
      const apq = pq === 0 ? a01 : pq === 1 ? a02 : a12;
      if (Math.abs(apq) < 1e-300) continue;
      const app = p === 0 ? a00 : a11;
      const aqq = q === 1 ? a11 : a22;
      const theta = (aqq - app) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      // full symmetric matrix rotate: A' = Jᵀ A J on rows/cols p, q
      const A = [
        [a00, a01, a02],
        [a01, a11, a12],
        [a02, a12, a22],
      ];
      for (let k = 0; k < 3; k++) {
        const akp = A[k][p],
          akq = A[k][q];
        A[k][p] = c * akp - s * akq;
        A[k][q] = s * akp + c * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = A[p][k],
          aqk = A[q][k];
        A[p][k] = c * apk - s * aqk;
        A[q][k] = s * apk + c * aqk;
      }
      a00 = A[0][0];
      a01 = A[0][1];
      a02 = A[0][2];
      a11 = A[1][1];
      a12 = A[1][2];
      a22 = A[2][2];
      for (let k = 0; k < 3; k++) {
        const vkp = v[3 * k + p],
          vkq = v[3 * k + q];
        v[3 * k + p] = c * vkp - s * vkq;
        v[3 * k + q] = s * vkp + c * vkq;
      }
    }
  }
  w[0] = a00;
  w[1] = a11;
  w[2] = a22;
}

/** f(a) for symmetric `a` and a scalar function f applied to its eigenvalues; writes `out`, returns it. */
export function symFunction(out: Float64Array, a: ArrayLike<number>, f: (x: number) => number): Float64Array {
  symEig(a, scratchW, scratchV);
  const f0 = f(scratchW[0]),
    f1 = f(scratchW[1]),
    f2 = f(scratchW[2]);
  const v = scratchV;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      out[3 * i + j] = v[3 * i] * f0 * v[3 * j] + v[3 * i + 1] * f1 * v[3 * j + 1] + v[3 * i + 2] * f2 * v[3 * j + 2];
    }
  }
  return out;
}

/** Matrix exponential of a symmetric matrix. */
export function symExp(out: Float64Array, a: ArrayLike<number>): Float64Array {
  return symFunction(out, a, Math.exp);
}

/** Principal logarithm of a symmetric positive-definite matrix. */
export function symLog(out: Float64Array, a: ArrayLike<number>): Float64Array {
  return symFunction(out, a, Math.log);
}

/** The symmetric frame of a lattice: sqrt(L·Lᵀ), the same metric as L, symmetric positive definite. */
export function symmetricFrame(out: Float64Array, lattice: ArrayLike<number>): Float64Array {
  const g = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      g[3 * i + j] =
        lattice[3 * i] * lattice[3 * j] +
        lattice[3 * i + 1] * lattice[3 * j + 1] +
        lattice[3 * i + 2] * lattice[3 * j + 2];
    }
  }
  return symFunction(out, g, Math.sqrt);
}

/** out = a · b (3×3 row-major). `out` may alias an input. */
export function mul3(out: Float64Array, a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const r = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) r[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
  }
  out.set(r);
  return out;
}
