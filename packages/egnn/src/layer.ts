import { createRng } from '@crys/lattice';
import * as tf from '@tensorflow/tfjs';

/** Arguments every layer of this package accepts. */
export interface GraphLayerArgs {
  /** Layer name, used in weight names (`name/kernel`). Defaults to the class name in lower camel case. */
  name?: string;
  /** Seed of the weight initialiser: the same seed gives the same weights on every backend. Default 0. */
  seed?: number;
}

/** A weight of a layer: its path name (`conv0/edge1A`) and the variable holding it. */
export interface NamedWeight {
  readonly name: string;
  readonly variable: tf.Variable;
}

/** How a weight starts: PyTorch's `Linear` default U(±1/√fanIn), a standard normal (embeddings), or constants. */
export type WeightInit = { kind: 'uniform'; fanIn: number } | { kind: 'normal' } | { kind: 'zeros' } | { kind: 'ones' };

function initialValues(size: number, init: WeightInit, seed: number): Float32Array {
  const out = new Float32Array(size);
  if (init.kind === 'ones') return out.fill(1);
  if (init.kind === 'zeros') return out;
  const rng = createRng(seed);
  if (init.kind === 'normal') {
    for (let i = 0; i < size; i++) out[i] = rng.normal();
  } else {
    const limit = 1 / Math.sqrt(init.fanIn);
    for (let i = 0; i < size; i++) out[i] = (2 * rng.next() - 1) * limit;
  }
  return out;
}

/** The layer configuration as tfjs serialises it: plain JSON values. */
export type LayerConfig = tf.serialization.ConfigDict;

/**
 * Base class of the message-passing layers: a tfjs `Serializable` that owns `tf.Variable`s and has an explicit
 * `apply(inputs)` (graph inputs are several tensors: node features, `src`, `dst`, edge features), following the
 * shape of tfjs's `Dense`: args interface, `static className`, weights created in `build()`,
 * `computeOutputShape()`, `call()` run inside `tf.tidy`, `getConfig()`. Weights come out of {@link weights} in a
 * fixed order, so saving them is deterministic.
 *
 * @example
 * ```ts
 * const basis = new GaussianBasis({ size: 8, cutoff: 5 });
 * basis.apply(tf.tensor1d([1.5])).shape; // [1, 8]
 * ```
 */
export abstract class GraphLayer<Args extends GraphLayerArgs, In, Out extends tf.TensorContainer> extends tf
  .serialization.Serializable {
  /** Layer name (prefix of its weight names). */
  readonly name: string;
  /** True once {@link build} has created the weights. */
  built = false;
  protected readonly args: Args;
  private readonly namedWeights: NamedWeight[] = [];
  private weightCount = 0;

  constructor(args: Args) {
    super();
    this.args = args;
    const cls = (this.constructor as unknown as { className: string }).className;
    this.name = args.name ?? cls.charAt(0).toLowerCase() + cls.slice(1);
  }

  /** The weights in creation order (the order of the saved binary). Builds the layer if needed. */
  get weights(): readonly NamedWeight[] {
    if (!this.built) this.build();
    return this.namedWeights;
  }

  /** The trainable variables, in {@link weights} order (what an optimizer's `minimize` takes as `varList`). */
  get trainableVariables(): tf.Variable[] {
    return this.weights.map((w) => w.variable);
  }

  /** Creates a weight; deterministic in the layer's seed and the order of creation. */
  protected addWeight(name: string, shape: number[], init: WeightInit): tf.Variable {
    const seed = ((this.args.seed ?? 0) * 7919 + ++this.weightCount * 104729) >>> 0;
    const size = shape.reduce((a, b) => a * b, 1);
    const variable = tf.tidy(() => tf.variable(tf.tensor(initialValues(size, init, seed), shape, 'float32'), true));
    this.namedWeights.push({ name: `${this.name}/${name}`, variable });
    return variable;
  }

  /** Creates the weights. Shapes follow from the configuration, so no input shape is needed. */
  build(_inputShape?: number[]): void {
    this.built = true;
  }

  /** Output shape for the given input shape (`-1` or `null` for unknown sizes are passed through). */
  abstract computeOutputShape(inputShape: number[]): number[];

  /** The computation, without the tidy scope or the build check: call {@link apply} instead. */
  abstract call(inputs: In): Out;

  /** Builds the layer on first use and runs {@link call} inside `tf.tidy`, so no intermediate tensor leaks. */
  apply(inputs: In): Out {
    if (!this.built) this.build();
    return tf.tidy(() => this.call(inputs));
  }

  /** The configuration (JSON values) that `fromConfig` turns back into an equal layer. */
  getConfig(): LayerConfig {
    const config: LayerConfig = { name: this.name };
    if (this.args.seed !== undefined) config.seed = this.args.seed;
    return config;
  }

  /** Releases the weights. */
  dispose(): void {
    for (const w of this.namedWeights) w.variable.dispose();
    this.namedWeights.length = 0;
    this.built = false;
  }
}

// The layers' argument checks are @crys/lattice's, under the names this package has always used.
export { assertPositive, assertPositiveInteger as assertPositiveInt } from '@crys/lattice/internal';
