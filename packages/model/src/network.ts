import { atomActions, atomActionsInto, latticeAction, latticeActionInto } from '@crys/actions';
import { Egnn, type EgnnArgs, type EgnnInference, type NamedWeight, sliceColumns } from '@crys/egnn';
import { batchGraphs, type PeriodicGraph } from '@crys/graph';
import { type Crystal, InvalidArgumentError, invert } from '@crys/lattice';
import * as tf from '@tensorflow/tfjs';
import { buildInputs, disposeInputs, edgeEnvelope, inverseSoftDegree, type NetworkState } from './batch.js';

/**
 * Size of the action network. Defaults give ~120 k parameters (F = 64, 4 layers), small enough for a browser.
 *
 * @example
 * const config: NetworkConfig = { ...DEFAULT_NETWORK, hidden: 32, layers: 2 };
 */
export interface NetworkConfig {
  /** Feature width F of nodes and edge messages. */
  readonly hidden: number;
  /** Number of message-passing layers (`@crys/egnn`'s `EgnnConv` + `VectorChannels` each). */
  readonly layers: number;
  /** Gaussian radial basis functions on the edge length. */
  readonly rbf: number;
  /** Cutoff (Å) of the radial basis and of the cosine envelope; k-nearest edges beyond it carry nothing. */
  readonly cutoff: number;
  /** Equivariant vector channels per layer whose norms feed the node update (angular information). */
  readonly vectorChannels: number;
  /** Sinusoidal features of the noise level. */
  readonly timeFeatures: number;
  /**
   * Element descriptors in the species embedding (see {@link elementDescriptors}): every element's features are a
   * free row plus a projection of its radius, electronegativity, period, group, block and oxidation states shared
   * by all elements. Absent or false: a free table only (every model before 2026-12-04).
   */
  readonly descriptors?: boolean;
  /**
   * The graph and how it is averaged. `'knn'` (absent; every model before the cutoff graph of 2026-12-04): the k-nearest multigraph
   * (`ModelConfig.k`), messages and actions averaged over each atom's edges. `'cutoff'`: every neighbour within
   * {@link cutoff}, and every average (messages, vector channels, atom and lattice actions) weighted by the envelope
   * f(d_e), Σ f(d_e)·x_e / (Σ f(d_e) + ε): an edge enters the graph with weight 0, so the actions are continuous in
   * the positions (a k-nearest graph's averages jump when the k-th neighbour changes, which is often in a slightly
   * distorted cell whose neighbour shells are nearly degenerate).
   */
  readonly graph?: 'knn' | 'cutoff';
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
  /**
   * On a `'cutoff'` graph: the inverse soft degrees 1 / (Σ_e f(d_e) + ε) of every atom [N, 1] and crystal [B, 1, 1]
   * that make the actions envelope-weighted means (the edge outputs carry f). Absent: plain means.
   */
  readonly weighting?: {
    readonly inverseNodeDegree: tf.Tensor2D;
    readonly inverseCrystalDegree: tf.Tensor3D;
  };
}

/** The actions predicted for a batch. */
export interface NetworkOutputs {
  /** N × 3 fractional correction per atom (in units of the task's noise scale σ(t)). */
  readonly atoms: tf.Tensor2D;
  /** B × 3 × 3 symmetric log-deformation A per crystal; the lattice action is L ← L·exp(A). */
  readonly lattice: tf.Tensor3D;
}

/**
 * The `@crys/egnn` arguments of a network size: `Egnn` with mean aggregation, a level embedding of
 * `timeFeatures` sinusoids and `vectorChannels` vector channels per layer, two outputs per edge.
 */
function egnnArgs(config: NetworkConfig, seed: number, descriptors?: readonly (readonly number[])[]): EgnnArgs {
  return {
    ...(descriptors ? { speciesDescriptors: descriptors } : {}),
    units: config.hidden,
    basisSize: config.rbf,
    layers: config.layers,
    cutoff: config.cutoff,
    aggregation: config.graph === 'cutoff' ? 'weighted-mean' : 'mean',
    levelFeatures: config.timeFeatures,
    vectorChannels: config.vectorChannels,
    edgeOutputs: 2,
    seed,
  };
}

/**
 * Which forward pass {@link ActionNetwork.actions} runs: `'compiled'` is `@crys/egnn`'s `EgnnInference` (typed
 * arrays and WebAssembly SIMD, no tensors), `'tfjs'` the tensor forward pass of {@link ActionNetwork.forward}.
 * Both give the same actions to float32 rounding.
 */
export type NetworkInference = 'compiled' | 'tfjs';

/** The actions predicted for a batch, as plain arrays (see {@link ActionNetwork.actions}). */
export interface NetworkActions {
  /** 3·N fractional correction per atom, atom-major (in units of the task's noise scale σ(t)). */
  readonly atoms: Float64Array | Float32Array;
  /** 9·B symmetric log-deformation A per crystal, row-major. */
  readonly lattice: Float64Array | Float32Array;
}

/**
 * The action network: `@crys/egnn`'s {@link Egnn} with a noise-level embedding and vector channels (species
 * embedding + level embedding, then `layers` × (`EgnnConv` with mean aggregation → `VectorChannels`) on the
 * k-nearest multigraph with a Gaussian basis and cosine envelope, then an `EdgeHead` giving two invariant weights
 * per edge), and `@crys/actions` turning them into actions: the atom action Σ_e w⁰_e r_e / deg(i) (Cartesian,
 * mapped to fractional with L⁻¹) and the lattice action A = mean_e w¹_e û_e û_eᵀ (symmetric). Only invariants enter
 * the MLPs, so the actions are equivariant by construction.
 *
 * {@link forward} is the tensor pass (training); {@link actions} runs the compiled typed-array pass by default
 * ({@link inference}), which is what relax and structure prediction use.
 *
 * @example
 * const net = new ActionNetwork(DEFAULT_NETWORK, 0);
 * const { atoms, lattice } = tf.tidy(() => net.forward(inputs));
 * const fast = net.actions(states, graphs); // the same, as Float64Arrays
 */
export class ActionNetwork {
  readonly config: NetworkConfig;
  /** The network (weights `embedding/…`, `level/…`, `conv{l}/…`, `vec{l}/…`, `head/…`). */
  readonly egnn: Egnn;
  private pass: NetworkInference = 'compiled';
  private compiled: { readonly inference: EgnnInference; readonly weightData: readonly object[] } | undefined;

  /**
   * @param descriptors One row of element descriptors per species (embedding-row order), required when
   *   `config.descriptors` is true (see {@link elementDescriptors}).
   */
  constructor(config: NetworkConfig, seed: number, descriptors?: readonly (readonly number[])[]) {
    this.config = config;
    if (config.graph !== undefined && config.graph !== 'knn' && config.graph !== 'cutoff') {
      throw new InvalidArgumentError(
        'ActionNetwork',
        'config.graph',
        `must be 'knn' or 'cutoff', got ${String(config.graph)}`,
        config.graph,
      );
    }
    if (config.descriptors && !descriptors) {
      throw new InvalidArgumentError(
        'ActionNetwork',
        'descriptors',
        'config.descriptors is true but no descriptor rows were given',
        descriptors,
      );
    }
    this.egnn = new Egnn(egnnArgs(config, seed, config.descriptors ? descriptors : undefined));
    this.egnn.build();
  }

  /** All weights in a fixed order (the order of the model file). */
  get weights(): readonly NamedWeight[] {
    return this.egnn.weights;
  }

  /**
   * Which forward pass {@link actions} runs: `'compiled'` (default) or `'tfjs'`. May be changed at any time.
   *
   * @throws InvalidArgumentError for any other value.
   */
  get inference(): NetworkInference {
    return this.pass;
  }

  set inference(pass: NetworkInference) {
    if (pass !== 'compiled' && pass !== 'tfjs') {
      throw new InvalidArgumentError(
        'ActionNetwork',
        'inference',
        `must be 'compiled' or 'tfjs', got ${String(pass)}`,
        pass,
      );
    }
    this.pass = pass;
  }

  /** Per-edge invariant weights [E, 2] (column 0: atoms, column 1: lattice). Call inside `tf.tidy`. */
  edgeWeights(x: NetworkInputs): tf.Tensor2D {
    const { atomicNumbers, src, dst, vectors, level, nodeCrystal } = x;
    return this.egnn.apply({ atomicNumbers, src, dst, vectors, level, crystalIndex: nodeCrystal }).edgeOutputs;
  }

  /**
   * One forward pass: the atom actions in fractional units and the symmetric lattice log-deformation of every
   * crystal. Call inside `tf.tidy` (or a gradient scope).
   */
  forward(x: NetworkInputs): NetworkOutputs {
    const w = this.edgeWeights(x);
    // Our column slices: tfjs-backend-wasm's split of an [E, 2] matrix (and the concat in its gradient) take tens of ms.
    const wAtom = tf.reshape(sliceColumns(w, 0, 1), [-1]);
    const wLattice = tf.reshape(sliceColumns(w, 1, 1), [-1]);
    const weighted = x.weighting;
    if (this.config.graph === 'cutoff' && !weighted) {
      throw new InvalidArgumentError(
        'ActionNetwork.forward',
        'x.weighting',
        "is required on a 'cutoff' graph (buildInputs gives it for a { cutoff } spec)",
      );
    }
    // The edge head's outputs already carry the envelope f(d_e): on a cutoff graph their sums divided by Σ f + ε
    // are the envelope-weighted means.
    const reduce = weighted ? 'sum' : 'mean';
    let cart = atomActions(x.vectors, wAtom, x.srcIndex, x.numNodes, { reduce });
    if (weighted) cart = tf.mul(cart, weighted.inverseNodeDegree) as tf.Tensor2D;
    const atoms = tf.sum(tf.mul(tf.reshape(cart, [x.numNodes, 3, 1]), x.nodeLatticeInverse), 1) as tf.Tensor2D;
    let lattice = latticeAction(x.vectors, wLattice, x.edgeCrystalIndex, x.numCrystals, {
      operator: 'direction',
      reduce,
    });
    if (weighted) lattice = tf.mul(lattice, weighted.inverseCrystalDegree) as tf.Tensor3D;
    return { atoms, lattice };
  }

  /**
   * The actions for a batch of states and their graphs (one kNN graph with `vectors` per state, as `modelGraph`
   * builds it), without gradients: by the compiled pass, or by {@link forward} when {@link inference} is `'tfjs'`.
   * The compiled pass snapshots the weights and compiles again when any weight has been assigned since.
   *
   * @example
   * const { atoms, lattice } = net.actions([{ lattice, frac, atomicNumbers, level: 0.5 }], [graph]);
   */
  actions(states: readonly NetworkState[], graphs: readonly PeriodicGraph[]): NetworkActions {
    const fn = 'ActionNetwork.actions';
    if (graphs.length !== states.length) {
      throw new InvalidArgumentError(
        fn,
        'graphs',
        `must hold one graph per state (${states.length}), got ${graphs.length}`,
      );
    }
    const bare = graphs.findIndex((g) => g.vectors === undefined);
    if (bare >= 0) {
      throw new InvalidArgumentError(fn, `graphs[${bare}]`, 'must carry its edge vectors (as modelGraph builds them)');
    }
    if (this.pass === 'tfjs') {
      // The graphs are given, so buildInputs needs no k (a cutoff, for the envelope weights).
      const inputs = buildInputs(states, this.config.graph === 'cutoff' ? { cutoff: this.config.cutoff } : 0, graphs);
      try {
        return tf.tidy(() => {
          const out = this.forward(inputs);
          return { atoms: out.atoms.dataSync() as Float32Array, lattice: out.lattice.dataSync() as Float32Array };
        });
      } finally {
        disposeInputs(inputs);
      }
    }
    const crystals = states.map((s) => ({ lattice: s.lattice, fracCoords: s.frac, atomicNumbers: s.atomicNumbers }));
    const batch = batchGraphs(crystals as unknown as Crystal[], graphs as PeriodicGraph[]);
    // The float32 edge vectors the tensor pass sees, so both passes start from the same numbers.
    const vectors = Float32Array.from(batch.vectors as Float64Array);
    const level = Float32Array.from(states, (s) => s.level);
    const { edgeOutputs } = this.compiledInference().apply({
      atomicNumbers: batch.atomicNumbers,
      src: batch.src,
      dst: batch.dst,
      vectors,
      level,
      crystalIndex: batch.crystalIndex,
    });
    const N = batch.numNodes;
    const B = batch.numGraphs;
    const cutoff = this.config.graph === 'cutoff';
    let inverseNode: Float32Array | undefined;
    let inverseCrystal: Float32Array | undefined;
    if (cutoff) {
      // Envelope-weighted means, as forward: the edge outputs carry f(d_e); their sums × 1 / (Σ f + ε) per atom and
      // per crystal.
      const envelope = edgeEnvelope(vectors, this.config.cutoff);
      inverseNode = inverseSoftDegree(envelope, batch.src, N);
      inverseCrystal = inverseSoftDegree(envelope, batch.edgeCrystalIndex, B);
    }
    const reduce = cutoff ? 'sum' : 'mean';
    const atoms = atomActionsInto(new Float64Array(3 * N), vectors, edgeOutputs, batch.src, reduce, 2, 0);
    const lattice = latticeActionInto(
      new Float64Array(9 * B),
      vectors,
      edgeOutputs,
      batch.edgeCrystalIndex,
      'direction',
      reduce,
      2,
      1,
    );
    if (inverseNode && inverseCrystal) {
      for (let i = 0; i < 3 * N; i++) atoms[i] *= inverseNode[Math.floor(i / 3)];
      for (let q = 0; q < 9 * B; q++) lattice[q] *= inverseCrystal[Math.floor(q / 9)];
    }
    // Cartesian → fractional per atom: row · L⁻¹ (a singular cell gives zero, as in buildInputs).
    const linv = new Float64Array(9);
    for (let b = 0; b < B; b++) {
      if (invert(linv, batch.lattices.subarray(9 * b, 9 * b + 9)) === null) linv.fill(0);
      for (let i = batch.nodeOffsets[b]; i < batch.nodeOffsets[b + 1]; i++) {
        const x = atoms[3 * i];
        const y = atoms[3 * i + 1];
        const z = atoms[3 * i + 2];
        for (let j = 0; j < 3; j++) atoms[3 * i + j] = x * linv[j] + y * linv[3 + j] + z * linv[6 + j];
      }
    }
    return { atoms, lattice };
  }

  /** The compiled pass of the current weights (compiled again when a weight variable has been assigned). */
  private compiledInference(): EgnnInference {
    const weights = this.egnn.weights;
    const c = this.compiled;
    // tfjs's Variable.assign gives the variable the data of its new value, so an unchanged dataId is an unchanged
    // weight.
    if (c?.weightData.length === weights.length && weights.every((w, i) => w.variable.dataId === c.weightData[i])) {
      return c.inference;
    }
    const inference = this.egnn.compileInference();
    this.compiled = { inference, weightData: weights.map((w) => w.variable.dataId) };
    return inference;
  }

  /** Releases every weight. */
  dispose(): void {
    this.compiled = undefined;
    this.egnn.dispose();
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
