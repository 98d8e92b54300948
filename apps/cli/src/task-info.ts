/**
 * What `crys tasks` and `crys model` say about the four tasks: the noise process, the training loss, the
 * metrics and the commands. Every number is read from @crys/model (`TASKS`, `DEFAULT_TRAIN_CONFIG`,
 * `LATTICE_STD_FLOOR`, `atomSigma`) and @crys/eval (`FIELD_MATCHER_OPTIONS`); this module only words them.
 * Commands import it lazily (it loads @crys/model and with it tfjs).
 */
import { FIELD_MATCHER_OPTIONS } from '@crys/eval';
import {
  atomSigma,
  DEFAULT_TRAIN_CONFIG,
  LATTICE_STD_FLOOR,
  SHIPPED_MODEL_NAMES,
  type TaskConfig,
  TASKS,
  type TaskKind,
} from '@crys/model';

/** The word `crys train --task` takes for a task. */
export const TASK_WORD: Readonly<Record<TaskKind, string>> = {
  structure: 'csp',
  denoise: 'denoise',
  lattice: 'lattice',
  property: 'property',
};

/** The order `crys tasks` lists the tasks in. */
export const TASK_ORDER: readonly TaskKind[] = ['structure', 'denoise', 'lattice', 'property'];

/** Everything `crys tasks` reports about one task (its `--json` record). */
export interface TaskDescription {
  readonly task: TaskKind;
  /** The `--task` word of `crys train`. */
  readonly option: string;
  readonly title: string;
  readonly summary: string;
  /** @crys/model's `TASKS[task]`, as the model file records it. */
  readonly config: TaskConfig;
  readonly noise: {
    /** σ(0) and σ(1), fractional (both 0 when atoms never move). */
    readonly atomSigma: readonly [number, number];
    readonly atoms: string;
    readonly lattice: string;
    /** Whether the top level (t = 1) is the volume-prior cubic cell. */
    readonly topLevelIsPriorCell: boolean;
  };
  readonly loss: {
    readonly text: string;
    /** Weight of the lattice term (structure, denoise), `DEFAULT_TRAIN_CONFIG.latticeWeight`. */
    readonly latticeWeight: number | null;
    /** Floors of the standardising spread (lattice): Å for a, b, c and degrees for α, β, γ. */
    readonly stdFloor: { readonly length: number; readonly angle: number } | null;
  };
  readonly metrics: readonly string[];
  /** StructureMatcher tolerances of the match rate (`FIELD_MATCHER_OPTIONS`). */
  readonly matcher: { readonly stol: number; readonly ltol: number; readonly angleTol: number };
  /** Shipped models of this task. */
  readonly shipped: readonly string[];
  readonly commands: { readonly train: string; readonly eval: string; readonly evalShipped: string | null };
}

/** Training defaults shared by the tasks (`DEFAULT_TRAIN_CONFIG`, the fields `crys train` exposes). */
export interface TrainingDefaults {
  readonly maxSteps: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly warmupSteps: number;
  readonly minLearningRateFraction: number;
  readonly gradClip: number;
  readonly skipGradNorm: number;
  readonly latticeWeight: number;
  readonly validEvery: number;
  readonly validRepeats: number;
  readonly checkpointEvery: number;
  readonly seed: number;
  readonly k: number;
  readonly maxAtoms: number;
  readonly inferenceSteps: number;
  readonly network: Readonly<Record<string, number | boolean | string>>;
}

const TITLES: Readonly<Record<TaskKind, { title: string; summary: string }>> = {
  structure: {
    title: 'structure prediction from random starts',
    summary:
      'Only the composition is given: positions start uniformly at random in the isotropic cubic cell of the ' +
      'volume prior, and the learned actions, trained across noise levels and applied with an annealed schedule, ' +
      'carry it to a stable structure (DiffCSP protocol, one sample per composition).',
  },
  denoise: {
    title: 'denoising',
    summary:
      'A stable crystal is perturbed (random symmetric strain of the lattice plus Gaussian fractional ' +
      'displacements, at several noise levels) and the model learns the actions that undo it.',
  },
  lattice: {
    title: 'lattice reconstruction',
    summary:
      'Fractional coordinates and species are given; starting from the volume-scaled isotropic cubic cell, the ' +
      'model recovers the lattice. Atoms never move.',
  },
  property: {
    title: 'property prediction',
    summary:
      "A stable crystal and a number from a dataset column (--property, e.g. Perov-5's heat of formation " +
      'heat_ref): the model learns the number from the structure, and ranks structure predictions by it ' +
      '(crys eval / crys predict --candidates k --rank-by MODEL keep the sample it predicts lowest).',
  },
};

/** Plain decimal without float noise (0.005, 1e-3 → 0.001). */
export function num(x: number): string {
  return String(Number(x.toPrecision(6)));
}

function noiseOf(task: TaskConfig): TaskDescription['noise'] {
  const s0 = atomSigma(task, 0);
  const s1 = atomSigma(task, 1);
  const atoms =
    s1 > 0
      ? `wrapped Gaussian fractional displacement, σ(t) = σmin·(σmax/σmin)^t from ${num(s0)} (t = 0) to ${num(s1)} (t = 1)`
      : 'none: the fractional coordinates are given and never move';
  if (task.kind === 'property') {
    return {
      atomSigma: [s0, s1],
      atoms: 'none: the clean crystal, at level 0',
      lattice: 'none: the clean lattice',
      topLevelIsPriorCell: false,
    };
  }
  const e = `E a random symmetric log-strain with σ ${num(task.latticeNoise)} on the diagonal (off-diagonal /√2)`;
  const lattice = task.sampledStart
    ? `L_t = L₀·exp(t·X), X = ½·log(L₀⁻¹·B²·L₀⁻¹): the path reaches B = c·exp(${num(task.latticeNoise)}·E), a draw around the volume-prior cube c·I, at t = 1 (up to a rotation), and random starts draw B too; ${e}`
    : task.latticeFromPrior
      ? `L_t = L₀·exp(t·(X_prior + ${num(task.latticeNoise)}·E)), X_prior = log(c·L₀⁻¹) the deformation to the volume-prior cube c·I, ${e}`
      : `L_t = L₀·exp(t·${num(task.latticeNoise)}·E), ${e}`;
  return { atomSigma: [s0, s1], atoms, lattice, topLevelIsPriorCell: task.latticeFromPrior };
}

function lossOf(task: TaskConfig): TaskDescription['loss'] {
  if (task.kind === 'property') {
    return {
      text:
        "MSE of the crystal's average of an invariant edge output (the trace of the lattice action) against the " +
        "property standardised by the train split's mean and spread",
      latticeWeight: null,
      stdFloor: null,
    };
  }
  if (task.kind === 'lattice') {
    const floor = { length: LATTICE_STD_FLOOR[0], angle: LATTICE_STD_FLOOR[3] };
    return {
      text:
        'MSE of a, b, c, α, β, γ of the predicted lattice against the clean one, each standardised by the ' +
        `train split's spread (floored at ${num(floor.length)} Å for a, b, c and ${num(floor.angle)}° for α, β, γ, ` +
        'so a parameter without spread, like every Perov-5 angle, stays finite)',
      latticeWeight: null,
      stdFloor: floor,
    };
  }
  const w = DEFAULT_TRAIN_CONFIG.latticeWeight;
  return {
    text:
      "MSE of the atoms' action against their minimum-image fractional correction in units of σ(t) (translation " +
      `removed) + ${num(w)} × MSE of the lattice action against the symmetric log-deformation −X_t back to the ` +
      'clean lattice (the weight is --lattice-weight)',
    latticeWeight: w,
    stdFloor: null,
  };
}

function metricsOf(kind: TaskKind): string[] {
  const m = FIELD_MATCHER_OPTIONS;
  const match = `match rate and RMSE against the true structure (StructureMatcher stol ${num(m.stol)}, ltol ${num(m.ltol)}, angle_tol ${num(m.angleTol)}; a pair counts when both crystals are valid; RMSE over matched pairs, /(V/N)^⅓)`;
  const validity = 'structural validity (all distances ≥ 0.5 Å, volume ≥ 0.1 Å³) and compositional validity (SMACT)';
  if (kind === 'structure') return [`${match}, one sample per composition`, validity];
  if (kind === 'property') {
    return ['MAE and RMSE of the property in its own units, beside the "predict the training mean" baseline'];
  }
  if (kind === 'denoise') {
    return [
      `${match}, before and after`,
      validity,
      'lattice MAE (a, b, c in Å; α, β, γ in degrees), before and after',
      'minimum-image position error (RMS, Å), before and after',
    ];
  }
  return [
    match,
    validity,
    'lattice MAE (a, b, c in Å; α, β, γ in degrees), before and after, beside the "predict the training mean" baseline',
  ];
}

/** The description of one task, as `crys tasks` prints it. */
export function describeTask(kind: TaskKind): TaskDescription {
  const config = TASKS[kind];
  const option = TASK_WORD[kind];
  // shipped names: perov_5 (structure), perov_5-denoise, perov_5-lattice, perov_5-energy (a property)
  const suffix = kind === 'property' ? '-energy' : `-${kind}`;
  const shipped = SHIPPED_MODEL_NAMES.filter((n) => (kind === 'structure' ? !n.includes('-') : n.endsWith(suffix)));
  const run = `runs/perov_5-${kind === 'property' ? 'energy' : option}`;
  const m = FIELD_MATCHER_OPTIONS;
  return {
    task: kind,
    option,
    ...TITLES[kind],
    config,
    noise: noiseOf(config),
    loss: lossOf(config),
    metrics: metricsOf(kind),
    matcher: { stol: m.stol, ltol: m.ltol, angleTol: m.angleTol },
    shipped,
    commands: {
      train: `crys train --task ${option}${kind === 'property' ? ' --property heat_ref' : ''} --data data/perov_5/val.csv --out ${run}`,
      eval: `crys eval --model ${run} --data data/perov_5/val.csv`,
      evalShipped: shipped.length > 0 ? `crys eval --model ${shipped[0]} --data data/perov_5/val.csv` : null,
    },
  };
}

/** `DEFAULT_TRAIN_CONFIG`, the fields a user can change with `crys train` options. */
export function trainingDefaults(): TrainingDefaults {
  const d = DEFAULT_TRAIN_CONFIG;
  return {
    maxSteps: d.maxSteps,
    batchSize: d.batchSize,
    learningRate: d.learningRate,
    warmupSteps: d.warmupSteps,
    minLearningRateFraction: d.minLearningRateFraction,
    gradClip: d.gradClip,
    skipGradNorm: d.skipGradNorm,
    latticeWeight: d.latticeWeight,
    validEvery: d.validEvery,
    validRepeats: d.validRepeats,
    checkpointEvery: d.checkpointEvery,
    seed: d.seed,
    k: d.k,
    maxAtoms: d.maxAtoms,
    inferenceSteps: d.inferenceSteps,
    network: { ...d.network },
  };
}

/** A task kind from a user's word (`csp` and `structure` are structure prediction), or undefined. */
export function taskFromWord(word: string): TaskKind | undefined {
  if (word === 'csp' || word === 'structure') return 'structure';
  if (word === 'denoise' || word === 'lattice' || word === 'property') return word;
  return undefined;
}
