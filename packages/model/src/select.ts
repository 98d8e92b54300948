import { spaceGroup } from '@crys/eval';
import type { Crystal } from '@crys/lattice';
import { InvalidArgumentError } from '@crys/lattice';
import { assertPositiveInteger } from '@crys/lattice/internal';
import type { DatasetRow } from './data.js';
import { type PredictRowsOptions, predictRows, type RowPrediction, SPACE_GROUP_SYMPREC } from './evaluate.js';
import type { ActionModel } from './model.js';
import { lowestIndex, predictProperty } from './property.js';

/** Options of {@link mostSymmetric}. */
export interface MostSymmetricOptions {
  /** moyo's distance tolerance (Å), default {@link SPACE_GROUP_SYMPREC} (0.1). */
  readonly symprec?: number;
}

/** The candidate {@link mostSymmetric} keeps, and why. */
export interface SymmetrySelection {
  /** Index of the kept candidate. */
  readonly index: number;
  /** Symmetry operations of each candidate modulo the lattice translations of its own cell: the operations of its
   * primitive cell times the translations the symmetry adds (0 where moyo could not analyse it). */
  readonly operations: readonly number[];
}

/**
 * Of several predictions of one composition, the one with the most symmetry operations in its cell (moyo at
 * `symprec`: the operations of the primitive cell, times the cell's atoms over the primitive cell's, so that the
 * translations of a smaller primitive cell count too); the first on a tie. The truth is not used: this is a selection a user can run, but choosing among k samples is not
 * one sample, so report it apart from the plain model. A candidate moyo cannot analyse counts 0.
 *
 * @example
 * const { index } = await mostSymmetric([sample0, sample1, sample2]);
 */
export async function mostSymmetric(
  candidates: readonly Crystal[],
  options: MostSymmetricOptions = {},
): Promise<SymmetrySelection> {
  const fn = 'mostSymmetric';
  if (candidates.length === 0) throw new InvalidArgumentError(fn, 'candidates', 'must not be empty', candidates);
  const symprec = options.symprec ?? SPACE_GROUP_SYMPREC;
  if (!(symprec > 0) || !Number.isFinite(symprec)) {
    throw new InvalidArgumentError(fn, 'options.symprec', `must be positive and finite, got ${symprec}`, symprec);
  }
  const operations: number[] = [];
  let index = 0;
  for (let i = 0; i < candidates.length; i++) {
    let ops = 0;
    try {
      const sg = await spaceGroup(candidates[i], { symprec });
      ops = (sg.numOperations * candidates[i].atomicNumbers.length) / sg.primitiveAtoms;
    } catch {
      ops = 0; // e.g. coincident atoms: moyo finds no symmetry to count
    }
    operations.push(ops);
    if (ops > operations[index]) index = i;
  }
  return { index, operations };
}

/** Options of the selections among samples: {@link predictRows}'s, and how many samples per row. */
export interface PredictRowsSelectedOptions extends PredictRowsOptions {
  /** Samples per row, seeds `seed`, `seed + 1`, … (default 4). */
  readonly candidates?: number;
}

/** Options of {@link predictRowsMostSymmetric}. */
export interface PredictRowsMostSymmetricOptions extends PredictRowsSelectedOptions {
  /** moyo's tolerance of the selection (Å), default 0.1. */
  readonly symprec?: number;
}

/** A {@link RowPrediction} kept by {@link predictRowsMostSymmetric}. */
export interface SelectedRowPrediction extends RowPrediction {
  /** Which sample was kept: its seed is `seed + candidate`. */
  readonly candidate: number;
  /** Which of the starts the same rule keeps (the control's start). */
  readonly startCandidate: number;
}

/**
 * Structure prediction by selection: {@link predictRows} with `candidates` seeds, then for each row the most
 * symmetric sample ({@link mostSymmetric}). The starts go through the same rule, so the random-start control is
 * selected as the predictions are. k samples per composition, the truth unused: report it apart from the
 * one-sample model (`crys eval --candidates k`).
 *
 * @example
 * const predictions = await predictRowsMostSymmetric(model, holdoutRows, { seed: 0, candidates: 4 });
 */
export async function predictRowsMostSymmetric(
  model: ActionModel,
  rows: readonly DatasetRow[],
  options: PredictRowsMostSymmetricOptions = {},
): Promise<SelectedRowPrediction[]> {
  return predictRowsSelected('predictRowsMostSymmetric', model, rows, options, async (candidates) => {
    const out: number[] = [];
    for (const c of candidates) out.push((await mostSymmetric(c, options)).index);
    return out;
  });
}

/**
 * Structure prediction by a learned property: {@link predictRows} with `candidates` seeds, then for each row the
 * sample that `propertyModel` (a property model, e.g. a formation energy's) predicts lowest ({@link lowestProperty}):
 * of the samples, the one the energy model finds most stable. The starts go through the same rule, so the
 * random-start control is selected as the predictions are. k samples per composition, the truth unused: report it
 * apart from the one-sample model (`crys eval --candidates k --rank-by MODEL`).
 *
 * @example
 * const energy = loadShippedModel('perov_5-energy');
 * const predictions = await predictRowsLowestProperty(model, energy, holdoutRows, { seed: 0, candidates: 4 });
 */
export async function predictRowsLowestProperty(
  model: ActionModel,
  propertyModel: ActionModel,
  rows: readonly DatasetRow[],
  options: PredictRowsSelectedOptions = {},
): Promise<SelectedRowPrediction[]> {
  const fn = 'predictRowsLowestProperty';
  if (propertyModel.config.task.kind !== 'property') {
    throw new InvalidArgumentError(
      fn,
      'propertyModel',
      `must be a property model, got '${propertyModel.config.name}' of task '${propertyModel.config.task.kind}'`,
      propertyModel.config.name,
    );
  }
  return predictRowsSelected(fn, model, rows, options, async (candidates) => {
    // one batched pass over every row's samples
    const values = predictProperty(propertyModel, candidates.flat());
    let o = 0;
    return candidates.map((c) => {
      const index = lowestIndex(values, o, c.length);
      o += c.length;
      return index;
    });
  });
}

/** `candidates` samples of every row, and the one `pick` chooses of each row's samples (and of its starts). */
async function predictRowsSelected(
  fn: string,
  model: ActionModel,
  rows: readonly DatasetRow[],
  options: PredictRowsSelectedOptions,
  pick: (candidates: Crystal[][]) => Promise<number[]>,
): Promise<SelectedRowPrediction[]> {
  const k = options.candidates ?? 4;
  assertPositiveInteger(fn, 'options.candidates', k);
  if (model.config.task.kind !== 'structure') {
    throw new InvalidArgumentError(
      fn,
      'model',
      `selects among structure predictions; this is a ${model.config.task.kind} model`,
      model.config.task.kind,
    );
  }
  const seed = options.seed ?? 0;
  const runs: RowPrediction[][] = [];
  for (let c = 0; c < k; c++) runs.push(predictRows(model, rows, { ...options, seed: (seed + c) >>> 0 }));
  const kept = await pick(rows.map((_, i) => runs.map((r) => r[i].crystal)));
  const starts = await pick(rows.map((_, i) => runs.map((r) => r[i].start)));
  return rows.map((_, i) => ({
    ...runs[kept[i]][i],
    start: runs[starts[i]][i].start,
    candidate: kept[i],
    startCandidate: starts[i],
  }));
}
