import * as tf from '@tensorflow/tfjs';
import type { Crystal, Rng } from '@crys/lattice';
import { boundedDeformation } from '@crys/actions';
import {
  changeOfCell,
  createRng,
  expSymmetric,
  InvalidArgumentError,
  latticeParameters,
  multiply,
  niggliReduce,
} from '@crys/lattice';
import { buildInputs, disposeInputs } from './batch.js';
import { ModelFormatError } from './errors.js';
import {
  type ActionModel,
  createModel,
  type LatticeStats,
  defaultModelConfig,
  deserializeValues,
  loadModel,
  type ModelConfig,
  type ModelJson,
  modelToJson,
  type SerializedWeight,
  serializeTensors,
  speciesIndices,
} from './model.js';
import { DEFAULT_NETWORK, type NetworkConfig } from './network.js';
import { atomSigma, fitVolumePrior, noiseCrystal, TASKS, type TaskKind, type TrainingSample } from './tasks.js';

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
export const DEFAULT_TRAIN_CONFIG: Required<Omit<TrainConfig, 'decaySteps' | 'maxMinutes' | 'meta'>> = {
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
  readonly logSums?: { loss: number; atom: number; lattice: number; norm: number; n: number };
}

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

/** A generator whose whole state is its 128-bit sfc32 state (normal draws are not cached). */
function plainRng(state: number | readonly [number, number, number, number]): Rng {
  const base = createRng(state);
  return {
    next: base.next,
    int: base.int,
    state: base.state,
    normal() {
      let u = 0;
      while (u === 0) u = base.next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * base.next());
    },
  };
}

function shuffled(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function checkConfig(c: Required<Omit<TrainConfig, 'decaySteps' | 'maxMinutes' | 'meta'>>, maxMinutes?: number): void {
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
      `must be one of structure, denoise, lattice, got ${c.task}`,
      c.task,
    );
  if (maxMinutes !== undefined && !(maxMinutes > 0)) {
    throw new InvalidArgumentError('train', 'config.maxMinutes', `must be positive, got ${maxMinutes}`, maxMinutes);
  }
}

/** A crystal in its Niggli-reduced cell. */
function niggliCell(crystal: Crystal): Crystal {
  return changeOfCell(crystal, niggliReduce(crystal.lattice).transform);
}

/** Learning rate at a step: linear warmup, then cosine decay to a floor. */
export function learningRateAt(
  step: number,
  peak: number,
  warmup: number,
  decay: number,
  floorFraction: number,
): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const p = Math.min(1, (step - warmup) / Math.max(1, decay));
  return peak * (floorFraction + (1 - floorFraction) * 0.5 * (1 + Math.cos(Math.PI * p)));
}

interface LossParts {
  total: tf.Scalar;
  atom: tf.Scalar;
  lattice: tf.Scalar;
}

/** Floors of the lattice-parameter spread: Å for a, b, c and degrees for α, β, γ. */
export const LATTICE_STD_FLOOR: readonly number[] = [0.05, 0.05, 0.05, 1, 1, 1];

/**
 * Mean and (floored) standard deviation of the six lattice parameters of a set of crystals.
 *
 * @example
 * const stats = latticeStats(train); stats.std[3]; // ≥ 1 (degrees)
 */
export function latticeStats(crystals: readonly Crystal[]): LatticeStats {
  const sum = new Float64Array(6),
    sq = new Float64Array(6);
  for (const c of crystals) {
    const p = latticeParameters(c.lattice);
    const v = [p.a, p.b, p.c, p.alpha, p.beta, p.gamma];
    for (let i = 0; i < 6; i++) {
      sum[i] += v[i];
      sq[i] += v[i] * v[i];
    }
  }
  const n = Math.max(1, crystals.length);
  const mean = Array.from(sum, (s) => s / n);
  const std = mean.map((m, i) => Math.max(LATTICE_STD_FLOOR[i], Math.sqrt(Math.max(0, sq[i] / n - m * m))));
  return { mean, std };
}

/**
 * a, b, c (Å) and α, β, γ (degrees) of a batch of lattices [B, 3, 3] (rows are the lattice vectors), as a
 * differentiable [B, 6] tensor (cosines clipped to ±(1 − 1e-6) so the arccosine's gradient stays finite).
 *
 * @example
 * latticeParameterTensor(tf.tensor3d([[[3, 0, 0], [0, 4, 0], [0, 0, 5]]])); // [[3, 4, 5, 90, 90, 90]]
 */
export function latticeParameterTensor(lattices: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const [a, b, c] = tf.split(lattices, 3, 1).map((t) => tf.reshape(t, [-1, 3]));
    const norm = (x: tf.Tensor) => tf.sqrt(tf.sum(tf.square(x), 1));
    const la = norm(a),
      lb = norm(b),
      lc = norm(c);
    const angle = (x: tf.Tensor, y: tf.Tensor, lx: tf.Tensor, ly: tf.Tensor) =>
      tf.mul(
        tf.acos(tf.clipByValue(tf.div(tf.sum(tf.mul(x, y), 1), tf.mul(lx, ly)), -1 + 1e-6, 1 - 1e-6)),
        180 / Math.PI,
      );
    return tf.stack([la, lb, lc, angle(b, c, lb, lc), angle(a, c, la, lc), angle(a, b, la, lb)], 1) as tf.Tensor2D;
  });
}

function batchLoss(
  model: ActionModel,
  samples: TrainingSample[],
  latticeWeight: number,
  atomNoiseScale = 0,
): { inputs: ReturnType<typeof buildInputs>; loss: () => LossParts } {
  const table = model.config.species;
  const inputs = buildInputs(
    samples.map((s) => ({
      lattice: s.lattice,
      frac: s.frac,
      atomicNumbers: Array.from(s.species, (i) => table[i]),
      level: s.level,
    })),
    model.config.k,
  );
  const atomTarget = new Float32Array(3 * inputs.numNodes);
  const atomWeight = atomNoiseScale > 0 ? new Float32Array(inputs.numNodes) : undefined;
  let o = 0;
  for (const s of samples) {
    atomTarget.set(s.atomTarget, o);
    if (atomWeight)
      atomWeight.fill(
        1 + (atomSigma(model.config.task, s.level) / atomNoiseScale) ** 2,
        o / 3,
        o / 3 + s.species.length,
      );
    o += s.atomTarget.length;
  }
  const B = samples.length;
  const latticeTarget = new Float32Array(9 * B);
  for (let b = 0; b < B; b++) latticeTarget.set(samples[b].latticeTarget, 9 * b);
  const useAtoms = model.config.task.atomSigmaMax > 0;
  // Lattice recovery: loss on standardised a, b, c, α, β, γ of L_t·exp(Â) against the clean lattice's.
  let paramLoss: (() => tf.Scalar) | undefined;
  if (model.config.task.kind === 'lattice') {
    const s = model.config.latticeStats ?? latticeStats([]);
    const noised = new Float32Array(9 * B);
    const truth = new Float32Array(6 * B);
    const clean = new Float64Array(9);
    const g = new Float64Array(9);
    for (let b = 0; b < B; b++) {
      noised.set(samples[b].lattice, 9 * b);
      multiply(clean, samples[b].lattice, expSymmetric(g, samples[b].latticeTarget));
      const p = latticeParameters(clean);
      truth.set([p.a, p.b, p.c, p.alpha, p.beta, p.gamma], 6 * b);
    }
    const inv = Float32Array.from(s.std, (x) => 1 / x);
    paramLoss = () => {
      const out = model.network.forward(inputs);
      const predicted = tf.matMul(tf.tensor3d(noised, [B, 3, 3]), boundedDeformation(out.lattice, { map: 'exp' }));
      const err = tf.mul(
        tf.sub(latticeParameterTensor(predicted as tf.Tensor3D), tf.tensor2d(truth, [B, 6])),
        tf.tensor1d(inv),
      );
      return tf.mean(tf.square(err)) as tf.Scalar;
    };
  }
  return {
    inputs,
    loss: () => {
      if (paramLoss) {
        const lattice = paramLoss();
        return { total: lattice, atom: tf.scalar(0), lattice };
      }
      const out = model.network.forward(inputs);
      const sq = tf.square(tf.sub(out.atoms, tf.tensor2d(atomTarget, [inputs.numNodes, 3])));
      const atom = useAtoms ? (tf.mean(sq) as tf.Scalar) : tf.scalar(0);
      const weighted =
        useAtoms && atomWeight
          ? (tf.mean(tf.mul(sq, tf.tensor2d(atomWeight, [inputs.numNodes, 1]))) as tf.Scalar)
          : atom;
      const lattice = tf.mean(tf.square(tf.sub(out.lattice, tf.tensor3d(latticeTarget, [B, 3, 3])))) as tf.Scalar;
      return { total: tf.add(weighted, tf.mul(lattice, latticeWeight)) as tf.Scalar, atom, lattice };
    },
  };
}

/**
 * Validation loss of a model on fixed noised samples (mean over samples, batched).
 *
 * @example
 * const { loss } = validationLoss(model, samples, 10);
 */
export function validationLoss(
  model: ActionModel,
  samples: TrainingSample[],
  latticeWeight: number,
  batchSize = 128,
  atomNoiseScale = 0,
): { loss: number; atomLoss: number; latticeLoss: number } {
  let atom = 0,
    lattice = 0,
    total = 0,
    count = 0;
  for (let i = 0; i < samples.length; i += batchSize) {
    const chunk = samples.slice(i, i + batchSize);
    const { inputs, loss } = batchLoss(model, chunk, latticeWeight, atomNoiseScale);
    const [a, l, t] = tf.tidy(() => {
      const p = loss();
      return [p.atom.dataSync()[0], p.lattice.dataSync()[0], p.total.dataSync()[0]];
    });
    disposeInputs(inputs);
    atom += a * chunk.length;
    lattice += l * chunk.length;
    total += t * chunk.length;
    count += chunk.length;
  }
  atom /= Math.max(1, count);
  lattice /= Math.max(1, count);
  // the same total as a training step: lattice recovery has only the (unweighted) lattice-parameter loss
  const loss = total / Math.max(1, count);
  return { loss, atomLoss: atom, latticeLoss: lattice };
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
  crystals: { readonly train: readonly Crystal[]; readonly valid: readonly Crystal[] },
  hooks: TrainHooks = {},
  resume?: Checkpoint,
): TrainResult {
  const c = { ...DEFAULT_TRAIN_CONFIG, ...config };
  checkConfig(c, config.maxMinutes);
  const data = c.reduceCells
    ? { train: crystals.train.map(niggliCell), valid: crystals.valid.map(niggliCell) }
    : crystals;
  if (data.train.length === 0)
    throw new InvalidArgumentError('train', 'data.train', 'must contain at least one crystal, got 0', 0);
  const started = Date.now();
  let model: ActionModel;
  let rng: Rng;
  let step = 0,
    epoch = 0,
    position = 0;
  let order: number[];
  let bestLoss = Number.POSITIVE_INFINITY,
    bestStep = -1;
  let best: ModelJson | null = null;
  let elapsedBefore = 0;
  let applied = 0;
  let lastValid = -1;
  const adamM = new Map<string, tf.Variable>();
  const adamV = new Map<string, tf.Variable>();
  const ema = new Map<string, tf.Variable>();
  if (resume) {
    if (resume.format !== 'crys-action-checkpoint' || resume.version !== 1) {
      throw new ModelFormatError(
        'train',
        `resume must be a crys-action-checkpoint version 1, got ${resume.format} ${resume.version}`,
      );
    }
    model = loadModel(resume.model);
    rng = plainRng(resume.rngState);
    step = resume.step;
    epoch = resume.epoch;
    position = resume.position;
    order = [...resume.order];
    bestLoss = resume.bestLoss ?? Number.POSITIVE_INFINITY;
    bestStep = resume.bestStep;
    best = resume.best;
    elapsedBefore = resume.elapsedSec;
    applied = resume.applied;
    const ms = new Map(resume.adamM.map((w) => [w.name, w]));
    const vs = new Map(resume.adamV.map((w) => [w.name, w]));
    for (const [name, v] of model.weights) {
      const m = ms.get(name),
        s = vs.get(name);
      if (!m || !s) throw new ModelFormatError('train', `resume has no Adam moments for '${name}'`);
      adamM.set(
        name,
        tf.tidy(() => tf.variable(tf.tensor(deserializeValues(m, 'train'), v.shape), false)),
      );
      adamV.set(
        name,
        tf.tidy(() => tf.variable(tf.tensor(deserializeValues(s, 'train'), v.shape), false)),
      );
    }
    const es = new Map((resume.ema ?? []).map((w) => [w.name, w]));
    for (const [name, v] of model.weights) {
      const e = es.get(name);
      ema.set(
        name,
        tf.tidy(() => tf.variable(e ? tf.tensor(deserializeValues(e, 'train'), v.shape) : tf.clone(v), false)),
      );
    }
  } else {
    const species = [...new Set(data.train.flatMap((x) => [...x.atomicNumbers]))].sort((a, b) => a - b);
    const base = defaultModelConfig(c.task, species, c.name);
    const probe: ModelConfig = { ...base, network: c.network, k: c.k, maxAtoms: c.maxAtoms, steps: c.inferenceSteps };
    const prior = fitVolumePrior(data.train, (z) => species.indexOf(z), species.length);
    model = createModel(
      { ...probe, prior, latticeStats: latticeStats(data.train), meta: { ...(config.meta ?? {}), seed: c.seed } },
      c.seed,
    );
    rng = plainRng(c.seed + 0x5eed);
    order = shuffled(data.train.length, rng);
    for (const [name, v] of model.weights) {
      adamM.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(v), false)),
      );
      adamV.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(v), false)),
      );
      ema.set(
        name,
        tf.tidy(() => tf.variable(tf.clone(v), false)),
      );
    }
  }
  const trainSpecies = data.train.map((x) => speciesIndices(model, x.atomicNumbers, 'train'));
  // validation: fixed noised copies at evenly spaced levels, from their own generator
  const validRng = plainRng(c.seed + 0x7a11d);
  const validSamples: TrainingSample[] = [];
  const validable = data.valid.filter((x) => {
    try {
      speciesIndices(model, x.atomicNumbers, 'train');
      return true;
    } catch {
      return false;
    }
  });
  for (let r = 0; r < c.validRepeats; r++) {
    validable.forEach((x, i) => {
      const level = ((i * c.validRepeats + r + 0.5) / (validable.length * c.validRepeats)) % 1;
      validSamples.push(
        noiseCrystal(
          model.config.task,
          model.config.prior,
          x,
          speciesIndices(model, x.atomicNumbers, 'train'),
          level,
          validRng,
        ),
      );
    });
  }
  const decay = config.decaySteps ?? Math.max(1, c.maxSteps - c.warmupSteps);
  const vars = [...model.weights.values()];
  const names = [...model.weights.keys()];
  const gradKey = (n: string): string => (model.weights.get(n) as tf.Variable).name;
  const emit = (r: MetricsRecord): void => hooks.onMetrics?.(r);
  emit({
    type: 'start',
    step,
    config,
    parameters: vars.reduce((a, v) => a + v.size, 0),
    train: data.train.length,
    valid: validable.length,
  });

  const snapshot = (): Checkpoint => ({
    format: 'crys-action-checkpoint',
    version: 1,
    config,
    model: modelToJson(model),
    adamM: serializeTensors(adamM),
    adamV: serializeTensors(adamV),
    step,
    rngState: rng.state(),
    order,
    position,
    epoch,
    bestLoss,
    bestStep,
    best,
    elapsedSec: elapsedBefore + (Date.now() - started) / 1000,
    applied,
    ema: serializeTensors(ema),
    logSums: { ...acc },
  });
  // runs fn with the averaged weights in the model (the raw weights are put back afterwards)
  const withAverage = <T>(fn: () => T): T => {
    if (c.emaDecay === 0) return fn();
    const raw = new Map([...model.weights].map(([n, w]) => [n, tf.clone(w)]));
    for (const [n, w] of model.weights) w.assign(ema.get(n) as tf.Variable);
    try {
      return fn();
    } finally {
      for (const [n, w] of model.weights) w.assign(raw.get(n) as tf.Tensor);
      tf.dispose([...raw.values()]);
    }
  };
  const validate = (): void => {
    lastValid = step;
    const [v, json] = withAverage(() => {
      const loss = validationLoss(model, validSamples, c.latticeWeight, 128, c.atomNoiseScale);
      return [loss, loss.loss < bestLoss ? modelToJson(model) : null] as const;
    });
    const improved = v.loss < bestLoss;
    if (improved) {
      bestLoss = v.loss;
      bestStep = step;
      best = json;
      hooks.onBest?.(json as ModelJson);
    }
    emit({ type: 'valid', step, ...v, best: improved, elapsedSec: elapsedBefore + (Date.now() - started) / 1000 });
  };

  const acc = resume?.logSums ? { ...resume.logSums } : { loss: 0, atom: 0, lattice: 0, norm: 0, n: 0 };
  let skipped = 0;
  let reason: 'steps' | 'time' | 'stopped' = 'steps';
  const b1 = 0.9,
    b2 = 0.999,
    eps = 1e-8;
  while (step < c.maxSteps) {
    // minibatch
    const samples: TrainingSample[] = [];
    for (let b = 0; b < c.batchSize; b++) {
      if (position >= order.length) {
        order = shuffled(data.train.length, rng);
        position = 0;
        epoch++;
      }
      const i = order[position++];
      samples.push(
        noiseCrystal(model.config.task, model.config.prior, data.train[i], trainSpecies[i], rng.next(), rng),
      );
    }
    hooks.beforeStep?.(step, samples);
    const { inputs, loss } = batchLoss(model, samples, c.latticeWeight, c.atomNoiseScale);
    let parts: [number, number, number] = [0, 0, 0];
    const { value, grads } = tf.variableGrads(() => {
      const p = loss();
      parts = [0, p.atom.dataSync()[0], p.lattice.dataSync()[0]];
      return p.total;
    }, vars);
    disposeInputs(inputs);
    const lossValue = value.dataSync()[0];
    parts[0] = lossValue;
    const norm = tf.tidy(() =>
      Math.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[gradKey(n)])))).dataSync()[0]),
    );
    // With a wall-clock budget, the cosine follows whichever runs out first: steps or minutes.
    const elapsedMin = (elapsedBefore + (Date.now() - started) / 1000) / 60;
    const timeStep = config.maxMinutes !== undefined ? c.warmupSteps + (elapsedMin / config.maxMinutes) * decay : 0;
    const lr = learningRateAt(
      Math.max(step, step >= c.warmupSteps ? timeStep : 0),
      c.learningRate,
      c.warmupSteps,
      decay,
      c.minLearningRateFraction,
    );
    if (!Number.isFinite(lossValue) || !Number.isFinite(norm) || norm > c.skipGradNorm) {
      skipped++;
      emit({
        type: 'skipped',
        step,
        reason: Number.isFinite(lossValue) && Number.isFinite(norm) ? 'exploding' : 'non-finite',
        loss: lossValue,
        gradNorm: norm,
      });
    } else {
      const clip = norm > c.gradClip ? c.gradClip / norm : 1;
      applied++;
      const t = applied;
      const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      tf.tidy(() => {
        for (const n of names) {
          const g = tf.mul(grads[gradKey(n)], clip);
          const m = adamM.get(n) as tf.Variable,
            v = adamV.get(n) as tf.Variable,
            w = model.weights.get(n) as tf.Variable;
          m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
          v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
          w.assign(tf.sub(w, tf.mul(tf.div(m, tf.add(tf.sqrt(v), eps)), lrT)));
          if (c.emaDecay > 0) {
            const d = Math.min(c.emaDecay, (1 + t) / (10 + t));
            const e = ema.get(n) as tf.Variable;
            e.assign(tf.add(tf.mul(e, d), tf.mul(w, 1 - d)));
          }
        }
      });
      acc.loss += parts[0];
      acc.atom += parts[1];
      acc.lattice += parts[2];
      acc.norm += norm;
      acc.n++;
    }
    tf.dispose([value, ...Object.values(grads)]);
    step++;
    const elapsedSec = elapsedBefore + (Date.now() - started) / 1000;
    if (step % c.logEvery === 0 && acc.n > 0) {
      emit({
        type: 'train',
        step,
        epoch,
        loss: acc.loss / acc.n,
        atomLoss: acc.atom / acc.n,
        latticeLoss: acc.lattice / acc.n,
        gradNorm: acc.norm / acc.n,
        lr,
        elapsedSec,
      });
      acc.loss = acc.atom = acc.lattice = acc.norm = acc.n = 0;
    }
    if (step % c.validEvery === 0 && validSamples.length > 0) validate();
    if (step % c.checkpointEvery === 0) hooks.onCheckpoint?.(snapshot());
    if (config.maxMinutes !== undefined && elapsedSec / 60 >= config.maxMinutes) {
      reason = 'time';
      break;
    }
    if (hooks.shouldStop?.(step)) {
      reason = 'stopped';
      break;
    }
  }
  if (validSamples.length > 0 && lastValid !== step) validate();
  const checkpoint = snapshot();
  hooks.onCheckpoint?.(checkpoint);
  tf.dispose([...adamM.values(), ...adamV.values(), ...ema.values()]);
  const elapsedSec = elapsedBefore + (Date.now() - started) / 1000;
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
