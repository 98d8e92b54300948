/**
 * Row-major 3×3 matrices in Float64. Kernels write into `out`, return it, may alias their inputs, never
 * allocate and never throw (gl-matrix conventions, row-major).
 */

/** 3×3, row-major, length 9. For a lattice, row i is lattice vector i (Å). */
export type Mat3 = Float64Array;
/** Any readable 3×3, row-major, length 9. */
export type Mat3Like = ArrayLike<number>;
/** A 3-vector. */
export type Vec3 = Float64Array;

/**
 * A new zero matrix.
 *
 * @example
 * const m = create(); // Float64Array(9) of zeros
 */
export function create(): Mat3 {
  return new Float64Array(9);
}

/**
 * A new identity matrix.
 *
 * @example
 * identity(); // [1, 0, 0, 0, 1, 0, 0, 0, 1]
 */
export function identity(out: Mat3 = create()): Mat3 {
  out.fill(0);
  out[0] = out[4] = out[8] = 1;
  return out;
}

/**
 * A new matrix from nine numbers or a 3×3 nested array.
 *
 * @example
 * fromValues([[1, 0, 0], [0, 2, 0], [0, 0, 3]]); // diag(1, 2, 3)
 */
export function fromValues(values: ArrayLike<number> | readonly (readonly number[])[]): Mat3 {
  const out = create();
  if (values.length === 3 && Array.isArray(values[0])) {
    const rows = values as readonly (readonly number[])[];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[3 * i + j] = rows[i][j];
  } else {
    out.set(values as ArrayLike<number>);
  }
  return out;
}

/**
 * out = a
 *
 * @example
 * copy(create(), lattice);
 */
export function copy<T extends Mat3>(out: T, a: Mat3Like): T {
  for (let i = 0; i < 9; i++) out[i] = a[i];
  return out;
}

/**
 * out = a · b
 *
 * @example
 * multiply(create(), transform, lattice); // change of basis T · L
 */
export function multiply<T extends Mat3>(out: T, a: Mat3Like, b: Mat3Like): T {
  const a00 = a[0],
    a01 = a[1],
    a02 = a[2],
    a10 = a[3],
    a11 = a[4],
    a12 = a[5],
    a20 = a[6],
    a21 = a[7],
    a22 = a[8];
  const b00 = b[0],
    b01 = b[1],
    b02 = b[2],
    b10 = b[3],
    b11 = b[4],
    b12 = b[5],
    b20 = b[6],
    b21 = b[7],
    b22 = b[8];
  out[0] = a00 * b00 + a01 * b10 + a02 * b20;
  out[1] = a00 * b01 + a01 * b11 + a02 * b21;
  out[2] = a00 * b02 + a01 * b12 + a02 * b22;
  out[3] = a10 * b00 + a11 * b10 + a12 * b20;
  out[4] = a10 * b01 + a11 * b11 + a12 * b21;
  out[5] = a10 * b02 + a11 * b12 + a12 * b22;
  out[6] = a20 * b00 + a21 * b10 + a22 * b20;
  out[7] = a20 * b01 + a21 * b11 + a22 * b21;
  out[8] = a20 * b02 + a21 * b12 + a22 * b22;
  return out;
}

/**
 * out = aᵀ
 *
 * @example
 * transpose(create(), [1, 2, 3, 4, 5, 6, 7, 8, 9]); // [1, 4, 7, 2, 5, 8, 3, 6, 9]
 */
export function transpose<T extends Mat3>(out: T, a: Mat3Like): T {
  const a01 = a[1],
    a02 = a[2],
    a12 = a[5];
  out[0] = a[0];
  out[4] = a[4];
  out[8] = a[8];
  out[1] = a[3];
  out[2] = a[6];
  out[5] = a[7];
  out[3] = a01;
  out[6] = a02;
  out[7] = a12;
  return out;
}

/**
 * det(a)
 *
 * @example
 * determinant([2, 0, 0, 0, 3, 0, 0, 0, 4]); // 24
 */
export function determinant(a: Mat3Like): number {
  return a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6]);
}

/**
 * out = a⁻¹, or `null` (out untouched) when a is singular or not finite.
 *
 * @example
 * invert(create(), [2, 0, 0, 0, 4, 0, 0, 0, 5]); // diag(0.5, 0.25, 0.2); null if singular
 */
export function invert<T extends Mat3>(out: T, a: Mat3Like): T | null {
  const a00 = a[0],
    a01 = a[1],
    a02 = a[2],
    a10 = a[3],
    a11 = a[4],
    a12 = a[5],
    a20 = a[6],
    a21 = a[7],
    a22 = a[8];
  const c00 = a11 * a22 - a12 * a21;
  const c01 = a12 * a20 - a10 * a22;
  const c02 = a10 * a21 - a11 * a20;
  const det = a00 * c00 + a01 * c01 + a02 * c02;
  if (det === 0 || !Number.isFinite(det)) return null;
  const inv = 1 / det;
  out[0] = c00 * inv;
  out[1] = (a02 * a21 - a01 * a22) * inv;
  out[2] = (a01 * a12 - a02 * a11) * inv;
  out[3] = c01 * inv;
  out[4] = (a00 * a22 - a02 * a20) * inv;
  out[5] = (a02 * a10 - a00 * a12) * inv;
  out[6] = c02 * inv;
  out[7] = (a01 * a20 - a00 * a21) * inv;
  out[8] = (a00 * a11 - a01 * a10) * inv;
  return out;
}

/**
 * out = a + b
 *
 * @example
 * add(create(), a, b);
 */
export function add<T extends Mat3>(out: T, a: Mat3Like, b: Mat3Like): T {
  for (let i = 0; i < 9; i++) out[i] = a[i] + b[i];
  return out;
}

/**
 * out = a − b
 *
 * @example
 * subtract(create(), a, b);
 */
export function subtract<T extends Mat3>(out: T, a: Mat3Like, b: Mat3Like): T {
  for (let i = 0; i < 9; i++) out[i] = a[i] - b[i];
  return out;
}

/**
 * out = s · a
 *
 * @example
 * scale(create(), lattice, 1.01); // 1 % isotropic expansion
 */
export function scale<T extends Mat3>(out: T, a: Mat3Like, s: number): T {
  for (let i = 0; i < 9; i++) out[i] = a[i] * s;
  return out;
}

/**
 * out = (a + aᵀ) / 2
 *
 * @example
 * symmetricPart(create(), [0, 2, 0, 0, 0, 0, 0, 0, 0]); // [0, 1, 0, 1, 0, 0, 0, 0, 0]
 */
export function symmetricPart<T extends Mat3>(out: T, a: Mat3Like): T {
  const a01 = a[1],
    a02 = a[2],
    a10 = a[3],
    a12 = a[5],
    a20 = a[6],
    a21 = a[7];
  out[0] = a[0];
  out[4] = a[4];
  out[8] = a[8];
  out[1] = out[3] = 0.5 * (a01 + a10);
  out[2] = out[6] = 0.5 * (a02 + a20);
  out[5] = out[7] = 0.5 * (a12 + a21);
  return out;
}

/**
 * out = (a − aᵀ) / 2
 *
 * @example
 * antisymmetricPart(create(), [0, 2, 0, 0, 0, 0, 0, 0, 0]); // [0, 1, 0, -1, 0, 0, 0, 0, 0]
 */
export function antisymmetricPart<T extends Mat3>(out: T, a: Mat3Like): T {
  const a01 = a[1],
    a02 = a[2],
    a10 = a[3],
    a12 = a[5],
    a20 = a[6],
    a21 = a[7];
  out[0] = out[4] = out[8] = 0;
  out[1] = 0.5 * (a01 - a10);
  out[3] = -out[1];
  out[2] = 0.5 * (a02 - a20);
  out[6] = -out[2];
  out[5] = 0.5 * (a12 - a21);
  out[7] = -out[5];
  return out;
}

/**
 * Frobenius norm of a.
 *
 * @example
 * frobenius([3, 0, 0, 0, 4, 0, 0, 0, 0]); // 5
 */
export function frobenius(a: Mat3Like): number {
  let s = 0;
  for (let i = 0; i < 9; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/**
 * out = v · a (row vector times matrix), for a 3-vector v.
 *
 * @example
 * transformRow(new Float64Array(3), [0.5, 0.5, 0], lattice); // (a + b) / 2
 */
export function transformRow<T extends ArrayLike<number> & { [i: number]: number }>(
  out: T,
  v: ArrayLike<number>,
  a: Mat3Like,
): T {
  const x = v[0],
    y = v[1],
    z = v[2];
  out[0] = x * a[0] + y * a[3] + z * a[6];
  out[1] = x * a[1] + y * a[4] + z * a[7];
  out[2] = x * a[2] + y * a[5] + z * a[8];
  return out;
}
