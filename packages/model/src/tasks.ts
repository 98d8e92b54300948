import type { Crystal, Rng } from '@crys/lattice';
import {
  InvalidArgumentError,
  determinant,
  expSymmetric,
  invert,
  latticePointGroup,
  logSymmetric,
  multiply,
  polarDecomposition,
  symmetricPart,
  transpose,
} from '@crys/lattice';
import { alignedDisplacement } from './align.js';

/**
 * The tasks the action model is trained for: three that move crystals, and `property`, a scalar of the clean
 * crystal (e.g. a formation energy) read from the network's lattice output, which ranks the samples of the others.
 */
export type TaskKind = 'structure' | 'denoise' | 'lattice' | 'property';

/**
 * The noise process a model is trained to undo, parameterised by a level t ∈ [0, 1]. Atoms move by a wrapped
 * Gaussian of fractional standard deviation σ(t) = σmin·(σmax/σmin)^t; the lattice is L_t = L₀·exp(X_t) with
 * X_t = t·(X_prior + latticeNoise·E), E a random symmetric matrix and X_prior = log(c·L₀⁻¹) the log-deformation
 * from the clean lattice (in its symmetric frame) to the isotropic cubic cell c·I of the volume prior.
 *
 * @example
 * const task = TASKS.structure; task.atomSigmaMax; // 0.5: fractional noise this large is almost uniform
 */
export interface TaskConfig {
  readonly kind: TaskKind;
  /** σ(0): fractional noise at the lowest level. */
  readonly atomSigmaMin: number;
  /** σ(1): fractional noise at the highest level; 0 means atoms are never moved (lattice task). */
  readonly atomSigmaMax: number;
  /** Whether the highest level is the volume-prior cubic cell (structure prediction, lattice recovery). */
  readonly latticeFromPrior: boolean;
  /** Standard deviation of the symmetric log-strain E at t = 1 (diagonal; off-diagonal is /√2). */
  readonly latticeNoise: number;
  /**
   * Atom targets point to the nearest equivalent copy of the clean crystal (its lattice's point group,
   * translations and same-species permutations: {@link alignedDisplacement}) instead of undoing the drawn noise.
   * Absent (models trained before it existed) means false.
   */
  readonly alignTargets?: boolean;
  /**
   * The top level's lattice is a draw from a base distribution around the prior cube, B = c·exp(latticeNoise·E),
   * reached exactly (up to a rotation) by every clean lattice's path, and random starts draw it too
   * ({@link startLattice}): the lattice of a structure prediction then starts from a spread of cells, as in flow
   * matching, instead of every prediction starting from the cube itself and having to break its symmetry.
   * Needs `latticeFromPrior`. Absent (every model before it, 2026-12-04) means false: the path ends at
   * L₀·exp(log(c·I) − log L₀ + latticeNoise·E), near the cube, and starts are the cube.
   */
  readonly sampledStart?: boolean;
}

/**
 * Task presets: structure prediction from random starts, denoising of perturbed crystals, and lattice
 * recovery from a volume-scaled isotropic cell with given fractional coordinates.
 *
 * @example
 * TASKS.denoise.atomSigmaMax; // 0.1
 */
export const TASKS: Readonly<Record<TaskKind, TaskConfig>> = {
  structure: {
    kind: 'structure',
    atomSigmaMin: 0.005,
    atomSigmaMax: 0.5,
    latticeFromPrior: true,
    latticeNoise: 0.1,
    alignTargets: true,
  },
  denoise: {
    kind: 'denoise',
    atomSigmaMin: 0.005,
    atomSigmaMax: 0.1,
    latticeFromPrior: false,
    latticeNoise: 0.1,
    alignTargets: true,
  },
  lattice: { kind: 'lattice', atomSigmaMin: 0, atomSigmaMax: 0, latticeFromPrior: true, latticeNoise: 0.05 },
  // no noise process: every sample is the clean crystal at level 0 (see `propertyOfActions`)
  property: { kind: 'property', atomSigmaMin: 0, atomSigmaMax: 0, latticeFromPrior: false, latticeNoise: 0 },
};

/**
 * Fractional noise scale σ(t) of a task at level t (0 when the task never moves atoms).
 *
 * @example
 * atomSigma(TASKS.structure, 1); // 0.5
 */
export function atomSigma(task: TaskConfig, t: number): number {
  if (task.atomSigmaMax <= 0) return 0;
  return task.atomSigmaMin * (task.atomSigmaMax / task.atomSigmaMin) ** t;
}

/**
 * The volume prior: V ≈ Σ_Z n_Z·v_Z, a linear fit of cell volume on composition (least squares with a small
 * ridge towards the mean volume per atom). `volumes[s]` is v for species index s.
 */
export interface VolumePrior {
  readonly volumes: readonly number[];
}

/**
 * Fits the {@link VolumePrior} on training crystals, `speciesIndex` mapping an atomic number to its row.
 *
 * @example
 * const prior = fitVolumePrior(train, (z) => species.indexOf(z), species.length);
 */
export function fitVolumePrior(
  crystals: readonly Crystal[],
  speciesIndex: (z: number) => number,
  numSpecies: number,
): VolumePrior {
  const S = numSpecies;
  const ata = new Float64Array(S * S);
  const atb = new Float64Array(S);
  let vSum = 0,
    nSum = 0;
  const counts = new Float64Array(S);
  for (const c of crystals) {
    counts.fill(0);
    for (const z of c.atomicNumbers) counts[speciesIndex(z)]++;
    const v = Math.abs(determinant(c.lattice));
    vSum += v;
    nSum += c.atomicNumbers.length;
    for (let i = 0; i < S; i++) {
      if (counts[i] === 0) continue;
      atb[i] += counts[i] * v;
      for (let j = 0; j < S; j++) ata[i * S + j] += counts[i] * counts[j];
    }
  }
  const mean = nSum > 0 ? vSum / nSum : 10;
  const ridge = 1e-3 * crystals.length + 1e-9;
  for (let i = 0; i < S; i++) {
    ata[i * S + i] += ridge;
    atb[i] += ridge * mean;
  }
  return { volumes: solve(ata, atb, S) };
}

function solve(a: Float64Array, b: Float64Array, n: number): number[] {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r;
    if (p !== c) {
      for (let k = 0; k < n; k++) [m[c * n + k], m[p * n + k]] = [m[p * n + k], m[c * n + k]];
      [x[c], x[p]] = [x[p], x[c]];
    }
    const d = m[c * n + c];
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c] / d;
      if (f === 0) continue;
      for (let k = c; k < n; k++) m[r * n + k] -= f * m[c * n + k];
      x[r] -= f * x[c];
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = x[c];
    for (let k = c + 1; k < n; k++) s -= m[c * n + k] * x[k];
    x[c] = s / m[c * n + c];
  }
  return Array.from(x);
}

/**
 * Prior volume (Å³) of a composition given as species indices.
 *
 * @example
 * priorVolume(prior, Int32Array.of(0, 1, 2, 2, 2));
 */
export function priorVolume(prior: VolumePrior, species: ArrayLike<number>): number {
  let v = 0;
  for (let i = 0; i < species.length; i++) v += prior.volumes[species[i]];
  // guard a negative fit for exotic compositions: never below 1 Å³ per atom
  return Math.max(v, species.length);
}

/** The isotropic cubic cell of the prior volume. */
export function priorLattice(prior: VolumePrior, species: ArrayLike<number>): Float64Array {
  const c = Math.cbrt(priorVolume(prior, species));
  return Float64Array.of(c, 0, 0, 0, c, 0, 0, 0, c);
}

/** One training example: a noised crystal, its level and the targets that undo the noise. */
export interface TrainingSample {
  /** Noised lattice (9). */
  readonly lattice: Float64Array;
  /** Noised fractional coordinates (3·n). */
  readonly frac: Float64Array;
  /** Species indices (n). */
  readonly species: Int32Array;
  /** Noise level t. */
  readonly level: number;
  /** 3·n fractional correction back to the clean coordinates divided by σ(t), mean removed (zeros if σ = 0). */
  readonly atomTarget: Float64Array;
  /** 9 symmetric log-deformation −X_t taking the noised lattice back to the clean one. */
  readonly latticeTarget: Float64Array;
  /** Property task: the crystal's property, standardised by the model's `property` mean and spread. */
  readonly propertyTarget?: number;
}

/**
 * The symmetric frame sqrt(L·Lᵀ) of a lattice (same metric, symmetric positive-definite): the stretch of
 * the right polar decomposition of ±Lᵀ, with the sign making the determinant positive.
 */
function symmetricFrame(lattice: ArrayLike<number>): Float64Array {
  const m = transpose(new Float64Array(9), lattice);
  if (determinant(m) < 0) for (let i = 0; i < 9; i++) m[i] = -m[i];
  return polarDecomposition(m).stretch;
}

/**
 * A random symmetric log-strain with standard deviation `scale` on the diagonal and scale/√2 off it, drawn from
 * `rng` (six normals: the three off-diagonal, then the three diagonal entries).
 */
function latticeStrainNoise(scale: number, rng: Rng): Float64Array {
  const e01 = (rng.normal() * scale) / Math.SQRT2,
    e02 = (rng.normal() * scale) / Math.SQRT2,
    e12 = (rng.normal() * scale) / Math.SQRT2;
  const e00 = rng.normal() * scale,
    e11 = rng.normal() * scale,
    e22 = rng.normal() * scale;
  return Float64Array.of(e00, e01, e02, e01, e11, e12, e02, e12, e22);
}

/**
 * The lattice a structure prediction starts from: the prior's cube c·I, or for a task with `sampledStart` a draw
 * B = c·exp(latticeNoise·E) of its base distribution (the top level the model was trained at), from `rng`.
 *
 * @example
 * const lattice = startLattice(TASKS.structure, prior, species, createRng(0)); // the cube
 */
export function startLattice(task: TaskConfig, prior: VolumePrior, species: ArrayLike<number>, rng: Rng): Float64Array {
  const cube = priorLattice(prior, species);
  if (!(task.latticeFromPrior && task.sampledStart)) return cube;
  return drawnCell(cube[0], latticeStrainNoise(task.latticeNoise, rng));
}

/** The cell c·exp(noise) of the sampled start's base distribution (symmetric, row-major). */
function drawnCell(c: number, noise: Float64Array): Float64Array {
  const b = expSymmetric(new Float64Array(9), noise);
  for (let i = 0; i < 9; i++) b[i] *= c;
  return b;
}

/**
 * Noises a clean crystal at level t for a task. The clean lattice is taken in its symmetric frame
 * sqrt(L·Lᵀ) (same metric, so the same crystal up to a rotation), which makes X_prior symmetric.
 *
 * @example
 * const sample = noiseCrystal(TASKS.structure, prior, crystal, species, 0.5, createRng(1));
 */
export function noiseCrystal(
  task: TaskConfig,
  prior: VolumePrior,
  crystal: Crystal,
  species: Int32Array,
  level: number,
  rng: Rng,
): TrainingSample {
  // the property task has no noise process: its samples are the clean crystals, at level 0
  const t = task.kind === 'property' ? 0 : level;
  const n = species.length;
  const clean = symmetricFrame(crystal.lattice);
  const c = task.latticeFromPrior ? Math.cbrt(priorVolume(prior, species)) : 0;
  const noise = latticeStrainNoise(task.latticeNoise, rng);
  const x = new Float64Array(9);
  if (task.latticeFromPrior && task.sampledStart) {
    // X = ½·log(L₀⁻¹·B²·L₀⁻¹), B = c·exp(noise): L₀·exp(X) has B's metric, so the path ends at B up to a rotation
    const b = drawnCell(c, noise);
    const inv = invert(new Float64Array(9), clean);
    if (inv === null) throw new InvalidArgumentError('noiseCrystal', 'crystal', 'has a singular lattice', crystal);
    const m = multiply(
      new Float64Array(9),
      multiply(new Float64Array(9), inv, multiply(new Float64Array(9), b, b)),
      inv,
    );
    logSymmetric(x, symmetricPart(m, m));
    for (let i = 0; i < 9; i++) x[i] *= 0.5 * t;
  } else {
    if (task.latticeFromPrior) {
      // X_prior = log(c·I) − log L₀
      logSymmetric(x, clean);
      for (let i = 0; i < 9; i++) x[i] = -x[i];
      x[0] += Math.log(c);
      x[4] += Math.log(c);
      x[8] += Math.log(c);
    }
    for (let i = 0; i < 9; i++) x[i] = t * (x[i] + noise[i]);
  }
  const lattice = multiply(new Float64Array(9), clean, expSymmetric(new Float64Array(9), x));
  const latticeTarget = new Float64Array(9);
  for (let i = 0; i < 9; i++) latticeTarget[i] = -x[i];

  const sigma = atomSigma(task, t);
  const frac = new Float64Array(3 * n);
  const atomTarget = new Float64Array(3 * n);
  const mean = [0, 0, 0];
  for (let i = 0; i < 3 * n; i++) {
    const f0 = crystal.fracCoords[i];
    const eps = sigma > 0 ? sigma * rng.normal() : 0;
    const f = f0 + eps;
    frac[i] = f - Math.floor(f);
    const d = f0 - frac[i];
    atomTarget[i] = d - Math.round(d);
    mean[i % 3] += atomTarget[i] / n;
  }
  if (sigma > 0 && task.alignTargets) {
    alignedDisplacement(frac, crystal.fracCoords, species, lattice, pointGroupOf(crystal), {}, atomTarget);
    for (let i = 0; i < 3 * n; i++) atomTarget[i] /= sigma;
  } else {
    for (let i = 0; i < 3 * n; i++) atomTarget[i] = sigma > 0 ? (atomTarget[i] - mean[i % 3]) / sigma : 0;
  }
  return { lattice, frac, species, level: t, atomTarget, latticeTarget };
}

/** Point groups of the crystals being noised (computed once per crystal object). */
const pointGroups = new WeakMap<Crystal, Int8Array[]>();

function pointGroupOf(crystal: Crystal): Int8Array[] {
  let ops = pointGroups.get(crystal);
  if (ops === undefined) {
    ops = latticePointGroup(crystal.lattice);
    pointGroups.set(crystal, ops);
  }
  return ops;
}
