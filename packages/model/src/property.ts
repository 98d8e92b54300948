// Property models: the action network trained to predict a scalar of a clean crystal (a dataset column such as
// Perov-5's heat of formation), and the selection of structure predictions by it.
import type { Crystal } from '@crys/lattice';
import { describeValue, InvalidArgumentError } from '@crys/lattice';
import { modelGraph, type NetworkState } from './batch.js';
import type { DatasetRow } from './data.js';
import { type ActionModel, modelGraphSpec, type PropertyStats, speciesIndices } from './model.js';

/** The spread below which a property column counts as constant (its standardisation then divides by this). */
const MIN_PROPERTY_STD = 1e-6;

/** Crystals per forward pass of {@link predictProperty}. */
const PROPERTY_BATCH = 64;

/**
 * Mean and standard deviation of a property over training crystals (the spread floored at 1e-6), recorded in a
 * property model's `config.property`.
 *
 * @example
 * propertyStats('heat_ref', [0.5, 1.5]); // { name: 'heat_ref', mean: 1, std: 0.5 }
 */
export function propertyStats(name: string, values: readonly number[]): PropertyStats {
  const fn = 'propertyStats';
  if (values.length === 0) throw new InvalidArgumentError(fn, 'values', 'must not be empty', values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new InvalidArgumentError(fn, `values[${i}]`, `must be a finite number, got ${describeValue(values[i])}`);
    }
    sum += values[i];
  }
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return { name, mean, std: Math.max(MIN_PROPERTY_STD, Math.sqrt(sq / values.length)) };
}

/**
 * The property a model predicts from one forward pass's lattice output (9 per crystal): the trace of the
 * symmetric lattice action, Σ_e w¹_e |û_e|² over the crystal's edges (envelope-weighted on a cutoff graph), i.e. the
 * crystal's average of an invariant per-edge scalar, in standardised units. Invariant under rotations, reflections,
 * translations, permutations and changes of cell, as the actions are equivariant.
 */
function standardisedProperty(lattice: ArrayLike<number>, b: number): number {
  return lattice[9 * b] + lattice[9 * b + 4] + lattice[9 * b + 8];
}

/** Throws unless `model` is a property model. */
function assertPropertyModel(model: ActionModel, fn: string): PropertyStats {
  const stats = model.config.property;
  if (model.config.task.kind !== 'property' || stats === undefined) {
    throw new InvalidArgumentError(
      fn,
      'model',
      `must be a property model (trained with task 'property'), got a ${model.config.task.kind} model '${model.config.name}'`,
      model.config.name,
    );
  }
  return stats;
}

/**
 * The property a property model predicts for each crystal, in the units of the column it was trained on (e.g.
 * eV/atom for Perov-5's `heat_ref`). The network sees the crystal at level 0, as in training.
 *
 * @example
 * const energy = loadShippedModel('perov_5-energy');
 * predictProperty(energy, [crystal])[0]; // heat of formation, eV/atom
 */
export function predictProperty(model: ActionModel, crystals: readonly Crystal[]): Float64Array {
  const fn = 'predictProperty';
  const stats = assertPropertyModel(model, fn);
  for (const c of crystals) speciesIndices(model, c.atomicNumbers, fn);
  const out = new Float64Array(crystals.length);
  const spec = modelGraphSpec(model.config);
  for (let start = 0; start < crystals.length; start += PROPERTY_BATCH) {
    const chunk = crystals.slice(start, start + PROPERTY_BATCH);
    const states: NetworkState[] = chunk.map((c) => ({
      lattice: c.lattice,
      frac: c.fracCoords,
      atomicNumbers: c.atomicNumbers,
      level: 0,
    }));
    const graphs = chunk.map((c) => modelGraph(c.lattice, c.fracCoords, spec));
    const { lattice } = model.network.actions(states, graphs);
    for (let b = 0; b < chunk.length; b++) out[start + b] = standardisedProperty(lattice, b) * stats.std + stats.mean;
  }
  return out;
}

/** The index of the lowest of `count` values from `offset`, the first on a tie. */
export function lowestIndex(values: ArrayLike<number>, offset = 0, count = values.length - offset): number {
  let index = 0;
  for (let i = 1; i < count; i++) if (values[offset + i] < values[offset + index]) index = i;
  return index;
}

/** A dataset cell as a number: numbers as they are, numeric text parsed, anything else NaN. */
export function cellNumber(v: string | number | undefined): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
}

/** The candidate {@link lowestProperty} keeps, and the predicted property of each. */
export interface PropertySelection {
  readonly index: number;
  readonly values: Float64Array;
}

/**
 * Of several predictions of one composition, the one whose predicted property is lowest (for a formation energy,
 * the most stable); the first on a tie. The truth is not used, but choosing among k samples is not one sample:
 * report it apart from the plain model.
 *
 * @example
 * const { index } = lowestProperty(energyModel, [sample0, sample1, sample2]);
 */
export function lowestProperty(model: ActionModel, candidates: readonly Crystal[]): PropertySelection {
  const fn = 'lowestProperty';
  if (candidates.length === 0) throw new InvalidArgumentError(fn, 'candidates', 'must not be empty', candidates);
  const values = predictProperty(model, candidates);
  return { index: lowestIndex(values), values };
}

/** The standardised training target of a crystal's property (used by training). */
export function standardiseProperty(stats: PropertyStats, value: number): number {
  return (value - stats.mean) / stats.std;
}

/** How well a property model predicts its column on dataset rows ({@link propertyReport}). */
export interface PropertyReport {
  /** The column. */
  readonly property: string;
  readonly rows: number;
  /** Mean absolute and root-mean-square error, in the column's units. */
  readonly mae: number;
  readonly rmse: number;
  /** The same errors of predicting the model's training mean for every row. */
  readonly baseline: { readonly mae: number; readonly rmse: number };
}

/**
 * Scores a property model on dataset rows against their values of its column (`config.property.name`; throws
 * InvalidArgumentError naming a row without a finite value), beside the "predict the training mean" baseline.
 *
 * @example
 * propertyReport(loadShippedModel('perov_5-energy'), holdoutRows).mae; // eV/atom
 */
export function propertyReport(model: ActionModel, rows: readonly DatasetRow[]): PropertyReport {
  const fn = 'propertyReport';
  const stats = assertPropertyModel(model, fn);
  if (rows.length === 0) throw new InvalidArgumentError(fn, 'rows', 'must not be empty', rows);
  const truth = rows.map((r) => {
    const v = r.properties[stats.name];
    const value = cellNumber(v);
    if (!Number.isFinite(value)) {
      throw new InvalidArgumentError(
        fn,
        'rows',
        `row ${r.id} has no finite value of ${stats.name}, which model '${model.config.name}' predicts (got ${JSON.stringify(v)})`,
        r.id,
      );
    }
    return value;
  });
  const predicted = predictProperty(
    model,
    rows.map((r) => r.crystal),
  );
  const errors = (guess: (i: number) => number) => {
    let abs = 0,
      sq = 0;
    truth.forEach((t, i) => {
      const d = guess(i) - t;
      abs += Math.abs(d);
      sq += d * d;
    });
    return { mae: abs / truth.length, rmse: Math.sqrt(sq / truth.length) };
  };
  return {
    property: stats.name,
    rows: rows.length,
    ...errors((i) => predicted[i]),
    baseline: errors(() => stats.mean),
  };
}
