import { atomActions, latticeAction } from '@crys/actions';
import {
  CosineCutoff,
  EdgeHead,
  EgnnConv,
  edgeLengths,
  GaussianBasis,
  GraphLayer,
  type GraphLayerArgs,
  gatherRows,
  gatherRowsAdd,
  type LayerConfig,
  linear,
  type NamedWeight,
  SpeciesEmbedding,
  segmentMean,
  silu,
  sliceColumns,
} from '@crys/egnn';
import * as tf from '@tensorflow/tfjs';

/**
 * Size of the action network. Defaults give ~120 k parameters (F = 64, 4 layers), small enough for a browser.
 *
 * @example
 * const config: NetworkConfig = { ...DEFAULT_NETWORK, hidden: 32, layers: 2 };
 */
export interface NetworkConfig {
  /** Feature width F of nodes and edge messages. */
  readonly hidden: number;
  /** Number of message-passing layers ({@link EgnnConv} + {@link VectorChannels} each). */
  readonly layers: number;
  /** Gaussian radial basis functions on the edge length. */
  readonly rbf: number;
  /** Cutoff (Å) of the radial basis and of the cosine envelope; k-nearest edges beyond it carry nothing. */
  readonly cutoff: number;
  /** Equivariant vector channels per layer whose norms feed the node update (angular information). */
  readonly vectorChannels: number;
  /** Sinusoidal features of the noise level. */
  readonly timeFeatures: number;
}

/**
 * Default network size.
 *
 * @example
 * DEFAULT_NETWORK.hidden; // 64
 */
export const DEFAULT_NETWORK: NetworkConfig = {
  hidden: 64,
  layers: 4,
  rbf: 32,
  cutoff: 8,
  vectorChannels: 16,
  timeFeatures: 16,
};

/**
 * The inputs of one forward pass over a batch of crystals (constant tensors built by `buildInputs`). Edge e
 * points from `src[e]` to `dst[e]` (plus its image); `vectors` holds r_e in Å.
 */
export interface NetworkInputs {
  /** N atomic numbers (int32). */
  readonly atomicNumbers: tf.Tensor1D;
  /** N crystal index of every atom (int32). */
  readonly nodeCrystal: tf.Tensor1D;
  /** E source atoms (int32): where the atom actions and messages gather. */
  readonly src: tf.Tensor1D;
  /** E destination atoms (int32). */
  readonly dst: tf.Tensor1D;
  /** E source atoms on the CPU (the action kernels index with it). */
  readonly srcIndex: Int32Array;
  /** E crystal index of every edge, on the CPU. */
  readonly edgeCrystalIndex: Int32Array;
  /** E × 3 Cartesian edge vectors r_e (Å). */
  readonly vectors: tf.Tensor2D;
  /** N × 3 × 3 inverse lattice of each atom's crystal (Cartesian row → fractional row). */
  readonly nodeLatticeInverse: tf.Tensor3D;
  /** B noise levels t ∈ [0, 1]. */
  readonly level: tf.Tensor1D;
  readonly numNodes: number;
  readonly numCrystals: number;
}

/** The actions predicted for a batch. */
export interface NetworkOutputs {
  /** N × 3 fractional correction per atom (in units of the task's noise scale σ(t)). */
  readonly atoms: tf.Tensor2D;
  /** B × 3 × 3 symmetric log-deformation A per crystal; the lattice action is L ← L·exp(A). */
  readonly lattice: tf.Tensor3D;
}

/** Arguments of {@link NoiseLevelEmbedding}. */
export interface NoiseLevelEmbeddingArgs extends GraphLayerArgs {
  /** Sinusoidal features T (even). */
  features: number;
  /** Output width F. */
  units: number;
}

/**
 * Embedding of the noise level t ∈ [0, 1] of each crystal: sinusoids sin/cos(π·2^k·t), k < T/2, then a two-layer
 * SiLU MLP to F features. Invariant (t is a scalar).
 *
 * @example
 * new NoiseLevelEmbedding({ features: 16, units: 64 }).apply(tf.tensor1d([0.5])).shape; // [1, 64]
 */
export class NoiseLevelEmbedding extends GraphLayer<NoiseLevelEmbeddingArgs, tf.Tensor1D, tf.Tensor2D> {
  static className = 'NoiseLevelEmbedding';
  readonly features: number;
  readonly units: number;
  w1!: tf.Variable;
  b1!: tf.Variable;
  w2!: tf.Variable;
  b2!: tf.Variable;

  constructor(args: NoiseLevelEmbeddingArgs) {
    super(args);
    this.features = args.features;
    this.units = args.units;
  }

  override build(): void {
    if (this.built) return;
    const T = this.features,
      F = this.units;
    this.w1 = this.addWeight('w1', [T, F], { kind: 'uniform', fanIn: T });
    this.b1 = this.addWeight('b1', [F], { kind: 'zeros' });
    this.w2 = this.addWeight('w2', [F, F], { kind: 'uniform', fanIn: F });
    this.b2 = this.addWeight('b2', [F], { kind: 'zeros' });
    super.build();
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [inputShape[0], this.units];
  }

  call(level: tf.Tensor1D): tf.Tensor2D {
    const half = this.features / 2;
    const freqs = tf.tensor2d(
      Array.from({ length: half }, (_, k) => Math.PI * 2 ** k),
      [1, half],
    );
    const arg = tf.mul(tf.reshape(level, [-1, 1]), freqs);
    const feat = tf.concat([tf.sin(arg), tf.cos(arg)], 1) as tf.Tensor2D;
    const h = silu(linear(feat, as2(this.w1), as1(this.b1)));
    return linear(h, as2(this.w2), as1(this.b2));
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), features: this.features, units: this.units };
  }
}

/** Inputs of {@link VectorChannels}. */
export interface VectorChannelsInputs {
  /** Node features [N, F]. */
  nodeFeatures: tf.Tensor2D;
  /** Edge features [E, K] (radial basis). */
  edgeFeatures: tf.Tensor2D;
  /** Envelope [E]. */
  envelope: tf.Tensor1D;
  /** Unit edge vectors [E, 3]. */
  unitVectors: tf.Tensor2D;
  src: tf.Tensor1D;
  dst: tf.Tensor1D;
}

/** Arguments of {@link VectorChannels}. */
export interface VectorChannelsArgs extends GraphLayerArgs {
  /** Node feature size F. */
  units: number;
  /** Edge feature size K. */
  edgeFeatures: number;
  /** Vector channels C. */
  channels: number;
}

/**
 * Angular information for an invariant network: C equivariant vectors per atom, v_ic = mean_{e: src = i}
 * c_ec·f(d_e)·û_e with invariant coefficients c_e = W₂·SiLU(W_a h_src + W_b h_dst + W_c e_e + b₁) + b₂, whose
 * squared norms |v_ic|² (invariant) update the node features, h ← h + W₃·|v|². Rotating the crystal rotates every
 * v_ic and leaves |v_ic|² unchanged, so the output is invariant by construction; it sees the angles between a
 * centre's bonds, which distances alone do not give in one layer.
 *
 * @example
 * const layer = new VectorChannels({ units: 64, edgeFeatures: 32, channels: 16 });
 */
export class VectorChannels extends GraphLayer<VectorChannelsArgs, VectorChannelsInputs, tf.Tensor2D> {
  static className = 'VectorChannels';
  readonly units: number;
  readonly edgeFeatures: number;
  readonly channels: number;
  wa!: tf.Variable;
  wb!: tf.Variable;
  wc!: tf.Variable;
  b1!: tf.Variable;
  w2!: tf.Variable;
  b2!: tf.Variable;
  w3!: tf.Variable;

  constructor(args: VectorChannelsArgs) {
    super(args);
    this.units = args.units;
    this.edgeFeatures = args.edgeFeatures;
    this.channels = args.channels;
  }

  override build(): void {
    if (this.built) return;
    const F = this.units,
      K = this.edgeFeatures,
      C = this.channels;
    const fanIn = 2 * F + K;
    this.wa = this.addWeight('wa', [F, C], { kind: 'uniform', fanIn });
    this.wb = this.addWeight('wb', [F, C], { kind: 'uniform', fanIn });
    this.wc = this.addWeight('wc', [K, C], { kind: 'uniform', fanIn });
    this.b1 = this.addWeight('b1', [C], { kind: 'zeros' });
    this.w2 = this.addWeight('w2', [C, C], { kind: 'uniform', fanIn: C });
    this.b2 = this.addWeight('b2', [C], { kind: 'zeros' });
    this.w3 = this.addWeight('w3', [C, F], { kind: 'uniform', fanIn: C });
    super.build();
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [inputShape[0], this.units];
  }

  call(inputs: VectorChannelsInputs): tf.Tensor2D {
    const { nodeFeatures: h, edgeFeatures: e, envelope, unitVectors, src, dst } = inputs;
    const N = h.shape[0],
      E = e.shape[0],
      C = this.channels;
    const z = gatherRowsAdd(
      linear(h, as2(this.wa)),
      src,
      linear(h, as2(this.wb)),
      dst,
      linear(e, as2(this.wc), as1(this.b1)),
    );
    const coef = tf.mul(linear(silu(z), as2(this.w2), as1(this.b2)), tf.reshape(envelope, [-1, 1])); // E × C
    const vec = tf.reshape(tf.mul(tf.reshape(coef, [E, C, 1]), tf.reshape(unitVectors, [E, 1, 3])), [E, 3 * C]);
    const nodeVec = segmentMean(vec as tf.Tensor2D, src, N);
    const norms = tf.sum(tf.square(tf.reshape(nodeVec, [N, C, 3])), 2) as tf.Tensor2D;
    return tf.add(h, linear(norms, as2(this.w3))) as tf.Tensor2D;
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), units: this.units, edgeFeatures: this.edgeFeatures, channels: this.channels };
  }
}

const as2 = (v: tf.Variable) => v as tf.Tensor as tf.Tensor2D;
const as1 = (v: tf.Variable) => v as tf.Tensor as tf.Tensor1D;

/**
 * The action network, assembled from `@crys/egnn` layers and `@crys/actions` heads: species embedding
 * ({@link SpeciesEmbedding}) plus a noise-level embedding, then `layers` × ({@link EgnnConv} with mean
 * aggregation → {@link VectorChannels}) on the k-nearest multigraph with a Gaussian basis and cosine envelope,
 * then an {@link EdgeHead} giving two invariant weights per edge. `@crys/actions` turns them into actions: the
 * atom action Σ_e w⁰_e r_e / deg(i) (Cartesian, mapped to fractional with L⁻¹) and the lattice action
 * A = mean_e w¹_e û_e û_eᵀ (symmetric). Only invariants enter the MLPs, so the actions are equivariant by
 * construction.
 *
 * @example
 * const net = new ActionNetwork(DEFAULT_NETWORK, 0);
 * const { atoms, lattice } = tf.tidy(() => net.forward(inputs));
 */
export class ActionNetwork {
  readonly config: NetworkConfig;
  readonly embedding: SpeciesEmbedding;
  readonly levelEmbedding: NoiseLevelEmbedding;
  readonly basis: GaussianBasis;
  readonly envelope: CosineCutoff;
  readonly convs: readonly EgnnConv[];
  readonly vectorChannels: readonly VectorChannels[];
  readonly head: EdgeHead;

  constructor(config: NetworkConfig, seed: number) {
    this.config = config;
    const F = config.hidden,
      R = config.rbf;
    const sub = (i: number) => seed * 1000 + i;
    this.embedding = new SpeciesEmbedding({ name: 'embedding', units: F, seed: sub(0) });
    this.levelEmbedding = new NoiseLevelEmbedding({
      name: 'level',
      features: config.timeFeatures,
      units: F,
      seed: sub(1),
    });
    this.basis = new GaussianBasis({ name: 'basis', size: R, cutoff: config.cutoff });
    this.envelope = new CosineCutoff({ name: 'envelope', cutoff: config.cutoff });
    this.convs = Array.from(
      { length: config.layers },
      (_, l) => new EgnnConv({ name: `conv${l}`, units: F, edgeFeatures: R, aggregation: 'mean', seed: sub(10 + l) }),
    );
    this.vectorChannels = Array.from(
      { length: config.layers },
      (_, l) =>
        new VectorChannels({
          name: `vec${l}`,
          units: F,
          edgeFeatures: R,
          channels: config.vectorChannels,
          seed: sub(100 + l),
        }),
    );
    this.head = new EdgeHead({ name: 'head', units: F, edgeFeatures: R, outputs: 2, seed: sub(999) });
  }

  /** All weights in a fixed order (the order of the model file). */
  get weights(): readonly NamedWeight[] {
    const out: NamedWeight[] = [...this.embedding.weights, ...this.levelEmbedding.weights];
    for (let l = 0; l < this.convs.length; l++) out.push(...this.convs[l].weights, ...this.vectorChannels[l].weights);
    out.push(...this.head.weights);
    return out;
  }

  /** Per-edge invariant weights [E, 2] (column 0: atoms, column 1: lattice). Call inside `tf.tidy`. */
  edgeWeights(x: NetworkInputs): tf.Tensor2D {
    const distances = edgeLengths(x.vectors);
    const edgeFeatures = this.basis.apply(distances);
    const envelope = this.envelope.apply(distances);
    const unitVectors = tf.div(x.vectors, tf.reshape(distances, [-1, 1])) as tf.Tensor2D;
    const level = this.levelEmbedding.apply(x.level);
    let h = tf.add(this.embedding.apply(x.atomicNumbers), gatherRows(level, x.nodeCrystal)) as tf.Tensor2D;
    const { src, dst } = x;
    for (let l = 0; l < this.convs.length; l++) {
      h = this.convs[l].apply({ nodeFeatures: h, edgeFeatures, envelope, src, dst });
      h = this.vectorChannels[l].apply({ nodeFeatures: h, edgeFeatures, envelope, unitVectors, src, dst });
    }
    return this.head.apply({ nodeFeatures: h, edgeFeatures, envelope, src, dst });
  }

  /**
   * One forward pass: the atom actions in fractional units and the symmetric lattice log-deformation of every
   * crystal. Call inside `tf.tidy` (or a gradient scope).
   */
  forward(x: NetworkInputs): NetworkOutputs {
    const w = this.edgeWeights(x);
    // Our column slices: tfjs-backend-wasm's split of an [E, 2] matrix (and the concat in its gradient) take tens of ms.
    const wAtom = sliceColumns(w, 0, 1);
    const wLattice = sliceColumns(w, 1, 1);
    const cart = atomActions(x.vectors, tf.reshape(wAtom, [-1]), x.srcIndex, x.numNodes, { reduce: 'mean' });
    const atoms = tf.sum(tf.mul(tf.reshape(cart, [x.numNodes, 3, 1]), x.nodeLatticeInverse), 1) as tf.Tensor2D;
    const lattice = latticeAction(x.vectors, tf.reshape(wLattice, [-1]), x.edgeCrystalIndex, x.numCrystals, {
      operator: 'direction',
      reduce: 'mean',
    });
    return { atoms, lattice };
  }

  /** Releases every weight. */
  dispose(): void {
    this.embedding.dispose();
    this.levelEmbedding.dispose();
    for (const c of this.convs) c.dispose();
    for (const v of this.vectorChannels) v.dispose();
    this.head.dispose();
  }
}

/** Named float32 weights of a network, in file order. */
export type NetworkWeights = Map<string, tf.Variable>;

/** The weights of a network as a name → variable map, in file order. */
export function networkWeights(net: ActionNetwork): NetworkWeights {
  return new Map(net.weights.map((w) => [w.name, w.variable]));
}

/** Number of scalar parameters in a set of weights. */
export function countParameters(weights: NetworkWeights): number {
  let n = 0;
  for (const v of weights.values()) n += v.size;
  return n;
}
