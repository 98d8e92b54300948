import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomicSync } from '@crys/io/node';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@crys/lattice';
import { assertPositiveInteger } from '@crys/lattice/internal';
import { type DatasetRow, readDataset, splitDataset } from './data.js';
import { type ModelDomain, modelDomain } from './domain.js';
import { ModelFormatError } from './errors.js';
import { type ActionModel, loadModel, type ModelJson, modelToJson } from './model.js';
import { cellNumber } from './property.js';
import { shippedModelUrl } from './shipped.js';
import { resolveTrainConfig } from './train-config.js';
import {
  type Checkpoint,
  DEFAULT_TRAIN_CONFIG,
  type MetricsRecord,
  type TrainConfig,
  type TrainResult,
  train,
} from './train.js';

/**
 * Reads a dataset CSV file (see `readDataset`).
 *
 * @example
 * const rows = readDatasetFile('data/perov_5/val.csv');
 */
export function readDatasetFile(path: string): DatasetRow[] {
  return readDataset(readFileSync(path, 'utf8'), path);
}

/**
 * Loads a model JSON file.
 *
 * @example
 * const model = loadModelFile('packages/model/models/perov_5/model.json');
 */
export function loadModelFile(path: string): ActionModel {
  return loadModel(readFileSync(path, 'utf8'));
}

/**
 * Saves a model (or its JSON) atomically (`@crys/io/node`'s `writeFileAtomicSync`), creating the folder when
 * missing.
 *
 * @example
 * saveModelFile('out/model.json', model);
 */
export function saveModelFile(path: string, model: ActionModel | ModelJson): void {
  const json = 'weights' in model && model.weights instanceof Map ? modelToJson(model as ActionModel) : model;
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomicSync(path, JSON.stringify(json));
}

/**
 * Path of a shipped model's JSON file.
 *
 * @example
 * shippedModelPath('perov_5'); // …/packages/model/models/perov_5/model.json
 */
export function shippedModelPath(name: string): string {
  return fileURLToPath(shippedModelUrl(name, 'shippedModelPath'));
}

/**
 * Loads a shipped model by name (`perov_5`, `carbon_24`, …).
 *
 * @example
 * const model = loadShippedModel('perov_5');
 */
export function loadShippedModel(name: string): ActionModel {
  return loadModelFile(shippedModelPath(name));
}

/**
 * Reads a training checkpoint (`checkpoint.json` of a {@link trainToDirectory} run).
 *
 * @example
 * const checkpoint = readCheckpointFile('runs/perov/checkpoint.json');
 * checkpoint.step; // 1600
 */
export function readCheckpointFile(path: string): Checkpoint {
  const text = readFileSync(path, 'utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError('readCheckpointFile', `${path} is not valid JSON: ${(e as Error).message}`);
  }
  const c = doc as Partial<Checkpoint> | null;
  if (typeof c !== 'object' || c === null || c.format !== 'crys-action-checkpoint') {
    throw new ModelFormatError('readCheckpointFile', `${path} is not a crys-action-checkpoint`);
  }
  return c as Checkpoint;
}

/**
 * Options of {@link trainToDirectory}.
 *
 * @example
 * const options: TrainRunOptions = { dataset: 'data/perov_5/val.csv', out: 'runs/perov', config: { maxSteps: 3000 } };
 */
export interface TrainRunOptions {
  /** Dataset CSV file, or rows already read; their `train` and `valid` splits (see `splitOf`) are used. */
  readonly dataset: string | readonly DatasetRow[];
  /** Output directory: `metrics.jsonl`, `checkpoint.json` (latest state), `model.json` (best by validation loss). */
  readonly out: string;
  /**
   * The configuration. When resuming, the checkpoint's configuration with the fields set here on top (e.g. a
   * larger `maxSteps`); `task`, `seed`, `k` and `network` must then be unset or equal to the checkpoint's.
   */
  readonly config: TrainConfig;
  /**
   * `true` continues from `out/checkpoint.json` (which must exist); a {@link Checkpoint} continues from it.
   * Without it, `out` must not hold a run already (no `checkpoint.json`).
   */
  readonly resume?: boolean | Checkpoint;
  /** Receives every metrics record after it is appended to `metrics.jsonl`. */
  readonly onMetrics?: (record: MetricsRecord) => void;
  /**
   * Also keep the model (its moving-average weights, as validation sees them) at every checkpoint whose step is a
   * multiple of this, as `out/snapshots/model-<step>.json`: the points of a learning curve. It is recorded in the
   * run (`config.meta.snapshotEvery`), so a resumed run keeps its snapshots without being told again. Default: the
   * resumed run's, else none.
   */
  readonly snapshotEvery?: number;
}

/**
 * A row's value of a property column as a number (@crys/io reads numeric cells as numbers; other callers may give
 * their text); InvalidArgumentError naming the row and the column when it is missing or not a finite number.
 *
 * @example
 * rowProperty(rows[0], 'heat_ref', 'trainToDirectory'); // 2.19
 */
export function rowProperty(row: DatasetRow, column: string, fn: string): number {
  const v = row.properties[column];
  const value = cellNumber(v);
  if (!Number.isFinite(value)) {
    throw new InvalidArgumentError(
      fn,
      'config.property',
      v === undefined
        ? `names column '${column}', which row ${row.id} does not have (its columns: ${Object.keys(row.properties).join(', ') || 'none'})`
        : `names column '${column}', whose value in row ${row.id} is not a finite number: ${JSON.stringify(v)}`,
      column,
    );
  }
  return value;
}

/** How `splitOf` divides a dataset, recorded in the model's `meta.split`. */
const SPLIT_RULE = 'fnv1a(material_id) % 10: 0-7 train, 8 valid, 9 holdout';

/** The configuration a resumed run continues with: the checkpoint's, with `config`'s fields on top. */
function resumedConfig(checkpoint: Checkpoint, config: TrainConfig, out: string): TrainConfig {
  const before = checkpoint.config;
  for (const key of ['task', 'seed', 'k', 'network', 'startLatticeNoise', 'property'] as const) {
    const now = config[key];
    const was = before[key] ?? (DEFAULT_TRAIN_CONFIG as TrainConfig)[key];
    if (now !== undefined && JSON.stringify(now) !== JSON.stringify(was)) {
      throw new InvalidArgumentError(
        'trainToDirectory',
        `config.${key}`,
        `cannot change when resuming the run in ${out}: it has ${JSON.stringify(was)}, got ${JSON.stringify(now)}`,
        now,
      );
    }
  }
  const set = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as TrainConfig;
  return { ...before, ...set, meta: { ...(before.meta ?? {}), ...(config.meta ?? {}) } };
}

/**
 * Trains on a dataset and writes the run to a directory: `metrics.jsonl` (JSON lines, appended when resuming),
 * `checkpoint.json` (the latest state, every `checkpointEvery` steps and at the end) and `model.json` (the best
 * model by validation loss, or the final one when validation never ran), each written atomically so a killed
 * run never leaves half a file. Starting over an existing run is refused; `resume` continues it. The model's
 * `meta` records the split rule and, for a file, the dataset path; its `domain` is the training split's
 * (`modelDomain`).
 *
 * @example
 * trainToDirectory({ dataset: 'data/perov_5/val.csv', out: 'runs/perov', config: { task: 'structure', maxSteps: 3000 } });
 */
export function trainToDirectory(options: TrainRunOptions): TrainResult {
  const fn = 'trainToDirectory';
  const { out } = options;
  const metricsPath = join(out, 'metrics.jsonl');
  const checkpointPath = join(out, 'checkpoint.json');
  const modelPath = join(out, 'model.json');
  let checkpoint: Checkpoint | undefined;
  if (options.resume === true) {
    if (!existsSync(checkpointPath))
      throw new InvalidArgumentError(fn, 'options.resume', `is true but ${checkpointPath} does not exist`, true);
    checkpoint = readCheckpointFile(checkpointPath);
  } else if (options.resume) {
    checkpoint = options.resume;
  } else if (existsSync(checkpointPath)) {
    throw new InvalidArgumentError(
      fn,
      'options.out',
      `already holds a training run (${checkpointPath}); pass resume: true to continue it`,
      out,
    );
  }
  if (options.snapshotEvery !== undefined) assertPositiveInteger(fn, 'options.snapshotEvery', options.snapshotEvery);
  const given: TrainConfig = {
    ...options.config,
    meta: {
      split: SPLIT_RULE,
      ...(typeof options.dataset === 'string' ? { dataset: options.dataset } : {}),
      ...(options.snapshotEvery !== undefined ? { snapshotEvery: options.snapshotEvery } : {}),
      ...(options.config.meta ?? {}),
    },
  };
  const config = checkpoint ? resumedConfig(checkpoint, given, out) : given;
  resolveTrainConfig(config); // a bad configuration fails here, before the dataset is read or `out` is touched
  // the run's own interval when resuming without one (runs from before it was recorded have none)
  const recorded = config.meta?.snapshotEvery;
  const snapshotEvery =
    options.snapshotEvery ??
    (typeof recorded === 'number' && Number.isInteger(recorded) && recorded > 0 ? recorded : undefined);
  const rows = typeof options.dataset === 'string' ? readDatasetFile(options.dataset) : options.dataset;
  const split = splitDataset(rows);
  // The model's domain is its training split's; every model file the run writes carries it.
  const dataset = config.meta?.dataset;
  const domain: ModelDomain | undefined =
    split.train.length > 0
      ? modelDomain(
          split.train.map((r) => r.crystal),
          {
            task: config.task ?? DEFAULT_TRAIN_CONFIG.task,
            ...(typeof dataset === 'string' ? { dataset } : {}),
          },
        )
      : undefined;
  const withDomain = (m: ModelJson): ModelJson => (domain ? { ...m, config: { ...m.config, domain } } : m);
  mkdirSync(out, { recursive: true });
  if (!checkpoint) writeFileSync(metricsPath, '');
  else if (existsSync(metricsPath)) {
    // A run killed after its last checkpoint has logged steps the resumed run will take again: drop them, so the
    // stream holds each step once and equals the uninterrupted run's.
    const kept = readFileSync(metricsPath, 'utf8')
      .split('\n')
      .filter((line) => {
        if (line.trim() === '') return false;
        try {
          const step = (JSON.parse(line) as { step?: unknown }).step;
          return typeof step !== 'number' || step <= (checkpoint as Checkpoint).step;
        } catch {
          return false; // a line cut by the kill
        }
      });
    writeFileAtomicSync(metricsPath, kept.map((line) => `${line}\n`).join(''));
  }
  // a property model's targets: a bad or missing value fails here, naming its row, before any training
  const column = config.property;
  const targets =
    (config.task ?? DEFAULT_TRAIN_CONFIG.task) === 'property' && column !== undefined
      ? {
          train: split.train.map((r) => rowProperty(r, column, fn)),
          valid: split.valid.map((r) => rowProperty(r, column, fn)),
        }
      : undefined;
  let wroteBest = false;
  const result = train(
    config,
    {
      train: split.train.map((r) => r.crystal),
      valid: split.valid.map((r) => r.crystal),
      ...(targets ? { targets } : {}),
    },
    {
      onMetrics: (record) => {
        appendFileSync(metricsPath, `${JSON.stringify(record)}\n`);
        options.onMetrics?.(record);
      },
      onCheckpoint: (c) => {
        writeFileAtomicSync(checkpointPath, JSON.stringify(c));
        if (snapshotEvery !== undefined && c.step > 0 && c.step % snapshotEvery === 0) {
          mkdirSync(join(out, 'snapshots'), { recursive: true });
          const model: ModelJson = withDomain({ ...c.model, weights: c.ema ?? c.model.weights });
          writeFileAtomicSync(join(out, 'snapshots', `model-${c.step}.json`), JSON.stringify(model));
        }
      },
      onBest: (m) => {
        writeFileAtomicSync(modelPath, JSON.stringify(withDomain(m)));
        wroteBest = true;
      },
    },
    checkpoint,
  );
  const best = withDomain(result.best);
  if (!wroteBest) writeFileAtomicSync(modelPath, JSON.stringify(best));
  return { ...result, best };
}
