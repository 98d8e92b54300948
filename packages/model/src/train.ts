import * as tf from '@tensorflow/tfjs';
import type { Crystal } from '@crys/lattice';
import { changeOfCell, InvalidArgumentError, niggliReduce } from '@crys/lattice';
import { Adam, clipFactor, globalNorm, skipReason } from './adam.js';
import { elementDescriptors } from './descriptors.js';
import { disposeInputs } from './batch.js';
import { type Checkpoint, emptyLogSums, restoreCheckpoint, snapshotCheckpoint, type TrainState } from './checkpoint.js';
import { scheduledLearningRate } from './lr-schedule.js';
import { nextIndex, plainRng, shuffled } from './minibatch.js';
import {
  type ActionModel,
  createModel,
  defaultModelConfig,
  type ModelConfig,
  type ModelJson,
  modelToJson,
  speciesIndices,
} from './model.js';
import { propertyStats, standardiseProperty } from './property.js';
import { fitVolumePrior, noiseCrystal, type TrainingSample } from './tasks.js';
import { type ResolvedTrainConfig, resolveTrainConfig, type TrainConfig } from './train-config.js';
import { batchLoss, latticeStats, validationLoss } from './train-loss.js';
import { WeightAverage } from './weight-average.js';

export type { Checkpoint } from './checkpoint.js';
export { learningRateAt } from './lr-schedule.js';
export { DEFAULT_TRAIN_CONFIG, type TrainConfig } from './train-config.js';
export { LATTICE_STD_FLOOR, latticeParameterTensor, latticeStats, validationLoss } from './train-loss.js';

/**
 * One line of the metrics stream (JSON lines). `type` tells the shape:
 * - `start`: `{ type, step, config, parameters, train, valid }` (resumed runs start at their step);
 * - `train`: `{ type, step, epoch, loss, atomLoss, latticeLoss, gradNorm, lr, elapsedSec }` averaged over
 *   the last `logEvery` steps;
 * - `skipped`: `{ type, step, reason, loss, gradNorm }` a batch that was not applied (NaN or exploding);
 * - `valid`: `{ type, step, loss, atomLoss, latticeLoss, best, elapsedSec }`;
 * - `done`: `{ type, step, elapsedSec, bestStep, bestLoss, reason }`.
 *
 * @example
 * onMetrics: (r) => { if (r.type === 'valid') console.log(r.step, r.loss); }
 */
export type MetricsRecord =
  | { type: 'start'; step: number; config: TrainConfig; parameters: number; train: number; valid: number }
  | {
      type: 'train';
      step: number;
      epoch: number;
      loss: number;
      atomLoss: number;
      latticeLoss: number;
      gradNorm: number;
      lr: number;
      elapsedSec: number;
    }
  | { type: 'skipped'; step: number; reason: 'non-finite' | 'exploding'; loss: number; gradNorm: number }
  | {
      type: 'valid';
      step: number;
      loss: number;
      atomLoss: number;
      latticeLoss: number;
      best: boolean;
      elapsedSec: number;
    }
  | {
      type: 'done';
      step: number;
      elapsedSec: number;
      bestStep: number;
      bestLoss: number;
      reason: 'steps' | 'time' | 'stopped';
    };

/**
 * Callbacks of {@link train}. All optional; a browser passes `onMetrics` only.
 *
 * @example
 * const hooks: TrainHooks = { onMetrics: (r) => lines.push(JSON.stringify(r)) };
 */
export interface TrainHooks {
  /** Receives every metrics record. */
  onMetrics?(record: MetricsRecord): void;
  /** Receives the `latest` checkpoint every `checkpointEvery` steps and at the end. */
  onCheckpoint?(checkpoint: Checkpoint): void;
  /** Receives the best model (by validation loss) whenever it improves. */
  onBest?(model: ModelJson): void;
  /** Return true to stop after the current step (a final checkpoint is still written). */
  shouldStop?(step: number): boolean;
  /** Fault injection and inspection: sees (and may alter) each batch before its step. */
  beforeStep?(step: number, samples: TrainingSample[]): void;
}

/** Outcome of {@link train}. */
export interface TrainResult {
  /** The final model. */
  readonly model: ActionModel;
  /** The best model by validation loss (JSON), or the final one if validation never ran. */
  readonly best: ModelJson;
  readonly bestLoss: number;
  readonly bestStep: number;
  readonly steps: number;
  readonly skipped: number;
  readonly elapsedSec: number;
  /** The state at the end, to resume from. */
  readonly checkpoint: Checkpoint;
}

/** A crystal in its Niggli-reduced cell. */
function niggliCell(crystal: Crystal): Crystal {
  return changeOfCell(crystal, niggliReduce(crystal.lattice).transform);
}

/**
 * The crystals of a run, and for the property task the property of each (same order as `train` and `valid`).
 *
 * @example
 * const data: TrainData = { train, valid, targets: { train: trainEnergies, valid: validEnergies } };
 */
export interface TrainData {
  readonly train: readonly Crystal[];
  readonly valid: readonly Crystal[];
  readonly targets?: { readonly train: readonly number[]; readonly valid: readonly number[] };
}

/** The property task's targets, checked: one finite number per crystal of each part (InvalidArgumentError). */
function checkTargets(c: ResolvedTrainConfig, data: TrainData): void {
  if (c.task !== 'property') {
    if (data.targets !== undefined) {
      throw new InvalidArgumentError('train', 'data.targets', `apply to the property task only, not ${c.task}`);
    }
    return;
  }
  if (data.targets === undefined) {
    throw new InvalidArgumentError('train', 'data.targets', `must give the ${c.property} of every crystal`);
  }
  for (const part of ['train', 'valid'] as const) {
    const t = data.targets[part];
    if (t.length !== data[part].length) {
      throw new InvalidArgumentError(
        'train',
        `data.targets.${part}`,
        `must hold one value per ${part} crystal (${data[part].length}), got ${t.length}`,
      );
    }
    const bad = t.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new InvalidArgumentError('train', `data.targets.${part}[${bad}]`, `must be a finite number, got ${t[bad]}`);
    }
  }
}

/**
 * The state of a fresh run: a new model for the training set's species (with its volume prior and lattice
 * statistics), zero Adam moments, the average at the initial weights and the first epoch's order.
 */
function freshState(c: ResolvedTrainConfig, data: TrainData): TrainState {
  const species = [...new Set(data.train.flatMap((x) => [...x.atomicNumbers]))].sort((a, b) => a - b);
  const base = defaultModelConfig(c.task, species, c.name);
  const probe: ModelConfig = {
    ...base,
    ...(c.startLatticeNoise !== undefined
      ? { task: { ...base.task, latticeNoise: c.startLatticeNoise, sampledStart: true } }
      : {}),
    network: c.network,
    ...(c.network.descriptors ? { descriptors: elementDescriptors(species) } : {}),
    k: c.k,
    maxAtoms: c.maxAtoms,
    steps: c.inferenceSteps,
    ...(c.task === 'property' && data.targets
      ? { property: propertyStats(c.property ?? 'property', data.targets.train) }
      : {}),
  };
  const prior = fitVolumePrior(data.train, (z) => species.indexOf(z), species.length);
  const model = createModel(
    { ...probe, prior, latticeStats: latticeStats(data.train), meta: { ...(c.meta ?? {}), seed: c.seed } },
    c.seed,
  );
  const rng = plainRng(c.seed + 0x5eed);
  const order = shuffled(data.train.length, rng);
  return {
    model,
    rng,
    adam: Adam.create(model.weights),
    average: WeightAverage.create(model.weights, c.emaDecay),
    logSums: emptyLogSums(),
    step: 0,
    epoch: 0,
    position: 0,
    order,
    bestLoss: Number.POSITIVE_INFINITY,
    bestStep: -1,
    best: null,
    elapsedBefore: 0,
  };
}

/**
 * The fixed validation set: `validRepeats` noised copies of each validation crystal the model can take (known
 * species), at evenly spaced levels, from their own generator; and how many crystals that is.
 */
function validationSet(
  c: ResolvedTrainConfig,
  model: ActionModel,
  valid: readonly Crystal[],
  targets?: readonly number[],
): { samples: TrainingSample[]; crystals: number } {
  const validRng = plainRng(c.seed + 0x7a11d);
  const samples: TrainingSample[] = [];
  const validable = valid.flatMap((x, index) => {
    try {
      speciesIndices(model, x.atomicNumbers, 'train');
      return [{ x, index }];
    } catch {
      return [];
    }
  });
  // a property's value does not depend on noise: one copy of each crystal
  const repeats = model.config.task.kind === 'property' ? 1 : c.validRepeats;
  for (let r = 0; r < repeats; r++) {
    validable.forEach(({ x, index }, i) => {
      const level = ((i * repeats + r + 0.5) / (validable.length * repeats)) % 1;
      const sample = noiseCrystal(
        model.config.task,
        model.config.prior,
        x,
        speciesIndices(model, x.atomicNumbers, 'train'),
        level,
        validRng,
      );
      samples.push(withTarget(model, sample, targets?.[index]));
    });
  }
  return { samples, crystals: validable.length };
}

/** The next minibatch: `batchSize` crystals from the epoch order, each noised at a level drawn from the run's generator. */
function drawBatch(
  state: TrainState,
  batchSize: number,
  crystals: readonly Crystal[],
  species: readonly Int32Array[],
  targets?: readonly number[],
): TrainingSample[] {
  const { model, rng } = state;
  const samples: TrainingSample[] = [];
  for (let b = 0; b < batchSize; b++) {
    const i = nextIndex(state, crystals.length, rng);
    const sample = noiseCrystal(model.config.task, model.config.prior, crystals[i], species[i], rng.next(), rng);
    samples.push(withTarget(model, sample, targets?.[i]));
  }
  return samples;
}

/** A sample with its standardised property target, for a property model (the sample itself otherwise). */
function withTarget(model: ActionModel, sample: TrainingSample, value: number | undefined): TrainingSample {
  const stats = model.config.property;
  if (stats === undefined || value === undefined) return sample;
  return { ...sample, propertyTarget: standardiseProperty(stats, value) };
}

/** Loss (total, atom, lattice), gradients by weight name and their global norm of one batch. */
interface Gradients {
  readonly loss: number;
  readonly atom: number;
  readonly lattice: number;
  readonly norm: number;
  readonly grads: ReadonlyMap<string, tf.Tensor>;
  dispose(): void;
}

function gradients(model: ActionModel, samples: TrainingSample[], c: ResolvedTrainConfig): Gradients {
  const { inputs, loss } = batchLoss(model, samples, c.latticeWeight, c.atomNoiseScale);
  let atom = 0,
    lattice = 0;
  const { value, grads } = tf.variableGrads(() => {
    const p = loss();
    atom = p.atom.dataSync()[0];
    lattice = p.lattice.dataSync()[0];
    return p.total;
  }, [...model.weights.values()]);
  disposeInputs(inputs);
  const byName = new Map([...model.weights].map(([n, v]) => [n, grads[v.name]]));
  return {
    loss: value.dataSync()[0],
    atom,
    lattice,
    norm: globalNorm([...byName.values()]),
    grads: byName,
    dispose: () => tf.dispose([value, ...Object.values(grads)]),
  };
}

/**
 * Trains an action model on clean crystals: each step draws a shuffled minibatch, a noise level per crystal
 * and the task's noise, and fits the network's actions to the corrections that undo it (atoms: the
 * minimum-image fractional displacement back to the clean crystal in units of σ(t), translation removed;
 * lattice: the symmetric log-deformation back to the clean lattice). Adam with global-norm clipping, linear
 * warmup then cosine decay; a batch with a non-finite loss or gradient, or a gradient norm above
 * `skipGradNorm`, is skipped and reported, never applied. Validation on fixed noised copies of `valid` every
 * `validEvery` steps keeps the best model. Deterministic for a seed on a given backend; pass `resume` (a
 * {@link Checkpoint}) to continue exactly where a run stopped.
 *
 * @example
 * const result = train({ task: 'denoise', maxSteps: 100, seed: 1 }, { train: crystals, valid }, { onMetrics: console.log });
 */
export function train(
  config: TrainConfig,
  crystals: TrainData,
  hooks: TrainHooks = {},
  resume?: Checkpoint,
): TrainResult {
  const c = resolveTrainConfig(config);
  const data: TrainData = c.reduceCells
    ? { ...crystals, train: crystals.train.map(niggliCell), valid: crystals.valid.map(niggliCell) }
    : crystals;
  checkTargets(c, data);
  if (data.train.length === 0)
    throw new InvalidArgumentError('train', 'data.train', 'must contain at least one crystal, got 0', 0);
  const started = Date.now();
  const state = resume ? restoreCheckpoint(resume, c.emaDecay) : freshState(c, data);
  const { model, adam, average, logSums: acc } = state;
  const trainSpecies = data.train.map((x) => speciesIndices(model, x.atomicNumbers, 'train'));
  if (c.task === 'property' && model.config.property?.name !== c.property) {
    throw new InvalidArgumentError(
      'train',
      'config.property',
      `cannot change when resuming: it has ${model.config.property?.name}, got ${c.property}`,
      c.property,
    );
  }
  const valid = validationSet(c, model, data.valid, data.targets?.valid);
  const schedule = {
    peak: c.learningRate,
    warmup: c.warmupSteps,
    decay: config.decaySteps ?? Math.max(1, c.maxSteps - c.warmupSteps),
    floorFraction: c.minLearningRateFraction,
    maxMinutes: config.maxMinutes,
  };
  const elapsed = (): number => state.elapsedBefore + (Date.now() - started) / 1000;
  const emit = (r: MetricsRecord): void => hooks.onMetrics?.(r);
  emit({
    type: 'start',
    step: state.step,
    config,
    parameters: [...model.weights.values()].reduce((a, v) => a + v.size, 0),
    train: data.train.length,
    valid: valid.crystals,
  });

  let lastValid = -1;
  const validate = (): void => {
    lastValid = state.step;
    const [v, json] = average.withAverage(model.weights, () => {
      const loss = validationLoss(model, valid.samples, c.latticeWeight, 128, c.atomNoiseScale);
      return [loss, loss.loss < state.bestLoss ? modelToJson(model) : null] as const;
    });
    const improved = v.loss < state.bestLoss;
    if (improved) {
      state.bestLoss = v.loss;
      state.bestStep = state.step;
      state.best = json;
      hooks.onBest?.(json as ModelJson);
    }
    emit({ type: 'valid', step: state.step, ...v, best: improved, elapsedSec: elapsed() });
  };

  let skipped = 0;
  let reason: 'steps' | 'time' | 'stopped' = 'steps';
  while (state.step < c.maxSteps) {
    const samples = drawBatch(state, c.batchSize, data.train, trainSpecies, data.targets?.train);
    hooks.beforeStep?.(state.step, samples);
    const g = gradients(model, samples, c);
    const lr = scheduledLearningRate(state.step, elapsed() / 60, schedule);
    const skip = skipReason(g.loss, g.norm, c.skipGradNorm);
    if (skip) {
      skipped++;
      emit({ type: 'skipped', step: state.step, reason: skip, loss: g.loss, gradNorm: g.norm });
    } else {
      const t = adam.apply(model.weights, g.grads, lr, clipFactor(g.norm, c.gradClip));
      average.update(model.weights, t);
      acc.loss += g.loss;
      acc.atom += g.atom;
      acc.lattice += g.lattice;
      acc.norm += g.norm;
      acc.n++;
    }
    g.dispose();
    state.step++;
    const { step } = state;
    const elapsedSec = elapsed();
    if (step % c.logEvery === 0 && acc.n > 0) {
      emit({
        type: 'train',
        step,
        epoch: state.epoch,
        loss: acc.loss / acc.n,
        atomLoss: acc.atom / acc.n,
        latticeLoss: acc.lattice / acc.n,
        gradNorm: acc.norm / acc.n,
        lr,
        elapsedSec,
      });
      acc.loss = acc.atom = acc.lattice = acc.norm = acc.n = 0;
    }
    if (step % c.validEvery === 0 && valid.samples.length > 0) validate();
    if (step % c.checkpointEvery === 0) hooks.onCheckpoint?.(snapshotCheckpoint(config, state, elapsed()));
    if (config.maxMinutes !== undefined && elapsedSec / 60 >= config.maxMinutes) {
      reason = 'time';
      break;
    }
    if (hooks.shouldStop?.(step)) {
      reason = 'stopped';
      break;
    }
  }
  if (valid.samples.length > 0 && lastValid !== state.step) validate();
  const checkpoint = snapshotCheckpoint(config, state, elapsed());
  hooks.onCheckpoint?.(checkpoint);
  adam.dispose();
  average.dispose();
  const elapsedSec = elapsed();
  const { step, bestStep, bestLoss, best } = state;
  emit({ type: 'done', step, elapsedSec, bestStep, bestLoss, reason });
  return {
    model,
    best: best ?? modelToJson(model),
    bestLoss,
    bestStep,
    steps: step,
    skipped,
    elapsedSec,
    checkpoint,
  };
}
