import type { Crystal } from '@crys/lattice';
import { createCrystal, latticeParameters, minimumImage } from '@crys/lattice';
import { crystalValidity, FIELD_MATCHER_OPTIONS, reconstructionMetrics } from '@crys/eval';
import type { DatasetRow } from './data.js';
import { fnv1a } from './data.js';
import { type ActionModel, speciesIndices } from './model.js';
import { priorStart, randomStart, relaxMany } from './sampler.js';
import { noiseCrystal } from './tasks.js';
import { createRng } from '@crys/lattice';

/**
 * Options of {@link predictRows}.
 *
 * @example
 * const options: PredictRowsOptions = { seed: 0, steps: 100 };
 */
export interface PredictRowsOptions {
  /** Seed; each row's start uses seed ⊕ FNV-1a(row id), so a row's prediction does not depend on the others. */
  readonly seed?: number;
  /** Action steps (default: the model's). */
  readonly steps?: number;
  /** Denoising only: the noise level t the inputs are perturbed at and the run starts from (default 0.5). */
  readonly startLevel?: number;
  /** Crystals per forward pass (default 256). */
  readonly batchSize?: number;
  /** Sampler stochasticity (see `ActionOptions.eta`; default 0). */
  readonly eta?: number;
  /** Apply lattice actions (default true). */
  readonly moveLattice?: boolean;
}

/** A prediction for one dataset row, with the input the model started from. */
export interface RowPrediction {
  readonly id: string;
  readonly start: Crystal;
  readonly crystal: Crystal;
}

/**
 * Runs a model's task on dataset rows, one sample per row: structure prediction from a seeded random start
 * (composition only), denoising of a seeded perturbation of the row's crystal at `startLevel`, or lattice
 * recovery from the prior cell with the row's fractional coordinates.
 *
 * @example
 * const predictions = predictRows(model, holdoutRows, { seed: 0 });
 */
export function predictRows(
  model: ActionModel,
  rows: readonly DatasetRow[],
  options: PredictRowsOptions = {},
): RowPrediction[] {
  const seed = options.seed ?? 0;
  const task = model.config.task;
  const level = task.kind === 'denoise' ? (options.startLevel ?? 0.5) : 1;
  const starts = rows.map((r) => {
    const rowSeed = (seed ^ fnv1a(r.id)) >>> 0;
    if (task.kind === 'structure') return randomStart(model, r.crystal.atomicNumbers, rowSeed, 'predictRows');
    if (task.kind === 'lattice') return priorStart(model, r.crystal);
    const s = noiseCrystal(
      task,
      model.config.prior,
      r.crystal,
      speciesIndices(model, r.crystal.atomicNumbers, 'predictRows'),
      level,
      createRng(rowSeed),
    );
    return createCrystal({ lattice: s.lattice, fracCoords: s.frac, atomicNumbers: r.crystal.atomicNumbers });
  });
  const results = relaxMany(model, starts, {
    steps: options.steps,
    startLevel: level,
    batchSize: options.batchSize,
    eta: options.eta,
    noiseSeed: seed,
    moveLattice: options.moveLattice,
  });
  return rows.map((r, i) => ({ id: r.id, start: starts[i], crystal: results[i].crystal }));
}

/** Match rate, RMSE and the rest for a set of predicted/true pairs. */
export interface MatchReport {
  /**
   * DiffCSP's match rate: pairs where pymatgen-style `get_rms_dist` (@crys/eval `rmsDistance`, stol 0.5, ltol 0.3,
   * angle_tol 10) finds an RMS, counting only pairs whose prediction and ground truth are both valid
   * (structural + compositional, @crys/eval `crystalValidity`).
   */
  readonly matchRate: number;
  /** Mean normalised RMS displacement over those matched pairs, null if none match. */
  readonly rmse: number | null;
  readonly matched: number;
  readonly total: number;
  /** The same without the validity gate (every pair the matcher accepts). */
  readonly matchRateNoValidity: number;
  readonly rmseNoValidity: number | null;
}

/**
 * Matches predicted crystals against the truth with @crys/eval at the field's settings, with DiffCSP's
 * definitions (`reconstructionMetrics`, `requireValid: 'both'`), and without the validity gate.
 *
 * @example
 * matchReport(predicted, truth).matchRate;
 */
export function matchReport(predicted: readonly Crystal[], truth: readonly Crystal[]): MatchReport {
  const all = reconstructionMetrics(predicted, truth, { matcher: FIELD_MATCHER_OPTIONS, requireValid: 'none' });
  let matched = 0,
    rmsSum = 0,
    matchedAll = 0,
    rmsAll = 0;
  for (let i = 0; i < predicted.length; i++) {
    const r = all.rms[i];
    if (r === null) continue;
    matchedAll++;
    rmsAll += r;
    if (crystalValidity(predicted[i]).valid && crystalValidity(truth[i]).valid) {
      matched++;
      rmsSum += r;
    }
  }
  const n = Math.max(1, predicted.length);
  return {
    matchRate: matched / n,
    rmse: matched ? rmsSum / matched : null,
    matched,
    total: predicted.length,
    matchRateNoValidity: matchedAll / n,
    rmseNoValidity: matchedAll ? rmsAll / matchedAll : null,
  };
}

/**
 * Structural validity (the field's check): every interatomic distance, periodic images included, is above
 * `minDistance` (0.5 Å) and the cell volume is above 0.1 Å³.
 *
 * @example
 * structurallyValid(crystal); // true
 */
export function structurallyValid(crystal: Crystal, minDistance = 0.5): boolean {
  const l = crystal.lattice;
  const vol = Math.abs(
    l[0] * (l[4] * l[8] - l[5] * l[7]) - l[1] * (l[3] * l[8] - l[5] * l[6]) + l[2] * (l[3] * l[7] - l[4] * l[6]),
  );
  if (!(vol > 0.1)) return false;
  const n = crystal.atomicNumbers.length;
  const d = new Float64Array(3);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      for (let q = 0; q < 3; q++) d[q] = crystal.fracCoords[3 * j + q] - crystal.fracCoords[3 * i + q];
      if (i === j) {
        // shortest lattice vector
        const p = latticeParameters(l);
        if (Math.min(p.a, p.b, p.c) < minDistance) return false;
        continue;
      }
      minimumImage(d, d, l);
      if (Math.hypot(d[0], d[1], d[2]) < minDistance) return false;
    }
  }
  return true;
}

/** Mean absolute errors of lattice parameters (Å and degrees). */
export interface LatticeErrors {
  readonly lengthMae: number;
  readonly angleMae: number;
}

/**
 * Mean absolute error of a, b, c (Å) and α, β, γ (degrees) between predicted and true lattices.
 *
 * @example
 * latticeErrors(predicted, truth).lengthMae;
 */
export function latticeErrors(predicted: readonly Crystal[], truth: readonly Crystal[]): LatticeErrors {
  let len = 0,
    ang = 0;
  for (let i = 0; i < predicted.length; i++) {
    const p = latticeParameters(predicted[i].lattice),
      t = latticeParameters(truth[i].lattice);
    len += Math.abs(p.a - t.a) + Math.abs(p.b - t.b) + Math.abs(p.c - t.c);
    ang += Math.abs(p.alpha - t.alpha) + Math.abs(p.beta - t.beta) + Math.abs(p.gamma - t.gamma);
  }
  const n = Math.max(1, 3 * predicted.length);
  return { lengthMae: len / n, angleMae: ang / n };
}

/**
 * Root-mean-square minimum-image position error (Å) between two crystals with the same atom order,
 * measured in the true lattice from fractional coordinates, after removing the mean fractional shift.
 *
 * @example
 * positionError(relaxed, original);
 */
export function positionError(predicted: Crystal, truth: Crystal): number {
  const n = truth.atomicNumbers.length;
  const d = new Float64Array(3 * n);
  for (let i = 0; i < 3 * n; i++) {
    const x = predicted.fracCoords[i] - truth.fracCoords[i];
    d[i] = x - Math.round(x);
  }
  const mean = [0, 0, 0];
  for (let i = 0; i < 3 * n; i++) mean[i % 3] += d[i] / n;
  for (let i = 0; i < 3 * n; i++) d[i] -= mean[i % 3];
  minimumImage(d, d, truth.lattice);
  let s = 0;
  for (let i = 0; i < 3 * n; i++) s += d[i] * d[i];
  return Math.sqrt(s / n);
}

/**
 * The evaluation of a model's predictions on dataset rows, by task:
 * - always: `match` (before = the start, after = the prediction) and `validity` (structural);
 * - lattice and denoise: `lattice` MAE before/after and, for lattice recovery, the "predict the training
 *   mean" baseline when `trainMean` is given; denoise: `positionError` before/after (Å).
 *
 * @example
 * const report = evaluatePredictions(model, rows, predictRows(model, rows));
 */
export function evaluatePredictions(
  model: ActionModel,
  rows: readonly DatasetRow[],
  predictions: readonly RowPrediction[],
  trainMean?: { a: number; b: number; c: number; alpha: number; beta: number; gamma: number },
): Record<string, unknown> {
  const truth = rows.map((r) => r.crystal);
  const after = predictions.map((p) => p.crystal);
  const before = predictions.map((p) => p.start);
  const kind = model.config.task.kind;
  const out: Record<string, unknown> = { task: kind };
  out.match = {
    after: matchReport(after, truth),
    ...(kind === 'structure' ? {} : { before: matchReport(before, truth) }),
  };
  out.validity = after.filter((c) => structurallyValid(c)).length / Math.max(1, after.length);
  if (kind !== 'structure') {
    out.lattice = { before: latticeErrors(before, truth), after: latticeErrors(after, truth) };
  }
  if (kind === 'lattice' && trainMean) {
    let len = 0,
      ang = 0;
    for (const t of truth) {
      const p = latticeParameters(t.lattice);
      len += Math.abs(p.a - trainMean.a) + Math.abs(p.b - trainMean.b) + Math.abs(p.c - trainMean.c);
      ang +=
        Math.abs(p.alpha - trainMean.alpha) + Math.abs(p.beta - trainMean.beta) + Math.abs(p.gamma - trainMean.gamma);
    }
    out.meanBaseline = { lengthMae: len / (3 * truth.length), angleMae: ang / (3 * truth.length) };
  }
  if (kind === 'denoise') {
    const pe = (xs: Crystal[]): number =>
      xs.reduce((s, c, i) => s + positionError(c, truth[i]), 0) / Math.max(1, xs.length);
    out.positionError = { before: pe(before), after: pe(after) };
  }
  return out;
}
