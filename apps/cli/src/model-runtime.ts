/**
 * Everything the model commands share: backend start-up, finding a model by name or path, and rows. Commands
 * import this module (and with it @crys/model and tfjs) lazily, so `crys info` and `crys --help` start fast.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { elementSymbol } from '@crys/lattice';
import { CliFailure, UsageError } from './errors.js';
import { readText } from './files.js';
import { autoThreads } from './options.js';
import type { LoadedCrystal } from './load.js';
import {
  type ActionModel,
  type DatasetRow,
  initModelBackend,
  loadModel,
  ModelFormatError,
  SHIPPED_MODEL_NAMES,
  shippedModelUrl,
  type TaskKind,
} from '@crys/model';

let backend: string | undefined;

/**
 * Starts tfjs once, on `preferred` (wasm by default; cpu when wasm cannot start), with `threads` kernel threads on
 * wasm (`--threads`; 'auto' is {@link autoThreads}); returns the backend in use. Results are deterministic for a seed
 * on one backend, whatever the threads, and may differ in the last digits between backends.
 */
export async function startBackend(preferred: 'wasm' | 'cpu' = 'wasm', threads: number | 'auto' = 1): Promise<string> {
  const count = threads === 'auto' ? autoThreads() : threads;
  if (backend === undefined) backend = await initModelBackend(preferred, { threads: count });
  else if (backend === 'wasm') await initModelBackend('wasm', { threads: count });
  return backend;
}

/** File path of a shipped model (it may be absent from a checkout). */
function shippedPath(name: string): string {
  return fileURLToPath(shippedModelUrl(name));
}

/**
 * The model of `--lattice-model`: a lattice-recovery model (shipped name or path) that knows every element of the
 * inputs, for the predictions of the structure model `main`. Checked before any work starts.
 */
export function resolveLatticeModel(spec: string, main: ActionModel, elements: Iterable<number>): ResolvedModel {
  if (main.config.task.kind !== 'structure') {
    throw new UsageError(
      `--lattice-model re-derives the lattices of structure predictions, but model '${main.config.name}' is a ${main.config.task.kind} model`,
      'use it with a structure model, e.g. --model perov_5 --lattice-model perov_5-lattice',
    );
  }
  const resolved = resolveModel(spec, 'lattice', elements);
  assertCompanion(resolved.model, spec, elements, {
    flag: '--lattice-model',
    kind: 'lattice',
    what: 'a lattice-recovery model',
    train: 'give one trained with `crys train --task lattice`, e.g. perov_5-lattice',
    pick: 'the lattice model',
  });
  return resolved;
}

/**
 * Checks the second model of `--lattice-model` or `--rank-by`: of the task the flag needs and trained on every
 * element of the inputs (UsageError naming the flag otherwise).
 */
function assertCompanion(
  model: ActionModel,
  spec: string,
  elements: Iterable<number>,
  need: { flag: string; kind: TaskKind; what: string; train: string; pick: string },
): void {
  if (model.config.task.kind !== need.kind) {
    throw new UsageError(`${need.flag} '${spec}' is a ${model.config.task.kind} model, not ${need.what}`, need.train);
  }
  const unknown = [...new Set(elements)].filter((z) => !model.config.species.includes(z));
  if (unknown.length > 0) {
    throw new UsageError(
      `${need.flag} '${spec}' was not trained on ${unknown.map((z) => elementSymbol(z)).join(', ')}`,
      `it knows ${model.config.species.length} elements; pick ${need.pick} of the same dataset as --model`,
    );
  }
}

/** A property model cannot move crystals: refused with the way to use it, before any work. */
export function refusePropertyModel(model: ActionModel, source: string, command: string): void {
  if (model.config.task.kind === 'property') {
    throw new UsageError(
      `${command} moves crystals, and ${source} is a property model (it predicts ${model.config.property?.name ?? 'a number'})`,
      `rank structure samples with it: crys predict --model perov_5 --composition SrTiO3 -n 4 --rank-by ${source}; or evaluate it: crys eval --model ${source} --data FILE.csv`,
    );
  }
}

/**
 * The model of `--rank-by`: a property model (shipped name or path) that knows every element of the inputs, to
 * choose among the `--candidates` samples of the structure model `main`. Checked before any work starts.
 */
export function resolveRankModel(
  spec: string,
  main: ActionModel,
  elements: Iterable<number>,
  candidates: number | undefined,
): ResolvedModel {
  if (candidates === undefined) {
    throw new UsageError(
      '--rank-by chooses among several samples per row, and needs --candidates k',
      `add --candidates 4 (or more) to --rank-by ${spec}`,
    );
  }
  if (main.config.task.kind !== 'structure') {
    throw new UsageError(
      `--rank-by chooses among structure predictions, but model '${main.config.name}' is a ${main.config.task.kind} model`,
      'use it with a structure model, e.g. --model perov_5 --candidates 4 --rank-by perov_5-energy',
    );
  }
  if (!existsSync(spec) && !(SHIPPED_MODEL_NAMES as readonly string[]).includes(spec)) {
    throw new UsageError(
      `--rank-by '${spec}' is neither a shipped model nor an existing file`,
      'give a property model: a shipped one (perov_5-energy) or the --out folder of `crys train --task property`',
    );
  }
  const resolved = resolveModel(spec, 'property', elements);
  assertCompanion(resolved.model, spec, elements, {
    flag: '--rank-by',
    kind: 'property',
    what: 'a property model',
    train: 'give one trained with `crys train --task property --property COLUMN`, e.g. perov_5-energy',
    pick: 'the property model',
  });
  return resolved;
}

/** Shipped model name for a task and dataset, e.g. (`denoise`, `perov_5`) → `perov_5-denoise`. */
function shippedName(task: TaskKind, dataset: string): string {
  return task === 'structure' ? dataset : `${dataset}-${task}`;
}

/** The shipped models that are present in this checkout. */
export function availableShippedModels(): string[] {
  return SHIPPED_MODEL_NAMES.filter((n) => existsSync(shippedPath(n)));
}

/** A model and where it came from. */
export interface ResolvedModel {
  readonly model: ActionModel;
  /** Shipped name or file path. */
  readonly source: string;
  /** The model.json it was read from. */
  readonly file: string;
}

/** Reads a model JSON from a file or a training directory (its model.json). */
function loadModelFromPath(path: string): { model: ActionModel; file: string } {
  const file = statSync(path).isDirectory() ? join(path, 'model.json') : path;
  if (!existsSync(file)) {
    throw new CliFailure(
      `${path} is a folder without model.json`,
      'pass the --out folder of a finished `crys train` run, or a model.json file',
    );
  }
  return { model: parseModel(file), file };
}

/** Loads a model JSON file; a file that is not JSON fails naming the file, other faults are @crys/model's. */
function parseModel(file: string): ActionModel {
  const text = readText(file);
  try {
    JSON.parse(text);
  } catch (e) {
    throw new CliFailure(
      `${file} is not a model file: ${(e as Error).message}`,
      'pass a model.json written by `crys train` (a killed run keeps its last complete one)',
    );
  }
  try {
    return loadModel(text);
  } catch (e) {
    // loadModel names its API argument (`loadModel: json must have format …`): say which file instead
    if (!(e instanceof ModelFormatError)) throw e;
    throw new CliFailure(
      `${file} is not a crys model file: ${e.message.replace(/^loadModel: (json )?/, '')}`,
      'pass a shipped model name (perov_5, carbon_24, …), a model.json written by `crys train`, or its --out folder',
    );
  }
}

/**
 * The model a command should use: `spec` as a shipped name (`perov_5`, `carbon_24-denoise`, …) or a path to a
 * model.json / training folder; without `spec`, the first shipped model for `task` whose elements cover
 * `elements`. Errors list the choices.
 */
export function resolveModel(spec: string | undefined, task: TaskKind, elements: Iterable<number>): ResolvedModel {
  const shipped: readonly string[] = SHIPPED_MODEL_NAMES;
  if (spec !== undefined) {
    if (existsSync(spec)) return { ...loadModelFromPath(spec), source: spec };
    if (shipped.includes(spec)) {
      const path = shippedPath(spec);
      if (!existsSync(path)) {
        throw new CliFailure(
          `the shipped model '${spec}' is not in this checkout (${path})`,
          `available: ${availableShippedModels().join(', ') || 'none yet'}; or train one with \`crys train\``,
        );
      }
      return { model: parseModel(path), source: spec, file: path };
    }
    throw new UsageError(
      `--model '${spec}' is neither a shipped model nor an existing file`,
      `shipped models: ${shipped.join(', ')}; or a model.json / \`crys train --out\` folder`,
    );
  }
  const need = [...new Set(elements)];
  const tried: string[] = [];
  for (const dataset of ['perov_5', 'carbon_24']) {
    const name = shippedName(task, dataset);
    const path = shippedPath(name);
    if (!existsSync(path)) continue;
    const model = parseModel(path);
    tried.push(name);
    if (need.every((z) => model.config.species.includes(z))) return { model, source: name, file: path };
  }
  if (tried.length === 0) {
    throw new CliFailure(
      `no shipped ${task} model is in this checkout`,
      'pass --model PATH (a model.json written by `crys train`)',
    );
  }
  throw new CliFailure(
    `no shipped ${task} model knows all of ${need.map((z) => elementSymbol(z)).join(', ')} (tried ${tried.join(', ')})`,
    'train one on data with these elements (`crys train --data …`) and pass --model PATH',
  );
}

/** The model's task kind from the user's word (`csp` is structure prediction). */
export function taskKind(word: string): TaskKind {
  if (word === 'csp' || word === 'structure') return 'structure';
  if (word === 'denoise' || word === 'lattice' || word === 'property') return word;
  throw new UsageError(`--task '${word}' is not a task`, 'choose lattice, denoise, csp or property');
}

/** Dataset rows in the shape @crys/model's dataset functions take. */
export function asRows(items: readonly LoadedCrystal[]): DatasetRow[] {
  return items.map((it, i) => ({
    id: it.id ?? String(i + 1),
    crystal: it.crystal,
    properties: Object.fromEntries(Object.entries(it.properties ?? {}).map(([k, v]) => [k, String(v)])),
  }));
}
