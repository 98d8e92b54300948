import { describeValue, InvalidArgumentError } from '@crys/lattice';
import { DEFAULT_NETWORK, type NetworkConfig } from './network.js';
import { TASKS, type TaskKind } from './tasks.js';

/**
 * Training configuration. Every field has a default (see {@link DEFAULT_TRAIN_CONFIG}).
 *
 * @example
 * const config: TrainConfig = { task: 'structure', seed: 0, maxMinutes: 45 };
 */
export interface TrainConfig {
  /** Model name recorded in the model file. */
  readonly name?: string;
  readonly task?: TaskKind;
  /** Seed of weights, shuffling and noise. */
  readonly seed?: number;
  /** Crystals per minibatch. */
  readonly batchSize?: number;
  /** Stop after this many optimizer steps. */
  readonly maxSteps?: number;
  /**
   * Stop after this many minutes of wall-clock (checked after every step, counted across resumes). The
   * cosine schedule then follows whichever budget is spent faster, steps or minutes, so a run on a busy
   * machine still anneals; runs without it are step-deterministic.
   */
  readonly maxMinutes?: number;
  /** Peak learning rate of Adam. */
  readonly learningRate?: number;
  /** Linear warmup steps. */
  readonly warmupSteps?: number;
  /** Steps of the cosine decay after warmup (defaults to maxSteps − warmupSteps). */
  readonly decaySteps?: number;
  /** Floor of the cosine schedule, as a fraction of the peak. */
  readonly minLearningRateFraction?: number;
  /** Global gradient-norm clip. */
  readonly gradClip?: number;
  /** A batch whose gradient norm exceeds this is skipped (exploding), as is any non-finite loss or norm. */
  readonly skipGradNorm?: number;
  /** Weight of the lattice loss beside the atom loss. */
  readonly latticeWeight?: number;
  /**
   * Decay of the exponential moving average of the weights (Polyak averaging; the effective decay is
   * min(emaDecay, (1 + u)/(10 + u)) after u updates). Validation, the best model and the shipped file use the
   * averaged weights; 0 turns averaging off (validation then sees the raw weights).
   */
  readonly emaDecay?: number;
  /**
   * Weight of each atom's loss by its noise level: w = 1 + (σ(t)/atomNoiseScale)², so the high levels, whose
   * targets are short next to σ, count as much as a displacement error in units of `atomNoiseScale` (fractional)
   * would. Absent or 0: every level weighs the same (the squared error of τ̂ = d/σ).
   */
  readonly atomNoiseScale?: number;
  /**
   * Train on every crystal in its Niggli-reduced cell (`niggliReduce` + `changeOfCell`: the same crystal, the most
   * compact cell of its lattice), so the lattice targets from the prior's cubic cell are as short as the lattice
   * allows and do not depend on the cell a dataset happened to store. The lattice statistics (`latticeStats`) are
   * then those of the reduced cells. Default false.
   */
  readonly reduceCells?: boolean;
  /**
   * Structure prediction: the standard deviation σ_L of a lattice base distribution around the prior cube. The
   * top level's lattice is then c·exp(σ_L·E) exactly (up to a rotation), E a random symmetric log-strain, and
   * random starts draw it (`TaskConfig.sampledStart`, with `latticeNoise` = σ_L), so predictions start from a
   * spread of cells instead of the cube. Absent: the task's default (the cube, noise 0.1 along the path).
   */
  readonly startLatticeNoise?: number;
  /**
   * Property task: the dataset column the model learns to predict (e.g. `heat_ref`), recorded with its training
   * mean and spread in the model's `config.property`; {@link train} then takes the values beside the crystals.
   */
  readonly property?: string;
  /** Validate every this many steps. */
  readonly validEvery?: number;
  /** Noised copies of each validation crystal (evenly spaced levels), fixed for the whole run. */
  readonly validRepeats?: number;
  /** Write a `latest` checkpoint every this many steps. */
  readonly checkpointEvery?: number;
  /** Average training metrics over and log every this many steps. */
  readonly logEvery?: number;
  /** Network size. */
  readonly network?: NetworkConfig;
  /** Neighbours per atom. */
  readonly k?: number;
  /** Largest crystal accepted. */
  readonly maxAtoms?: number;
  /** Default inference steps recorded in the model. */
  readonly inferenceSteps?: number;
  /** Free-form provenance copied into the model's `meta`. */
  readonly meta?: Readonly<Record<string, string | number>>;
}

/**
 * Defaults of {@link TrainConfig}.
 *
 * @example
 * DEFAULT_TRAIN_CONFIG.learningRate; // 1e-3
 */
export const DEFAULT_TRAIN_CONFIG: Required<
  Omit<TrainConfig, 'decaySteps' | 'maxMinutes' | 'meta' | 'startLatticeNoise' | 'property'>
> = {
  name: 'model',
  task: 'structure',
  seed: 0,
  batchSize: 64,
  maxSteps: 10_000,
  learningRate: 1e-3,
  warmupSteps: 100,
  minLearningRateFraction: 0.05,
  gradClip: 5,
  skipGradNorm: 1e4,
  latticeWeight: 10,
  emaDecay: 0.999,
  atomNoiseScale: 0,
  reduceCells: false,
  validEvery: 200,
  validRepeats: 2,
  checkpointEvery: 200,
  logEvery: 10,
  network: DEFAULT_NETWORK,
  k: 16,
  maxAtoms: 64,
  inferenceSteps: 100,
};

/** A {@link TrainConfig} with its defaults filled in (the optional budgets and provenance stay optional). */
export type ResolvedTrainConfig = Required<
  Omit<TrainConfig, 'decaySteps' | 'maxMinutes' | 'meta' | 'startLatticeNoise' | 'property'>
> &
  Pick<TrainConfig, 'decaySteps' | 'maxMinutes' | 'meta' | 'startLatticeNoise' | 'property'>;

/**
 * The defaults merged under `config`, checked: positive integer sizes and periods, positive finite rates and
 * norms, an averaging decay in [0, 1), a known task, a positive time budget and a start-lattice noise in (0, 1] for
 * structure prediction only (InvalidArgumentError naming the field otherwise).
 *
 * @example
 * resolveTrainConfig({ maxSteps: 100 }).learningRate; // 1e-3
 */
export function resolveTrainConfig(config: TrainConfig): ResolvedTrainConfig {
  const c = { ...DEFAULT_TRAIN_CONFIG, ...config };
  checkConfig(c, config.maxMinutes, config.startLatticeNoise);
  const named = typeof config.property === 'string' && config.property.trim() !== '';
  if (c.task === 'property' && !named) {
    throw new InvalidArgumentError(
      'train',
      'config.property',
      `must name the dataset column a property model learns, got ${describeValue(config.property)}`,
      config.property,
    );
  }
  if (c.task !== 'property' && config.property !== undefined) {
    throw new InvalidArgumentError(
      'train',
      'config.property',
      `applies to the property task only, not the ${c.task} task`,
      config.property,
    );
  }
  return c;
}

function checkConfig(
  c: Required<Omit<TrainConfig, 'decaySteps' | 'maxMinutes' | 'meta' | 'startLatticeNoise' | 'property'>>,
  maxMinutes?: number,
  startLatticeNoise?: number,
): void {
  const positiveInt = [
    'batchSize',
    'maxSteps',
    'validEvery',
    'checkpointEvery',
    'logEvery',
    'k',
    'maxAtoms',
    'inferenceSteps',
  ] as const;
  for (const key of positiveInt) {
    const v = c[key];
    if (!Number.isInteger(v) || v < 1)
      throw new InvalidArgumentError('train', `config.${key}`, `must be a positive integer, got ${v}`, v);
  }
  const scale = c.atomNoiseScale;
  if (!(scale >= 0 && Number.isFinite(scale))) {
    throw new InvalidArgumentError('train', 'config.atomNoiseScale', `must be ≥ 0 and finite, got ${scale}`, scale);
  }
  if (!(c.emaDecay >= 0 && c.emaDecay < 1)) {
    throw new InvalidArgumentError('train', 'config.emaDecay', `must be in [0, 1), got ${c.emaDecay}`, c.emaDecay);
  }
  for (const key of ['learningRate', 'gradClip', 'skipGradNorm'] as const) {
    const v = c[key];
    if (!(v > 0 && Number.isFinite(v)))
      throw new InvalidArgumentError('train', `config.${key}`, `must be positive and finite, got ${v}`, v);
  }
  if (!(c.task in TASKS))
    throw new InvalidArgumentError(
      'train',
      'config.task',
      `must be one of structure, denoise, lattice, property, got ${c.task}`,
      c.task,
    );
  const graph = c.network.graph;
  if (graph !== undefined && graph !== 'knn' && graph !== 'cutoff') {
    throw new InvalidArgumentError('train', 'config.network', `graph must be 'knn' or 'cutoff', got ${graph}`, graph);
  }
  if (!(c.network.cutoff > 0 && Number.isFinite(c.network.cutoff))) {
    throw new InvalidArgumentError(
      'train',
      'config.network',
      `cutoff must be positive and finite, got ${c.network.cutoff}`,
      c.network.cutoff,
    );
  }
  if (maxMinutes !== undefined && !(maxMinutes > 0)) {
    throw new InvalidArgumentError('train', 'config.maxMinutes', `must be positive, got ${maxMinutes}`, maxMinutes);
  }
  if (startLatticeNoise !== undefined) {
    if (!(startLatticeNoise > 0 && startLatticeNoise <= 1)) {
      throw new InvalidArgumentError(
        'train',
        'config.startLatticeNoise',
        `must be in (0, 1], got ${startLatticeNoise}`,
        startLatticeNoise,
      );
    }
    if (c.task !== 'structure') {
      throw new InvalidArgumentError(
        'train',
        'config.startLatticeNoise',
        `applies to structure prediction only, not the ${c.task} task`,
        startLatticeNoise,
      );
    }
  }
}
