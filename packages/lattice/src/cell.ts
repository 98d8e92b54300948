import { InvalidArgumentError } from './errors.js';
import { create, determinant, invert, type Mat3, type Mat3Like, multiply, transpose } from './mat3.js';
import { assertLattice } from './validate.js';

const DEG = Math.PI / 180;
// ASE's tolerance for treating an angle as exactly ±90° (ase/geometry/cell.py cellpar_to_cell).
const RIGHT_EPS = 2 * 1.4210854715202004e-14;

/** Lattice parameters: lengths in Å, angles in degrees (α = ∠(b, c), β = ∠(a, c), γ = ∠(a, b)). */
export interface LatticeParameters {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
}

/**
 * Kernel form of {@link latticeFromParameters}: writes the cell into `out` and returns it, or returns `null`
 * when the angles do not form a cell (zero or imaginary volume). No argument checks and no allocation, for
 * hot paths (CIF reading) whose caller has validated the numbers.
 *
 * @example
 * latticeFromParametersInto(new Float64Array(9), 4, 4, 4, 90, 90, 90); // [4, 0, 0, 0, 4, 0, 0, 0, 4]
 */
export function latticeFromParametersInto<T extends Mat3>(
  out: T,
  a: number,
  b: number,
  c: number,
  alpha: number,
  beta: number,
  gamma: number,
): T | null {
  const cosA = Math.abs(Math.abs(alpha) - 90) < RIGHT_EPS ? 0 : Math.cos(alpha * DEG);
  const cosB = Math.abs(Math.abs(beta) - 90) < RIGHT_EPS ? 0 : Math.cos(beta * DEG);
  let cosG: number, sinG: number;
  if (Math.abs(Math.abs(gamma) - 90) < RIGHT_EPS) {
    cosG = 0;
    sinG = gamma > 0 ? 1 : -1;
  } else {
    cosG = Math.cos(gamma * DEG);
    sinG = Math.sin(gamma * DEG);
  }
  const cx = cosB;
  const cy = (cosA - cosB * cosG) / sinG;
  const cz2 = 1 - cx * cx - cy * cy;
  if (!(cz2 > 1e-20)) return null;
  out[0] = a;
  out[1] = 0;
  out[2] = 0;
  out[3] = b * cosG;
  out[4] = b * sinG;
  out[5] = 0;
  out[6] = c * cx;
  out[7] = c * cy;
  out[8] = c * Math.sqrt(cz2);
  return out;
}

function checkParameter(name: string, v: number, angle: boolean): void {
  const fn = 'latticeFromParameters';
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new InvalidArgumentError(fn, name, `must be finite, got ${v}`, v);
  if (!angle && !(v > 0)) throw new InvalidArgumentError(fn, name, `must be positive, got ${v}`, v);
  if (angle && !(v > 0 && v < 180))
    throw new InvalidArgumentError(fn, name, `must be in (0, 180) degrees, got ${v}`, v);
}

/**
 * The lattice with the given lengths (Å) and angles (degrees), oriented as ASE's `cellpar_to_cell`: a along
 * x, b in the xy-plane, c completing a right-handed cell. Angles within 3e-14° of 90° are taken as exactly 90°.
 * Throws {@link InvalidArgumentError} naming the parameter for non-finite, non-positive or out-of-range values
 * and for angles that do not form a cell.
 *
 * @example
 * latticeFromParameters(4, 4, 4, 90, 90, 90); // Float64Array [4, 0, 0, 0, 4, 0, 0, 0, 4]
 */
export function latticeFromParameters(
  a: number,
  b: number,
  c: number,
  alpha: number,
  beta: number,
  gamma: number,
  out: Mat3 = create(),
): Mat3 {
  checkParameter('a', a, false);
  checkParameter('b', b, false);
  checkParameter('c', c, false);
  checkParameter('alpha', alpha, true);
  checkParameter('beta', beta, true);
  checkParameter('gamma', gamma, true);
  if (!latticeFromParametersInto(out, a, b, c, alpha, beta, gamma)) {
    throw new InvalidArgumentError(
      'latticeFromParameters',
      'alpha, beta, gamma',
      `do not form a cell (${alpha}, ${beta}, ${gamma}): the volume would be zero or imaginary`,
      [alpha, beta, gamma],
    );
  }
  return out;
}

function angleDeg(l: Mat3Like, i: number, j: number, ni: number, nj: number): number {
  const dot = l[3 * i] * l[3 * j] + l[3 * i + 1] * l[3 * j + 1] + l[3 * i + 2] * l[3 * j + 2];
  const c = Math.min(1, Math.max(-1, dot / (ni * nj)));
  return Math.acos(c) / DEG;
}

/**
 * Lengths (Å) and angles (degrees) of a lattice, as ASE's `cell_to_cellpar`.
 *
 * @example
 * latticeParameters(latticeFromParameters(3, 4, 5, 80, 90, 100)); // { a: 3, b: 4, c: 5, alpha: 80, … }
 */
export function latticeParameters(lattice: Mat3Like): LatticeParameters {
  assertLattice('latticeParameters', lattice);
  const l = lattice;
  const a = Math.hypot(l[0], l[1], l[2]);
  const b = Math.hypot(l[3], l[4], l[5]);
  const c = Math.hypot(l[6], l[7], l[8]);
  return { a, b, c, alpha: angleDeg(l, 1, 2, b, c), beta: angleDeg(l, 0, 2, a, c), gamma: angleDeg(l, 0, 1, a, b) };
}

/**
 * Volume |det L| in Å³.
 *
 * @example
 * volume([2, 0, 0, 0, 3, 0, 0, 0, 4]); // 24
 */
export function volume(lattice: Mat3Like): number {
  return Math.abs(determinant(lattice));
}

/**
 * +1 for a right-handed lattice (det L > 0), −1 for a left-handed one.
 *
 * @example
 * handedness([1, 0, 0, 0, 1, 0, 0, 0, -1]); // -1
 */
export function handedness(lattice: Mat3Like): 1 | -1 {
  return determinant(lattice) > 0 ? 1 : -1;
}

/**
 * Reciprocal lattice, rows b_i with a_i · b_j = δ_ij (crystallographer's convention, no 2π), i.e. (L⁻¹)ᵀ;
 * with `twoPi` the physicist's 2π·(L⁻¹)ᵀ. Throws for a degenerate lattice.
 *
 * @example
 * reciprocalLattice([2, 0, 0, 0, 4, 0, 0, 0, 5]); // diag(0.5, 0.25, 0.2)
 * reciprocalLattice(L, { twoPi: true }); // 2π (L⁻¹)ᵀ
 */
export function reciprocalLattice(lattice: Mat3Like, options: { twoPi?: boolean } = {}, out: Mat3 = create()): Mat3 {
  assertLattice('reciprocalLattice', lattice);
  invert(out, lattice);
  transpose(out, out);
  if (options.twoPi) for (let i = 0; i < 9; i++) out[i] *= 2 * Math.PI;
  return out;
}

/**
 * Metric tensor G = L·Lᵀ (G_ij = a_i · a_j), Å².
 *
 * @example
 * metricTensor([1, 0, 0, 1, 1, 0, 0, 0, 2]); // [1, 1, 0, 1, 2, 0, 0, 0, 4]
 */
export function metricTensor(lattice: Mat3Like, out: Mat3 = create()): Mat3 {
  const t = transpose(create(), lattice);
  return multiply(out, lattice, t);
}

/**
 * Spacings (Å) between the lattice planes spanned by (b, c), (a, c) and (a, b): d_i = V / |a_j × a_k| =
 * 1 / |b_i| for the reciprocal rows b_i. The number of periodic images a cutoff r needs along axis i is
 * ceil(r / d_i), whatever the lengths.
 *
 * @example
 * planeSpacings(latticeFromParameters(4, 4, 4, 90, 90, 90)); // Float64Array [4, 4, 4]
 */
export function planeSpacings(lattice: Mat3Like, out: Float64Array = new Float64Array(3)): Float64Array {
  const l = lattice;
  const v = Math.abs(determinant(l));
  for (let i = 0; i < 3; i++) {
    const j = (i + 1) % 3,
      k = (i + 2) % 3;
    const x = l[3 * j + 1] * l[3 * k + 2] - l[3 * j + 2] * l[3 * k + 1];
    const y = l[3 * j + 2] * l[3 * k] - l[3 * j] * l[3 * k + 2];
    const z = l[3 * j] * l[3 * k + 1] - l[3 * j + 1] * l[3 * k];
    out[i] = v / Math.hypot(x, y, z);
  }
  return out;
}
