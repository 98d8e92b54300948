import {
  crystalValidity,
  FIELD_MATCHER_OPTIONS,
  initSpaceGroup,
  reconstructionMetrics,
  rmsDistance,
  spaceGroup,
  structureValidity,
} from '@crys/eval';
import type { Crystal, LatticeParameters } from '@crys/lattice';
import {
  changeOfCell,
  CrysError,
  createCrystal,
  createRng,
  InvalidArgumentError,
  latticeParameters,
  minimumImage,
  niggliReduce,
} from '@crys/lattice';
import type { DatasetRow } from './data.js';
import { latticeStats } from './train.js';
import { fnv1a } from './data.js';
import { type ActionModel, speciesIndices } from './model.js';
import { priorStart, randomStart, relaxMany } from './sampler.js';
import { noiseCrystal, type TaskKind } from './tasks.js';

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
  /** Polishing steps at level 0 after the schedule (see `ActionOptions.refineSteps`; default: the model's). */
  readonly refineSteps?: number;
  /** Langevin corrector steps after each annealed step (see `ActionOptions.correctorSteps`; default 0). */
  readonly correctorSteps?: number;
  /** The corrector's step size (see `ActionOptions.correctorScale`; default 0.1). */
  readonly correctorScale?: number;
}

/** A prediction for one dataset row, with the input the model started from. */
export interface RowPrediction {
  readonly id: string;
  readonly start: Crystal;
  readonly crystal: Crystal;
  /** Why the run stopped early (see `ActionResult.stopped`); absent for a full run. */
  readonly stopped?: string;
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
    // each row's fresh noise from its own seed, so a row's prediction does not depend on the batch it is in
    noiseSeed: rows.map((r) => (seed ^ fnv1a(r.id) ^ 0x5bd1e995) >>> 0),
    moveLattice: options.moveLattice,
    refineSteps: options.refineSteps,
    correctorSteps: options.correctorSteps,
    correctorScale: options.correctorScale,
  });
  return rows.map((r, i) => {
    const stopped = results[i].stopped;
    return { id: r.id, start: starts[i], crystal: results[i].crystal, ...(stopped !== undefined ? { stopped } : {}) };
  });
}

/**
 * Normalised RMS below which a matched pair counts as a *tight* match (DiffCSP's Perov-5 RMSE is 0.076): the field's
 * lenient tolerances (stol 0.5) accept wrong arrangements that happen to fit, a tight match is also close.
 */
export const TIGHT_RMS = 0.1;

/** The moyo `symprec` (Å) at which predicted and true space groups are compared. */
export const SPACE_GROUP_SYMPREC = 0.1;

/** Options of {@link matchReport}. */
export interface MatchReportOptions {
  /** Normalised RMS below which a match is tight (default {@link TIGHT_RMS}, 0.1). */
  readonly tightRms?: number;
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
  /** Pairs matched (with the validity gate) at a normalised RMS < `tightRms`, over all pairs. */
  readonly tightMatchRate: number;
  readonly tightMatched: number;
  /** The same without the validity gate. */
  readonly tightMatchRateNoValidity: number;
  /** The threshold of the tight rates (normalised RMS). */
  readonly tightRms: number;
}

/**
 * Matches predicted crystals against the truth with @crys/eval at the field's settings, with DiffCSP's
 * definitions (`reconstructionMetrics`, `requireValid: 'both'`), and without the validity gate; beside the match
 * rate and RMSE, the rate of pairs matched at a normalised RMS below `tightRms` (0.1).
 *
 * @example
 * const { matchRate, rmse, tightMatchRate } = matchReport(predicted, truth);
 */
export function matchReport(
  predicted: readonly Crystal[],
  truth: readonly Crystal[],
  options: MatchReportOptions = {},
): MatchReport {
  const tightRms = options.tightRms ?? TIGHT_RMS;
  if (!(tightRms > 0) || !Number.isFinite(tightRms)) {
    throw new InvalidArgumentError('matchReport', 'options.tightRms', `must be positive and finite, got ${tightRms}`);
  }
  const all = reconstructionMetrics(predicted, truth, { matcher: FIELD_MATCHER_OPTIONS, requireValid: 'none' });
  let matched = 0,
    rmsSum = 0,
    tight = 0,
    matchedAll = 0,
    rmsAll = 0,
    tightAll = 0;
  for (let i = 0; i < predicted.length; i++) {
    const r = all.rms[i];
    if (r === null) continue;
    matchedAll++;
    rmsAll += r;
    if (r < tightRms) tightAll++;
    if (crystalValidity(predicted[i]).valid && crystalValidity(truth[i]).valid) {
      matched++;
      rmsSum += r;
      if (r < tightRms) tight++;
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
    tightMatchRate: tight / n,
    tightMatched: tight,
    tightMatchRateNoValidity: tightAll / n,
    tightRms,
  };
}

/**
 * Species-blind matching (pymatgen's `FrameworkComparator`): how many predictions have the truth's geometry when
 * every atom counts as the same species, i.e. the right structure up to which species sits on which site.
 */
export interface FrameworkReport {
  /** Pairs (both valid, as {@link MatchReport.matchRate}) matched species-blind at the field's tolerances, over all. */
  readonly matchRate: number;
  /** Pairs (both valid) matched species-blind at a normalised RMS < `tightRms`, over all pairs. */
  readonly tightMatchRate: number;
  readonly tightMatched: number;
  readonly total: number;
  readonly tightRms: number;
}

/**
 * Matches predictions against the truth with every atom given the same species ({@link FrameworkReport}). Beside
 * {@link matchReport} it separates a wrong geometry from a right geometry with species on each other's sites: on
 * Perov-5 nearly every composition is stored twice, with its A and B cations exchanged, both relaxed by DFT, so a
 * prediction of the other ordering is a right structure of a different material.
 *
 * @example
 * const { tightMatchRate } = frameworkReport(predicted, truth); // ≥ matchReport(predicted, truth).tightMatchRate
 */
export function frameworkReport(
  predicted: readonly Crystal[],
  truth: readonly Crystal[],
  options: MatchReportOptions = {},
): FrameworkReport {
  const tightRms = options.tightRms ?? TIGHT_RMS;
  if (!(tightRms > 0) || !Number.isFinite(tightRms)) {
    throw new InvalidArgumentError(
      'frameworkReport',
      'options.tightRms',
      `must be positive and finite, got ${tightRms}`,
    );
  }
  const blind = (c: Crystal): Crystal =>
    createCrystal({
      lattice: c.lattice,
      fracCoords: c.fracCoords,
      atomicNumbers: new Uint8Array(c.atomicNumbers.length).fill(6),
    });
  let matched = 0,
    tight = 0;
  for (let i = 0; i < predicted.length; i++) {
    if (!crystalValidity(predicted[i]).valid || !crystalValidity(truth[i]).valid) continue;
    const r = rmsDistance(blind(predicted[i]), blind(truth[i]), FIELD_MATCHER_OPTIONS)?.rms ?? null;
    if (r === null) continue;
    matched++;
    if (r < tightRms) tight++;
  }
  const n = Math.max(1, predicted.length);
  return { matchRate: matched / n, tightMatchRate: tight / n, tightMatched: tight, total: predicted.length, tightRms };
}

/** Options of {@link spaceGroupReport}. */
export interface SpaceGroupReportOptions {
  /** moyo's distance tolerance (Å), default {@link SPACE_GROUP_SYMPREC} (0.1). */
  readonly symprec?: number;
}

/** How many predictions have the space group of their ground truth. */
export interface SpaceGroupReport {
  /** `same / total`: predictions whose space-group number equals the truth's, over all pairs (no validity gate). */
  readonly rate: number;
  readonly same: number;
  readonly total: number;
  /** Predictions moyo could not analyse (singular or non-finite cell, coincident atoms…): counted as different. */
  readonly failed: number;
  /** Ground truths moyo could not analyse: their pairs count as different. */
  readonly truthFailed: number;
  readonly symprec: number;
}

/**
 * The space-group number of each crystal (@crys/eval `spaceGroup`: moyo after Niggli and primitive reduction), or
 * null when the crystal cannot be analysed. A moyo load failure is not a crystal's fault and is thrown.
 */
async function spaceGroupNumbers(crystals: readonly Crystal[], symprec: number): Promise<(number | null)[]> {
  await initSpaceGroup();
  const out: (number | null)[] = [];
  for (const c of crystals) {
    try {
      out.push((await spaceGroup(c, { symprec })).number);
    } catch (e) {
      // a degenerate prediction (NaN, singular cell, atoms on top of each other) has no space group to compare
      if (!CrysError.isInstance(e)) throw e;
      out.push(null);
    }
  }
  return out;
}

function compareSpaceGroups(
  predicted: readonly (number | null)[],
  truth: readonly (number | null)[],
  symprec: number,
): SpaceGroupReport {
  let same = 0,
    failed = 0,
    truthFailed = 0;
  for (let i = 0; i < predicted.length; i++) {
    if (predicted[i] === null) failed++;
    if (truth[i] === null) truthFailed++;
    if (predicted[i] !== null && predicted[i] === truth[i]) same++;
  }
  return { rate: same / Math.max(1, predicted.length), same, total: predicted.length, failed, truthFailed, symprec };
}

function checkPairs(fn: string, predicted: readonly Crystal[], truth: readonly Crystal[]): void {
  if (!Array.isArray(predicted) || !Array.isArray(truth) || predicted.length !== truth.length) {
    throw new InvalidArgumentError(
      fn,
      'predicted',
      `must be an array as long as truth (${truth?.length}), got ${predicted?.length}`,
    );
  }
}

function checkSymprec(fn: string, symprec: number): void {
  if (!(symprec > 0) || !Number.isFinite(symprec)) {
    throw new InvalidArgumentError(fn, 'options.symprec', `must be positive and finite, got ${symprec}`);
  }
}

/**
 * The rate of predictions whose space group (moyo through @crys/eval `spaceGroup`, symprec 0.1 Å) equals the
 * truth's. A crystal moyo cannot analyse counts as a different space group and is counted in `failed`.
 *
 * @example
 * const { rate, failed } = await spaceGroupReport(predicted, truth);
 */
export async function spaceGroupReport(
  predicted: readonly Crystal[],
  truth: readonly Crystal[],
  options: SpaceGroupReportOptions = {},
): Promise<SpaceGroupReport> {
  const fn = 'spaceGroupReport';
  checkPairs(fn, predicted, truth);
  const symprec = options.symprec ?? SPACE_GROUP_SYMPREC;
  checkSymprec(fn, symprec);
  const p = await spaceGroupNumbers(predicted, symprec);
  return compareSpaceGroups(p, await spaceGroupNumbers(truth, symprec), symprec);
}

/**
 * Structural validity (the field's check): every interatomic distance is above `minDistance` (0.5 Å) and the cell
 * volume at least 0.1 Å³.
 *
 * @deprecated Use @crys/eval's `structureValidity(crystal, { cutoff }).valid`, which this now calls: one
 * definition, CDVAE's. The former copy here also rejected a cell with a, b or c under `minDistance` (an atom near
 * its own image) and a volume of exactly 0.1 Å³, and accepted non-finite coordinates; CDVAE's rule does neither.
 * @example
 * structurallyValid(crystal); // true
 */
export function structurallyValid(crystal: Crystal, minDistance = 0.5): boolean {
  return structureValidity(crystal, { cutoff: minDistance }).valid;
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
export function latticeErrors(
  predicted: readonly Crystal[],
  truth: readonly Crystal[],
  options: { readonly niggli?: boolean } = {},
): LatticeErrors {
  const cell = (l: ArrayLike<number>) => latticeParameters(options.niggli ? niggliReduce(l).lattice : l);
  let len = 0,
    ang = 0;
  for (let i = 0; i < predicted.length; i++) {
    const p = cell(predicted[i].lattice),
      t = cell(truth[i].lattice);
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
 * The lattice-recovery baselines of {@link evaluatePredictions} for a training set: the mean a, b, c, α, β, γ of its
 * crystals as stored (`trainMean`) and in their Niggli-reduced cells (`trainMeanNiggli`).
 *
 * @example
 * const report = await evaluatePredictions(model, rows, predictions, trainingMeans(train));
 */
export function trainingMeans(train: readonly Crystal[]): {
  trainMean: LatticeParameters;
  trainMeanNiggli: LatticeParameters;
} {
  const asParameters = (m: readonly number[]): LatticeParameters => ({
    a: m[0],
    b: m[1],
    c: m[2],
    alpha: m[3],
    beta: m[4],
    gamma: m[5],
  });
  return {
    trainMean: asParameters(latticeStats(train).mean),
    trainMeanNiggli: asParameters(
      latticeStats(train.map((c) => changeOfCell(c, niggliReduce(c.lattice).transform))).mean,
    ),
  };
}

/** Options of {@link evaluatePredictions}. */
export interface EvaluateOptions {
  /** Lattice recovery: the training split's mean a, b, c (Å), α, β, γ (°); adds the "predict the mean" baseline. */
  readonly trainMean?: LatticeParameters;
  /** Lattice recovery: the same mean over the training crystals' Niggli-reduced cells; adds `meanBaselineNiggli`. */
  readonly trainMeanNiggli?: LatticeParameters;
  /** Threshold of the tight match rates (normalised RMS, default {@link TIGHT_RMS}, 0.1). */
  readonly tightRms?: number;
  /** moyo tolerance of the space-group comparison (Å, default {@link SPACE_GROUP_SYMPREC}, 0.1). */
  readonly symprec?: number;
}

/** What {@link evaluatePredictions} returns (the shape of the recorded `models/<name>/eval.json`). */
export interface EvaluationReport {
  readonly task: TaskKind;
  /** `after`: the predictions; `before` (denoising, lattice recovery): the model's inputs, scored the same way. */
  readonly match: { readonly after: MatchReport; readonly before?: MatchReport };
  /** Fraction of predictions that are structurally valid (@crys/eval `structureValidity`). */
  readonly validity: number;
  /** Denoising, lattice recovery: lattice-parameter MAE of the inputs and of the predictions. */
  readonly lattice?: { readonly before: LatticeErrors; readonly after: LatticeErrors };
  /** Lattice recovery with `trainMean`: the MAE of predicting the training mean for every crystal. */
  readonly meanBaseline?: LatticeErrors;
  /**
   * Lattice recovery: `lattice` compared in the Niggli-reduced cells of prediction and truth (the same lattice in any
   * cell gives the same figures), and, with `trainMeanNiggli`, the mean baseline in that setting.
   */
  readonly latticeNiggli?: { readonly before: LatticeErrors; readonly after: LatticeErrors };
  readonly meanBaselineNiggli?: LatticeErrors;
  /** Denoising: mean {@link positionError} (Å) of the inputs and of the predictions. */
  readonly positionError?: { readonly before: number; readonly after: number };
  /** Same space group as the truth, for the predictions (`after`) and the inputs (`before`, as `match`). */
  readonly spaceGroup: { readonly after: SpaceGroupReport; readonly before?: SpaceGroupReport };
  /**
   * Structure prediction: the random-start control. The starts the model ran from (uniform fractional
   * coordinates in the prior's cubic cell, or a draw around it for a model with a sampled start;
   * `RowPrediction.start`) scored as if they were the predictions: what the metrics give with no model at all.
   */
  readonly control?: { readonly match: MatchReport; readonly spaceGroup: SpaceGroupReport };
  /**
   * Structure prediction: {@link frameworkReport} of the predictions, the right geometry whatever species sits on
   * which site (a diagnostic of `match`, not a replacement: the task is to place each species too).
   */
  readonly framework?: FrameworkReport;
}

/**
 * The evaluation of a model's predictions on dataset rows, by task:
 * - always: `match` (match rate, RMSE and the tight match rate at RMS < 0.1, with and without the validity gate),
 *   `spaceGroup` (the rate of predictions with the truth's space group, moyo at symprec 0.1) and `validity`
 *   (structural);
 * - structure prediction: `control`, the same metrics for the random starts (the model's inputs);
 * - denoising and lattice recovery: `match.before` and `spaceGroup.before` for the inputs, `lattice` MAE
 *   before/after and, for lattice recovery, the "predict the training mean" baseline when `trainMean` is given;
 *   denoising: `positionError` before/after (Å).
 *
 * It is async because the space groups come from moyo's WebAssembly module.
 *
 * @example
 * const report = await evaluatePredictions(model, rows, predictRows(model, rows));
 * console.log(report.match.after.tightMatchRate, report.spaceGroup.after.rate, report.control?.match.matchRate);
 */
export async function evaluatePredictions(
  model: ActionModel,
  rows: readonly DatasetRow[],
  predictions: readonly RowPrediction[],
  options: EvaluateOptions = {},
): Promise<EvaluationReport> {
  const fn = 'evaluatePredictions';
  if (!Array.isArray(predictions) || !Array.isArray(rows) || predictions.length !== rows.length) {
    throw new InvalidArgumentError(
      fn,
      'predictions',
      `must be an array as long as rows (${rows?.length}), got ${predictions?.length}`,
    );
  }
  const symprec = options.symprec ?? SPACE_GROUP_SYMPREC;
  checkSymprec(fn, symprec);
  const matchOptions = { tightRms: options.tightRms };
  const truth = rows.map((r) => r.crystal);
  const after = predictions.map((p) => p.crystal);
  const before = predictions.map((p) => p.start);
  const kind = model.config.task.kind;
  const groups = {
    truth: await spaceGroupNumbers(truth, symprec),
    after: await spaceGroupNumbers(after, symprec),
    before: await spaceGroupNumbers(before, symprec),
  };
  const matchBefore = matchReport(before, truth, matchOptions);
  const sgBefore = compareSpaceGroups(groups.before, groups.truth, symprec);
  const baseline = (mean: LatticeParameters, niggli: boolean): LatticeErrors => {
    let len = 0,
      ang = 0;
    for (const t of truth) {
      const p = latticeParameters(niggli ? niggliReduce(t.lattice).lattice : t.lattice);
      len += Math.abs(p.a - mean.a) + Math.abs(p.b - mean.b) + Math.abs(p.c - mean.c);
      ang += Math.abs(p.alpha - mean.alpha) + Math.abs(p.beta - mean.beta) + Math.abs(p.gamma - mean.gamma);
    }
    return { lengthMae: len / (3 * truth.length), angleMae: ang / (3 * truth.length) };
  };
  const meanBaseline = kind === 'lattice' && options.trainMean ? baseline(options.trainMean, false) : undefined;
  const meanBaselineNiggli =
    kind === 'lattice' && options.trainMeanNiggli ? baseline(options.trainMeanNiggli, true) : undefined;
  const pe = (xs: Crystal[]): number =>
    xs.reduce((s, c, i) => s + positionError(c, truth[i]), 0) / Math.max(1, xs.length);
  // Keys in the order of the first recorded eval.json files; the space-group and control figures came later.
  return {
    task: kind,
    match: {
      after: matchReport(after, truth, matchOptions),
      ...(kind === 'structure' ? {} : { before: matchBefore }),
    },
    validity: after.filter((c) => structureValidity(c).valid).length / Math.max(1, after.length),
    ...(kind === 'structure'
      ? {}
      : { lattice: { before: latticeErrors(before, truth), after: latticeErrors(after, truth) } }),
    ...(meanBaseline ? { meanBaseline } : {}),
    ...(kind === 'denoise' ? { positionError: { before: pe(before), after: pe(after) } } : {}),
    spaceGroup: {
      after: compareSpaceGroups(groups.after, groups.truth, symprec),
      ...(kind === 'structure' ? {} : { before: sgBefore }),
    },
    ...(kind === 'structure' ? { control: { match: matchBefore, spaceGroup: sgBefore } } : {}),
    ...(kind === 'lattice'
      ? {
          latticeNiggli: {
            before: latticeErrors(before, truth, { niggli: true }),
            after: latticeErrors(after, truth, { niggli: true }),
          },
        }
      : {}),
    ...(meanBaselineNiggli ? { meanBaselineNiggli } : {}),
    ...(kind === 'structure' ? { framework: frameworkReport(after, truth, matchOptions) } : {}),
  };
}
