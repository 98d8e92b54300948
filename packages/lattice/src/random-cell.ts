/**
 * Seeded random rotations, strains, displacements, lattices and unimodular matrices for tests and training.
 * All take an {@link Rng} from `createRng(seed)`, so a run is reproducible from its seed.
 */
import { InvalidArgumentError } from './errors.js';
import { latticeFromParameters } from './cell.js';
import { create, determinant, type Mat3, multiply } from './mat3.js';
import type { Rng } from './random.js';

/**
 * Kernel: writes a uniformly distributed proper rotation (det +1) into `out`, from a uniform unit quaternion
 * (Shoemake, "Uniform random rotations", Graphics Gems III, 1992). Draws three numbers from `rng`.
 *
 * @example
 * randomRotationInto(create(), createRng(1));
 */
export function randomRotationInto(out: Mat3, rng: Rng): Mat3 {
  const u1 = rng.next(),
    u2 = rng.next(),
    u3 = rng.next();
  const s1 = Math.sqrt(1 - u1),
    s2 = Math.sqrt(u1);
  const x = s1 * Math.sin(2 * Math.PI * u2),
    y = s1 * Math.cos(2 * Math.PI * u2);
  const z = s2 * Math.sin(2 * Math.PI * u3),
    w = s2 * Math.cos(2 * Math.PI * u3);
  out[0] = 1 - 2 * (y * y + z * z);
  out[1] = 2 * (x * y - z * w);
  out[2] = 2 * (x * z + y * w);
  out[3] = 2 * (x * y + z * w);
  out[4] = 1 - 2 * (x * x + z * z);
  out[5] = 2 * (y * z - x * w);
  out[6] = 2 * (x * z - y * w);
  out[7] = 2 * (y * z + x * w);
  out[8] = 1 - 2 * (x * x + y * y);
  return out;
}

function assertRng(fn: string, rng: unknown): asserts rng is Rng {
  if (!rng || typeof (rng as Rng).next !== 'function' || typeof (rng as Rng).normal !== 'function') {
    throw new InvalidArgumentError(fn, 'rng', 'must be an Rng from createRng(seed)', rng);
  }
}

function assertSigma(fn: string, sigma: number): void {
  if (!(typeof sigma === 'number' && Number.isFinite(sigma) && sigma >= 0)) {
    throw new InvalidArgumentError(fn, 'sigma', `must be finite and ≥ 0, got ${sigma}`, sigma);
  }
}

/** Options of {@link randomRotation}. */
export interface RandomRotationOptions {
  /** Only proper rotations (det +1; default). With `false`, half of the results are rotoinversions (det −1). */
  readonly properOnly?: boolean;
}

/**
 * A uniformly distributed (Haar) random rotation matrix, from a uniform unit quaternion (Shoemake 1992).
 * With `properOnly: false` it is negated (an improper rotation, det −1) with probability ½.
 *
 * @example
 * const r = randomRotation(createRng(1)); // determinant(r) ≈ 1, r · rᵀ ≈ I
 */
export function randomRotation(rng: Rng, options: RandomRotationOptions = {}, out: Mat3 = create()): Mat3 {
  assertRng('randomRotation', rng);
  randomRotationInto(out, rng);
  if (options.properOnly === false && rng.next() < 0.5) for (let i = 0; i < 9; i++) out[i] = -out[i];
  return out;
}

/**
 * A random symmetric deformation I + ε with ε = (A + Aᵀ)/2 for A with independent N(0, σ²) entries: diagonal
 * strains have standard deviation σ, shear strains σ/√2 (a rotation-invariant, GOE distribution). Apply it to a
 * lattice as L' = L · (I + ε) (rows = vectors).
 *
 * @example
 * const g = randomSymmetricStrain(createRng(2), 0.05); // symmetric, ≈ I
 */
export function randomSymmetricStrain(rng: Rng, sigma: number, out: Mat3 = create()): Mat3 {
  const fn = 'randomSymmetricStrain';
  assertRng(fn, rng);
  assertSigma(fn, sigma);
  for (let i = 0; i < 3; i++) {
    out[4 * i] = 1 + sigma * rng.normal();
    for (let j = i + 1; j < 3; j++) {
      const e = (sigma * (rng.normal() + rng.normal())) / 2;
      out[3 * i + j] = e;
      out[3 * j + i] = e;
    }
  }
  return out;
}

/**
 * n random Cartesian displacements (3·n, atom-major, Å), each component independent N(0, σ²).
 *
 * @example
 * const d = randomDisplacements(createRng(3), 5, 0.1); // Float64Array(15)
 */
export function randomDisplacements(rng: Rng, n: number, sigma: number): Float64Array {
  const fn = 'randomDisplacements';
  assertRng(fn, rng);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(fn, 'n', `must be an integer ≥ 0, got ${n}`, n);
  assertSigma(fn, sigma);
  const out = new Float64Array(3 * n);
  for (let i = 0; i < out.length; i++) out[i] = sigma * rng.normal();
  return out;
}

/** Options of {@link randomUnimodular}. */
export interface RandomUnimodularOptions {
  /** Number of elementary shears multiplied together. Default 6. */
  readonly steps?: number;
  /** Largest |multiple| in one shear. Default 2. */
  readonly maxShear?: number;
}

/**
 * A random integer matrix of determinant +1 (an element of SL(3, Z)): a product of `steps` elementary shears
 * (row i += k · row j, 1 ≤ |k| ≤ maxShear) and signed row permutations. Entries grow roughly like
 * maxShear^steps, so the defaults give strongly skewed but manageable cells.
 *
 * @example
 * const t = randomUnimodular(createRng(4)); // Int32Array(9), det +1
 */
export function randomUnimodular(rng: Rng, options: RandomUnimodularOptions = {}): Int32Array {
  const fn = 'randomUnimodular';
  assertRng(fn, rng);
  const steps = options.steps ?? 6;
  const maxShear = options.maxShear ?? 2;
  if (!Number.isInteger(steps) || steps < 0 || steps > 64) {
    throw new InvalidArgumentError(fn, 'options.steps', `must be an integer in [0, 64], got ${steps}`, steps);
  }
  if (!Number.isInteger(maxShear) || maxShear < 1 || maxShear > 100) {
    throw new InvalidArgumentError(fn, 'options.maxShear', `must be an integer in [1, 100], got ${maxShear}`, maxShear);
  }
  const t = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  for (let s = 0; s < steps; s++) {
    const i = rng.int(3);
    const j = (i + 1 + rng.int(2)) % 3;
    const k = (1 + rng.int(maxShear)) * (rng.next() < 0.5 ? -1 : 1);
    for (let c = 0; c < 3; c++) t[3 * i + c] += k * t[3 * j + c];
    if (rng.next() < 0.3) {
      // swap two rows and negate one of them: still det +1
      for (let c = 0; c < 3; c++) {
        const x = t[3 * i + c];
        t[3 * i + c] = -t[3 * j + c];
        t[3 * j + c] = x;
      }
    }
  }
  const out = Int32Array.from(t);
  if (Math.abs(determinant(out) - 1) > 0.5) throw new Error('randomUnimodular: internal error, det ≠ 1');
  return out;
}

/** Options of {@link randomLattice}. */
export interface RandomLatticeOptions {
  /** Shortest and longest edge length of the underlying (reduced-like) cell, Å. Default [2, 8]. */
  readonly lengths?: readonly [number, number];
  /** Range of the cell angles in degrees. Default [60, 120]. */
  readonly angles?: readonly [number, number];
  /**
   * Skew: when > 0, the cell is replaced by another basis of the same lattice, T · L with
   * T = randomUnimodular(rng, { steps: skew }), which makes long, nearly parallel vectors. Default 0.
   */
  readonly skew?: number;
  /** Apply a random rotation so the cell is not in ASE's a-along-x orientation. Default false. */
  readonly rotate?: boolean;
}

/**
 * A random lattice (rows = vectors, Å): lengths and angles drawn uniformly from the given ranges (redrawn until
 * the cell has volume ≥ 0.2·abc), optionally re-expressed in a strongly skewed basis of the same lattice
 * (`skew`) and rotated (`rotate`). Right-handed.
 *
 * @example
 * const skewed = randomLattice(createRng(5), { skew: 8 }); // same lattice points as a tame cell
 */
export function randomLattice(rng: Rng, options: RandomLatticeOptions = {}): Mat3 {
  const fn = 'randomLattice';
  assertRng(fn, rng);
  const [lmin, lmax] = options.lengths ?? [2, 8];
  const [amin, amax] = options.angles ?? [60, 120];
  if (!(lmin > 0 && lmax >= lmin && Number.isFinite(lmax))) {
    throw new InvalidArgumentError(
      fn,
      'options.lengths',
      `must be [min, max] with 0 < min ≤ max, got [${lmin}, ${lmax}]`,
    );
  }
  if (!(amin > 0 && amax >= amin && amax < 180)) {
    throw new InvalidArgumentError(fn, 'options.angles', `must be [min, max] within (0, 180), got [${amin}, ${amax}]`);
  }
  const skew = options.skew ?? 0;
  const u = (lo: number, hi: number): number => lo + (hi - lo) * rng.next();
  let l: Mat3 | undefined;
  for (let attempt = 0; attempt < 1000 && !l; attempt++) {
    const a = u(lmin, lmax),
      b = u(lmin, lmax),
      c = u(lmin, lmax);
    const al = u(amin, amax),
      be = u(amin, amax),
      ga = u(amin, amax);
    const ca = Math.cos((al * Math.PI) / 180),
      cb = Math.cos((be * Math.PI) / 180),
      cg = Math.cos((ga * Math.PI) / 180);
    const v2 = 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg; // (V / abc)²
    if (v2 > 0.04) l = latticeFromParameters(a, b, c, al, be, ga);
  }
  if (!l)
    throw new InvalidArgumentError(fn, 'options.angles', `admit no cell with volume ≥ 0.2·abc: [${amin}, ${amax}]`);
  if (skew > 0) multiply(l, randomUnimodular(rng, { steps: skew }), l);
  if (options.rotate) multiply(l, l, randomRotation(rng));
  return l;
}
