import * as tf from '@tensorflow/tfjs';
import type { Crystal } from '@crys/lattice';
import { elementSymbol, InvalidArgumentError } from '@crys/lattice';
import type { SpeciesDescriptors } from './descriptors.js';
import type { ModelDomain } from './domain.js';
import { ModelFormatError, UnsupportedCrystalError } from './errors.js';
import {
  ActionNetwork,
  countParameters,
  DEFAULT_NETWORK,
  type NetworkConfig,
  type NetworkWeights,
  networkWeights,
} from './network.js';
import { TASKS, type TaskConfig, type TaskKind, type VolumePrior } from './tasks.js';

/** Format tag of model and checkpoint JSON. */
export const MODEL_FORMAT = 'crys-action-model';
/**
 * Version of the model JSON layout: 3 since `network.graph: 'cutoff'` (a model an earlier reader would run on the
 * wrong graph); a model without it is still written as version 2, which earlier versions read. {@link loadModel}
 * reads 2 and 3.
 */
export const MODEL_VERSION = 3;

/** The layout version a model's JSON is written with: 3 for a cutoff-graph network, else 2. */
function layoutVersion(config: ModelConfig): number {
  return config.network.graph === 'cutoff' ? 3 : 2;
}

/**
 * Everything that defines an action model except its weights. Serialised as the `config` of a model JSON.
 *
 * @example
 * const config = defaultModelConfig('structure', [6]);
 */
export interface ModelConfig {
  /** Short name, e.g. `perov_5`. */
  readonly name: string;
  /** The noise process the model undoes. */
  readonly task: TaskConfig;
  /** Network size. */
  readonly network: NetworkConfig;
  /** Atomic numbers the model knows, in embedding-row order. */
  readonly species: readonly number[];
  /**
   * Element descriptors per species, recorded when `network.descriptors` is true (so a model keeps the values it
   * was trained with; see `elementDescriptors`).
   */
  readonly descriptors?: SpeciesDescriptors;
  /** Volume prior, one v per species (Å³). */
  readonly prior: VolumePrior;
  /** Neighbours per atom in the k-nearest multigraph. */
  readonly k: number;
  /** Largest crystal (atoms) the model accepts. */
  readonly maxAtoms: number;
  /** Default number of inference steps. */
  readonly steps: number;
  /** Default number of polishing steps at level 0 after the schedule (absent: 0). */
  readonly refineSteps?: number;
  /** Default Langevin corrector steps after each annealed step (absent: 0), chosen on the validation split. */
  readonly correctorSteps?: number;
  /** Default corrector step size (absent: 0.1). */
  readonly correctorScale?: number;
  /** Training-set mean and floored spread of a, b, c, α, β, γ (the lattice loss and the mean baseline). */
  readonly latticeStats?: LatticeStats;
  /** A property model's dataset column and its training split's mean and spread (see `predictProperty`). */
  readonly property?: PropertyStats;
  /**
   * What the model was trained on: elements, atoms per cell and volume per atom of its training split, the task and
   * the dataset (absent in files written before it was recorded). See `domainIssues`.
   */
  readonly domain?: ModelDomain;
  /** Free-form provenance (dataset, split, command, training time). */
  readonly meta?: Readonly<Record<string, string | number>>;
}

/**
 * The property a `property` model predicts: the dataset column it was trained on and that column's mean and
 * standard deviation over the training split (the network predicts the standardised value).
 */
export interface PropertyStats {
  /** Column name, e.g. `heat_ref`. */
  readonly name: string;
  readonly mean: number;
  /** Standard deviation, floored so a constant column stays finite. */
  readonly std: number;
}

/** Mean and spread of a, b, c (Å) and α, β, γ (degrees) over training crystals. */
export interface LatticeStats {
  readonly mean: readonly number[];
  /** Standard deviations, floored (0.05 Å, 1°) so a parameter without spread (every Perov-5 angle) stays finite. */
  readonly std: readonly number[];
}

/**
 * A model configuration with default network size, k = 16 and 100 inference steps, and a flat prior of
 * 15 Å³ per atom until one is fitted.
 *
 * @example
 * defaultModelConfig('structure', [6]).k; // 16
 */
export function defaultModelConfig(task: TaskKind, species: readonly number[], name: string = task): ModelConfig {
  return {
    name,
    task: TASKS[task],
    network: DEFAULT_NETWORK,
    species: [...species],
    prior: { volumes: species.map(() => 15) },
    k: 16,
    maxAtoms: 64,
    steps: 100,
  };
}

/**
 * The graph a model configuration runs on: `{ cutoff }` when `network.graph` is `'cutoff'` (the network's cutoff),
 * else `{ k }`.
 *
 * @example
 * modelGraphSpec(defaultModelConfig('structure', [6])); // { k: 16 }
 */
export function modelGraphSpec(config: ModelConfig): { readonly k: number } | { readonly cutoff: number } {
  return config.network.graph === 'cutoff' ? { cutoff: config.network.cutoff } : { k: config.k };
}

/**
 * An action model: its configuration and its float32 weights (tfjs variables).
 *
 * @example
 * const model = createModel(defaultModelConfig('structure', [6]), 0);
 */
export interface ActionModel {
  readonly config: ModelConfig;
  /** The network (`@crys/egnn` layers). */
  readonly network: ActionNetwork;
  /** Its weights by name, in file order. */
  readonly weights: NetworkWeights;
}

/**
 * A freshly initialised model, weights drawn from a seeded generator (deterministic for a seed).
 *
 * @example
 * const model = createModel(defaultModelConfig('denoise', [8, 22, 38]), 42);
 */
export function createModel(config: ModelConfig, seed: number): ActionModel {
  if (config.network.descriptors && config.descriptors?.values.length !== config.species.length) {
    throw new InvalidArgumentError(
      'createModel',
      'config.descriptors',
      `must hold one row per species (${config.species.length}) when network.descriptors is true, got ${config.descriptors?.values.length ?? 'none'}`,
      config.descriptors,
    );
  }
  const network = new ActionNetwork(config.network, seed, config.descriptors?.values);
  return { config, network, weights: networkWeights(network) };
}

/**
 * Number of trainable scalars of a model.
 *
 * @example
 * parameterCount(model); // ~135 000 for the default size and 56 species
 */
export function parameterCount(model: ActionModel): number {
  return countParameters(model.weights);
}

/** Frees the tensors of a model. */
export function disposeModel(model: ActionModel): void {
  model.network.dispose();
}

/**
 * Species indices of a crystal's atoms; throws {@link UnsupportedCrystalError} for an element the model was
 * not trained on, an empty crystal or one above the model's size limit.
 *
 * @example
 * speciesIndices(model, crystal.atomicNumbers, 'relax');
 */
export function speciesIndices(model: ActionModel, atomicNumbers: ArrayLike<number>, fn: string): Int32Array {
  const n = atomicNumbers.length;
  if (n === 0) throw new UnsupportedCrystalError(fn, 'crystal', 'empty', 'must have at least one atom, got 0');
  if (n > model.config.maxAtoms) {
    throw new UnsupportedCrystalError(
      fn,
      'crystal',
      'size',
      `has ${n} atoms, above the model's limit of ${model.config.maxAtoms}`,
      n,
    );
  }
  const out = new Int32Array(n);
  const species = model.config.species;
  for (let i = 0; i < n; i++) {
    const s = species.indexOf(atomicNumbers[i]);
    if (s < 0) {
      const z = atomicNumbers[i];
      const symbol = z >= 1 && z <= 118 ? elementSymbol(z) : String(z);
      throw new UnsupportedCrystalError(
        fn,
        'atomicNumbers',
        'element',
        `contains ${symbol} (Z = ${z}) at index ${i}, which model '${model.config.name}' was not trained on (${species.length} elements)`,
        z,
      );
    }
    out[i] = s;
  }
  return out;
}

/** Checks a crystal against a model (see {@link speciesIndices}). */
export function assertSupported(model: ActionModel, crystal: Crystal, fn: string): void {
  speciesIndices(model, crystal.atomicNumbers, fn);
}

// ---------------------------------------------------------------------------------------------------------
// Serialisation: one JSON document, weights as base64 little-endian float32, loadable in a browser.

/** One weight in a model JSON. */
export interface SerializedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  /** base64 of little-endian float32 values. */
  readonly data: string;
}

/**
 * The JSON form of a model: `{ format, version, config, weights }`.
 *
 * @example
 * const json: ModelJson = modelToJson(model);
 */
export interface ModelJson {
  readonly format: typeof MODEL_FORMAT;
  readonly version: number;
  readonly config: ModelConfig;
  readonly weights: readonly SerializedWeight[];
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** base64 of bytes (no Buffer, so it runs in a browser). @internal */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i],
      b = bytes[i + 1] ?? 0,
      c = bytes[i + 2] ?? 0;
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return out;
}

/** Bytes of base64 text. @internal */
export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/[^A-Za-z0-9+/]/g, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const n =
      (B64.indexOf(clean[i]) << 18) |
      (B64.indexOf(clean[i + 1]) << 12) |
      ((i + 2 < clean.length ? B64.indexOf(clean[i + 2]) : 0) << 6) |
      (i + 3 < clean.length ? B64.indexOf(clean[i + 3]) : 0);
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/** Serialises named float32 tensors. @internal */
export function serializeTensors(tensors: ReadonlyMap<string, tf.Tensor>): SerializedWeight[] {
  const out: SerializedWeight[] = [];
  for (const [name, t] of tensors) {
    const values = Float32Array.from(t.dataSync());
    out.push({ name, shape: t.shape, data: toBase64(new Uint8Array(values.buffer)) });
  }
  return out;
}

/** Float32 values of a serialised weight, checked against its shape. @internal */
export function deserializeValues(w: SerializedWeight, fn: string): Float32Array {
  const bytes = fromBase64(w.data);
  const size = w.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== 4 * size) {
    throw new ModelFormatError(
      fn,
      `weight '${w.name}' has ${bytes.length} bytes, expected ${4 * size} for shape [${w.shape.join(', ')}]`,
    );
  }
  return new Float32Array(bytes.buffer, bytes.byteOffset, size);
}

/**
 * The JSON document of a model (config + base64 float32 weights).
 *
 * @example
 * const text = JSON.stringify(modelToJson(model));
 */
export function modelToJson(model: ActionModel): ModelJson {
  return {
    format: MODEL_FORMAT,
    version: layoutVersion(model.config),
    config: model.config,
    weights: serializeTensors(model.weights),
  };
}

/**
 * Loads a model from its JSON document, as an object or text (e.g. the body of a fetched URL). Throws
 * {@link ModelFormatError} for a wrong format tag or version, a missing weight or a shape mismatch.
 *
 * @example
 * const model = loadModel(await (await fetch('/models/perov_5/model.json')).text());
 */
export function loadModel(json: string | ModelJson): ActionModel {
  const fn = 'loadModel';
  let doc: ModelJson;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json) as ModelJson;
    } catch (e) {
      throw new ModelFormatError(fn, `json is not valid JSON (${(e as Error).message})`);
    }
  } else doc = json;
  if (typeof doc !== 'object' || doc === null || doc.format !== MODEL_FORMAT) {
    throw new ModelFormatError(
      fn,
      `json must have format '${MODEL_FORMAT}', got ${JSON.stringify((doc as { format?: unknown })?.format)}`,
    );
  }
  if (doc.version !== 2 && doc.version !== MODEL_VERSION) {
    throw new ModelFormatError(
      fn,
      `json has version ${doc.version}, this package reads versions 2 and ${MODEL_VERSION}`,
    );
  }
  const model = createModel(doc.config, 0);
  const byName = new Map(doc.weights.map((w) => [w.name, w]));
  for (const [name, v] of model.weights) {
    const w = byName.get(name);
    if (w === undefined) {
      disposeModel(model);
      throw new ModelFormatError(fn, `weight '${name}' is missing`);
    }
    if (w.shape.length !== v.shape.length || w.shape.some((d, i) => d !== v.shape[i])) {
      disposeModel(model);
      throw new ModelFormatError(
        fn,
        `weight '${name}' has shape [${w.shape.join(', ')}], expected [${v.shape.join(', ')}]`,
      );
    }
    const t = tf.tensor(deserializeValues(w, fn), v.shape, 'float32');
    v.assign(t);
    t.dispose();
  }
  return model;
}
