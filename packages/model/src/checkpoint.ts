import type { Rng } from '@crys/lattice';
import { Adam } from './adam.js';
import { ModelFormatError } from './errors.js';
import type { EpochCursor } from './minibatch.js';
import { plainRng } from './minibatch.js';
import {
  type ActionModel,
  disposeModel,
  loadModel,
  type ModelJson,
  modelToJson,
  type SerializedWeight,
} from './model.js';
import type { TrainConfig } from './train-config.js';
import { WeightAverage } from './weight-average.js';

/** Sums of the training metrics since the last `train` record, and how many steps they hold. */
export interface LogSums {
  loss: number;
  atom: number;
  lattice: number;
  norm: number;
  n: number;
}

/**
 * A resumable training state: the model, Adam's moments, the step, the generator state and the epoch order.
 *
 * @example
 * const text = JSON.stringify(checkpoint); // written atomically by @crys/model/node
 */
export interface Checkpoint {
  readonly format: 'crys-action-checkpoint';
  readonly version: 1;
  readonly config: TrainConfig;
  readonly model: ModelJson;
  readonly adamM: readonly SerializedWeight[];
  readonly adamV: readonly SerializedWeight[];
  readonly step: number;
  readonly rngState: readonly [number, number, number, number];
  readonly order: readonly number[];
  readonly position: number;
  readonly epoch: number;
  readonly bestLoss: number;
  readonly bestStep: number;
  readonly best: ModelJson | null;
  readonly elapsedSec: number;
  /** Optimizer updates applied so far (steps minus skipped batches): Adam's bias-correction counter. */
  readonly applied: number;
  /** The moving average of the weights (absent in checkpoints written before averaging existed). */
  readonly ema?: readonly SerializedWeight[];
  /**
   * The sums behind the next `train` record (steps since the last one), so that a resumed run logs what the
   * uninterrupted run logs (absent in older checkpoints: the first record after such a resume averages fewer steps).
   */
  readonly logSums?: LogSums;
}

/** Everything a run carries from step to step (what a {@link Checkpoint} stores, live). */
export interface TrainState extends EpochCursor {
  readonly model: ActionModel;
  readonly rng: Rng;
  readonly adam: Adam;
  readonly average: WeightAverage;
  readonly logSums: LogSums;
  step: number;
  bestLoss: number;
  bestStep: number;
  best: ModelJson | null;
  /** Seconds spent by the runs before this one (0 for a fresh run). */
  readonly elapsedBefore: number;
}

/** Empty metric sums. */
export function emptyLogSums(): LogSums {
  return { loss: 0, atom: 0, lattice: 0, norm: 0, n: 0 };
}

/**
 * The checkpoint of a run's state after `elapsedSec` seconds in all (the JSON's field order is part of the format).
 *
 * @example
 * hooks.onCheckpoint?.(snapshotCheckpoint(config, state, elapsed()));
 */
export function snapshotCheckpoint(config: TrainConfig, state: TrainState, elapsedSec: number): Checkpoint {
  const { adamM, adamV } = state.adam.serialize();
  return {
    format: 'crys-action-checkpoint',
    version: 1,
    config,
    model: modelToJson(state.model),
    adamM,
    adamV,
    step: state.step,
    rngState: state.rng.state(),
    order: state.order,
    position: state.position,
    epoch: state.epoch,
    bestLoss: state.bestLoss,
    bestStep: state.bestStep,
    best: state.best,
    elapsedSec,
    applied: state.adam.applied,
    ema: state.average.serialize(),
    logSums: { ...state.logSums },
  };
}

/**
 * The live state of a checkpoint (a ModelFormatError for another format or version, or missing Adam moments): the
 * model, the generator, Adam, the moving average (with decay `emaDecay`; from the current weights when the
 * checkpoint predates averaging) and the metric sums (empty when it predates them). A `bestLoss` of null (JSON's
 * Infinity) is Infinity.
 *
 * @example
 * const state = restoreCheckpoint(JSON.parse(text), 0.999);
 */
export function restoreCheckpoint(resume: Checkpoint, emaDecay: number): TrainState {
  if (resume.format !== 'crys-action-checkpoint' || resume.version !== 1) {
    throw new ModelFormatError(
      'train',
      `resume must be a crys-action-checkpoint version 1, got ${resume.format} ${resume.version}`,
    );
  }
  const model = loadModel(resume.model);
  let adam: Adam;
  try {
    adam = Adam.restore(model.weights, resume.adamM, resume.adamV, resume.applied);
  } catch (e) {
    disposeModel(model);
    throw e;
  }
  return {
    model,
    rng: plainRng(resume.rngState),
    adam,
    average: WeightAverage.restore(model.weights, emaDecay, resume.ema),
    logSums: resume.logSums ? { ...resume.logSums } : emptyLogSums(),
    step: resume.step,
    epoch: resume.epoch,
    position: resume.position,
    order: [...resume.order],
    bestLoss: resume.bestLoss ?? Number.POSITIVE_INFINITY,
    bestStep: resume.bestStep,
    best: resume.best,
    elapsedBefore: resume.elapsedSec,
  };
}
