import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DatasetRow, readDataset, splitDataset } from './data.js';
import { shippedModelUrl } from './shipped.js';
import { type ActionModel, loadModel, type ModelJson, modelToJson } from './model.js';
import { type Checkpoint, type MetricsRecord, type TrainConfig, type TrainResult, train } from './train.js';

/**
 * Writes a file atomically: a temporary file beside it, then a rename (readers never see half a file).
 *
 * @example
 * writeFileAtomic('models/x/model.json', JSON.stringify(json));
 */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

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
 * Saves a model (or its JSON) atomically.
 *
 * @example
 * saveModelFile('out/model.json', model);
 */
export function saveModelFile(path: string, model: ActionModel | ModelJson): void {
  const json = 'weights' in model && model.weights instanceof Map ? modelToJson(model as ActionModel) : model;
  writeFileAtomic(path, JSON.stringify(json));
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
 * Options of {@link trainToDirectory}.
 *
 * @example
 * const options: TrainRunOptions = { dataset: 'data/perov_5/val.csv', out: 'runs/perov', config: { maxMinutes: 45 } };
 */
export interface TrainRunOptions {
  /** Dataset CSV; its `train` and `valid` splits (see `splitOf`) are used. */
  readonly dataset: string;
  /** Output directory: `metrics.jsonl` (appended), `checkpoint.json` (latest), `model.json` (best). */
  readonly out: string;
  readonly config: TrainConfig;
  /** Continue from `out/checkpoint.json` when it exists. */
  readonly resume?: boolean;
  /** Also print every metrics line to stdout. */
  readonly echo?: boolean;
}

/**
 * Trains on a dataset file and writes metrics (JSON lines), the latest checkpoint and the best model to a
 * directory, every file written atomically. With `resume`, continues from the directory's checkpoint.
 *
 * @example
 * trainToDirectory({ dataset: 'data/perov_5/val.csv', out: 'runs/perov', config: { task: 'structure', maxMinutes: 45 } });
 */
export function trainToDirectory(options: TrainRunOptions): TrainResult {
  const rows = readDatasetFile(options.dataset);
  const split = splitDataset(rows);
  mkdirSync(options.out, { recursive: true });
  const metricsPath = join(options.out, 'metrics.jsonl');
  const checkpointPath = join(options.out, 'checkpoint.json');
  const modelPath = join(options.out, 'model.json');
  let resume: Checkpoint | undefined;
  if (options.resume && existsSync(checkpointPath))
    resume = JSON.parse(readFileSync(checkpointPath, 'utf8')) as Checkpoint;
  const onMetrics = (r: MetricsRecord): void => {
    const line = JSON.stringify(r);
    appendFileSync(metricsPath, `${line}\n`);
    if (options.echo) console.log(line);
  };
  return train(
    options.config,
    { train: split.train.map((r) => r.crystal), valid: split.valid.map((r) => r.crystal) },
    {
      onMetrics,
      onCheckpoint: (c) => writeFileAtomic(checkpointPath, JSON.stringify(c)),
      onBest: (m) => writeFileAtomic(modelPath, JSON.stringify(m)),
    },
    resume,
  );
}
