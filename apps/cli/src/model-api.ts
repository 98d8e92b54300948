/**
 * The part of @crys/model the CLI uses, as a structural interface checked at run time. @crys/model is being
 * written in parallel; until its entry point exports these names, the model commands fail with a message
 * naming what is missing instead of crashing, and everything else keeps working.
 */
import type { Crystal } from '@crys/lattice';
import { CliFailure } from './errors.js';

/** The model task kinds. */
export type TaskKind = 'structure' | 'denoise' | 'lattice';

/** A loaded action model (opaque to the CLI except its configuration). */
export interface ActionModel {
  readonly config: {
    readonly name: string;
    readonly task: { readonly kind: TaskKind };
    readonly species: readonly number[];
    readonly maxAtoms: number;
    readonly steps: number;
  };
}

/** What happened at one action step (lattice after the step, displacement, strain). */
export interface StepInfo {
  readonly level: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly displacement: number;
  readonly strain: number;
}

/** Result of relax / predictStructure. */
export interface ActionResult {
  readonly crystal: Crystal;
  readonly trajectory: Crystal[];
  readonly steps: StepInfo[];
}

/** One dataset prediction. */
export interface RowPrediction {
  readonly id: string;
  readonly start: Crystal;
  readonly crystal: Crystal;
}

/** One record of the training metrics stream. */
export type MetricsRecord =
  | { type: 'start'; step: number }
  | { type: 'train'; step: number; loss: number }
  | { type: 'skipped'; step: number; reason: string; loss: number; gradNorm: number }
  | { type: 'valid'; step: number; loss: number; best: boolean }
  | { type: 'done'; step: number; bestStep: number; bestLoss: number };

/** Training configuration (the fields the CLI sets; the rest keep @crys/model's defaults). */
export interface TrainConfig {
  readonly name?: string;
  readonly task?: TaskKind;
  readonly seed?: number;
  readonly batchSize?: number;
  readonly maxSteps?: number;
  readonly maxMinutes?: number;
  readonly learningRate?: number;
  readonly validEvery?: number;
  readonly checkpointEvery?: number;
  readonly network?: Readonly<Record<string, unknown>>;
  readonly meta?: Readonly<Record<string, string | number>>;
}

/** A resumable training state (the CLI reads its step and config). */
export interface Checkpoint {
  readonly format: string;
  readonly step: number;
  readonly config: TrainConfig;
}

/** Outcome of training. */
export interface TrainResult {
  readonly best: unknown;
  readonly bestLoss: number;
  readonly bestStep: number;
  readonly steps: number;
  readonly skipped: number;
  readonly elapsedSec: number;
}

/** The functions of @crys/model the CLI calls. */
export interface ModelApi {
  initModelBackend(preferred?: 'wasm' | 'cpu'): Promise<string>;
  loadModel(json: string): ActionModel;
  readonly SHIPPED_MODEL_NAMES: readonly string[];
  shippedModelUrl(name: string): URL;
  relax(
    model: ActionModel,
    crystal: Crystal,
    options?: { steps?: number; startLevel?: number; trajectory?: boolean },
  ): ActionResult;
  predictStructure(
    model: ActionModel,
    atomicNumbers: ArrayLike<number>,
    options?: { seed?: number; steps?: number },
  ): ActionResult;
  predictRows(
    model: ActionModel,
    rows: readonly { id: string; crystal: Crystal }[],
    options?: { seed?: number; steps?: number; startLevel?: number },
  ): RowPrediction[];
  evaluatePredictions(
    model: ActionModel,
    rows: readonly { id: string; crystal: Crystal }[],
    predictions: readonly RowPrediction[],
  ): Record<string, unknown>;
  splitOf(id: string): 'train' | 'valid' | 'holdout';
  splitDataset<T extends { readonly id: string }>(rows: readonly T[]): Record<'train' | 'valid' | 'holdout', T[]>;
  train(
    config: TrainConfig,
    data: { readonly train: readonly Crystal[]; readonly valid: readonly Crystal[] },
    hooks: {
      onMetrics?(record: MetricsRecord): void;
      onCheckpoint?(checkpoint: Checkpoint): void;
      onBest?(model: unknown): void;
    },
    resume?: Checkpoint,
  ): TrainResult;
  readonly DEFAULT_TRAIN_CONFIG: { readonly maxSteps: number; readonly network: Readonly<Record<string, unknown>> };
}

const REQUIRED: readonly (keyof ModelApi)[] = [
  'initModelBackend',
  'loadModel',
  'SHIPPED_MODEL_NAMES',
  'shippedModelUrl',
  'relax',
  'predictStructure',
  'predictRows',
  'evaluatePredictions',
  'splitOf',
  'splitDataset',
  'train',
  'DEFAULT_TRAIN_CONFIG',
];

let api: ModelApi | undefined;

/** Imports @crys/model (and tfjs) once; a {@link CliFailure} naming the missing exports if it lacks some. */
export async function modelApi(): Promise<ModelApi> {
  if (api) return api;
  const mod = (await import('@crys/model')) as unknown as Partial<ModelApi>;
  const missing = REQUIRED.filter((k) => mod[k] === undefined);
  if (missing.length > 0) {
    throw new CliFailure(
      `this build of @crys/model does not export ${missing.join(', ')} yet, which the model commands need`,
      'rebuild with `pnpm build` after updating; info, convert, graph, match and bench work without it',
    );
  }
  api = mod as ModelApi;
  return api;
}
