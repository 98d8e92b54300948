import { assertCount } from '@crys/lattice/internal';
import * as tf from '@tensorflow/tfjs';
import { assertAggregation, assertEdgeChunkSize, EdgeHead, EgnnConv, type MessageAggregation } from './egnn-conv.js';
import { SpeciesEmbedding } from './embedding.js';
import { InvalidArgumentError, WeightsFormatError } from './errors.js';
import { EgnnInference, type EgnnInferenceOptions } from './inference.js';
import { gatherRows } from './ops/gather-rows.js';
import {
  assertPositive,
  assertPositiveInt,
  GraphLayer,
  type GraphLayerArgs,
  type LayerConfig,
  type NamedWeight,
} from './layer.js';
import { LevelEmbedding } from './level-embedding.js';
import { BesselBasis, CosineCutoff, edgeLengths, GaussianBasis, PolynomialCutoff } from './radial.js';
import { VectorChannels } from './vector-channels.js';

/** Arguments of {@link Egnn}. Defaults are the PyTorch peer's architecture (4 layers, F = 64, K = 16, r_c = 5 Å). */
export interface EgnnArgs extends GraphLayerArgs {
  /** Node feature size F. Default 64. */
  units?: number;
  /** Radial basis size K. Default 16. */
  basisSize?: number;
  /** Number of {@link EgnnConv} layers. Default 4. */
  layers?: number;
  /** Cutoff radius of the basis and envelope (Å). Default 5. */
  cutoff?: number;
  /** Largest atomic number. Default 100. */
  maxAtomicNumber?: number;
  /**
   * Fixed descriptors of each embedding row, shared through a learned projection (see
   * `SpeciesEmbeddingArgs.descriptors`). Default: none, a free table.
   */
  speciesDescriptors?: readonly (readonly number[])[];
  /** Hidden size of the MLPs. Default `units`. */
  hiddenUnits?: number;
  /** Radial basis: `'gaussian'` (default, the peer's) or `'bessel'`. */
  basis?: 'gaussian' | 'bessel';
  /** Envelope: `'cosine'` (default, the peer's) or `'polynomial'`. */
  envelope?: 'cosine' | 'polynomial';
  /** Invariant outputs per edge. Default 2. */
  edgeOutputs?: number;
  /**
   * Message aggregation of every layer: `'sum'` (default), `'mean'` over the edge count, or `'weighted-mean'` over
   * the soft degree Σ f(d_e) + ε (ε = {@link WEIGHTED_MEAN_EPSILON}), continuous as edges enter at the cutoff; see
   * {@link MessageAggregation}. With `'weighted-mean'` the {@link VectorChannels} layers average over the soft degree
   * too; otherwise over the edge count.
   */
  aggregation?: MessageAggregation;
  /** Gated messages in every layer. Default false. */
  gating?: boolean;
  /** Layer norm after every node update. Default false. */
  layerNorm?: boolean;
  /**
   * Sinusoidal features T (even) of a per-graph level t ∈ [0, 1] (a diffusion noise level or time): a
   * {@link LevelEmbedding} of each graph's t is added to its atoms' embeddings, and the inputs must carry `level` and
   * `crystalIndex`. Default 0: no level.
   */
  levelFeatures?: number;
  /**
   * Equivariant vector channels C of a {@link VectorChannels} layer after every {@link EgnnConv} (their norms update
   * the node features, giving the invariant layers angular information). Default 0: none.
   */
  vectorChannels?: number;
  /**
   * Edges per chunk of every layer outside a gradient tape (see `EgnnConvArgs.edgeChunkSize`): bounds the memory of
   * inference on large graphs. A run-time setting, not saved. Default 131072.
   */
  edgeChunkSize?: number;
}

/** Inputs of {@link Egnn}: atoms, edges and the Cartesian edge vectors (see `edgeVectors`). */
export interface EgnnInputs {
  /** int32 `[N]`. */
  atomicNumbers: tf.Tensor1D;
  /** int32 `[E]` centre atoms. */
  src: tf.Tensor1D;
  /** int32 `[E]` neighbour atoms. */
  dst: tf.Tensor1D;
  /**
   * float32 `[E, 3]` edge vectors r_e (Å). Only invariants enter the network: their lengths and, with vector
   * channels, the norms of per-atom sums of their directions.
   */
  vectors: tf.Tensor2D;
  /** float32 `[B]` level t of each graph; required when the network has `levelFeatures`. */
  level?: tf.Tensor1D;
  /** int32 `[N]` graph of each atom, in `[0, B)`; required when the network has `levelFeatures`. */
  crystalIndex?: tf.Tensor1D;
}

/** Outputs of {@link Egnn}. */
export type EgnnOutputs = {
  /** Per-edge invariant weights `[E, edgeOutputs]` (zero beyond the cutoff). */
  edgeOutputs: tf.Tensor2D;
  /** Final node features `[N, F]`. */
  nodeFeatures: tf.Tensor2D;
  /** Edge lengths `[E]` (safe at zero). */
  distances: tf.Tensor1D;
};

/** The saved form of a network: a JSON configuration with a weight manifest, and the weights as one Float32Array. */
export interface SavedEgnn {
  /** JSON text: class, configuration and weight names and shapes, in the order of {@link SavedEgnn.weights}. */
  readonly config: string;
  /** All weights, concatenated in manifest order. */
  readonly weights: Float32Array;
}

const FORMAT = 'crys-egnn';
const FORMAT_VERSION = 1;

/**
 * The periodic EGNN: species embedding (plus an optional {@link LevelEmbedding} of a per-graph level) → `layers` ×
 * ({@link EgnnConv}, optionally followed by {@link VectorChannels}) → {@link EdgeHead}, on edge lengths expanded in
 * a radial basis with a smooth envelope. Returns per-edge invariant outputs and node features. With the default
 * arguments it is the PyTorch peer's network (the peers' `egnn_ref.py`, see tools/peers/), weight for weight; with
 * `levelFeatures`, `vectorChannels` and mean aggregation it is `@crys/model`'s action network.
 *
 * @example
 * ```ts
 * const net = new Egnn({ units: 16, layers: 2, seed: 1 });
 * const { edgeOutputs } = net.apply({ atomicNumbers, src, dst, vectors }); // [E, 2]
 * const { config, weights } = net.save(); // deterministic: same weights → same bytes
 * const copy = Egnn.load(config, weights);
 * ```
 */
export class Egnn extends GraphLayer<EgnnArgs, EgnnInputs, EgnnOutputs> {
  static className = 'Egnn';
  readonly units: number;
  readonly basisSize: number;
  readonly numLayers: number;
  readonly cutoff: number;
  readonly maxAtomicNumber: number;
  readonly hiddenUnits: number;
  readonly basisKind: 'gaussian' | 'bessel';
  readonly envelopeKind: 'cosine' | 'polynomial';
  readonly edgeOutputs: number;
  readonly aggregation: MessageAggregation;
  readonly gating: boolean;
  readonly layerNorm: boolean;
  /** Sinusoidal level features T (0: no level input). */
  readonly levelFeatures: number;
  /** Vector channels C per layer (0: no {@link VectorChannels} layers). */
  readonly vectorChannels: number;
  readonly embedding: SpeciesEmbedding;
  /** The level embedding, when {@link levelFeatures} > 0. */
  readonly levelEmbedding: LevelEmbedding | undefined;
  readonly basis: GaussianBasis | BesselBasis;
  readonly envelope: CosineCutoff | PolynomialCutoff;
  readonly convs: readonly EgnnConv[];
  /** One {@link VectorChannels} layer after each conv layer (empty when {@link vectorChannels} is 0). */
  readonly vectorLayers: readonly VectorChannels[];
  readonly head: EdgeHead;

  constructor(args: EgnnArgs = {}) {
    super(args);
    const fn = 'Egnn';
    this.units = args.units ?? 64;
    this.basisSize = args.basisSize ?? 16;
    this.numLayers = args.layers ?? 4;
    this.cutoff = args.cutoff ?? 5;
    this.maxAtomicNumber = args.maxAtomicNumber ?? 100;
    this.hiddenUnits = args.hiddenUnits ?? this.units;
    this.basisKind = args.basis ?? 'gaussian';
    this.envelopeKind = args.envelope ?? 'cosine';
    this.edgeOutputs = args.edgeOutputs ?? 2;
    this.aggregation = args.aggregation ?? 'sum';
    this.gating = args.gating ?? false;
    this.layerNorm = args.layerNorm ?? false;
    this.levelFeatures = args.levelFeatures ?? 0;
    this.vectorChannels = args.vectorChannels ?? 0;
    assertPositiveInt(fn, 'layers', this.numLayers);
    assertCount(fn, 'levelFeatures', this.levelFeatures);
    assertCount(fn, 'vectorChannels', this.vectorChannels);
    assertEdgeChunkSize(fn, args.edgeChunkSize);
    assertPositive(fn, 'cutoff', this.cutoff);
    assertAggregation(fn, this.aggregation);
    if (this.basisKind !== 'gaussian' && this.basisKind !== 'bessel') {
      throw new InvalidArgumentError(fn, 'basis', `must be 'gaussian' or 'bessel', got ${String(this.basisKind)}`);
    }
    if (this.envelopeKind !== 'cosine' && this.envelopeKind !== 'polynomial') {
      throw new InvalidArgumentError(
        fn,
        'envelope',
        `must be 'cosine' or 'polynomial', got ${String(this.envelopeKind)}`,
      );
    }
    const seed = args.seed ?? 0;
    const sub = (i: number) => seed * 1000 + i;
    // Seeds of the sublayers. The level and vector channels came from @crys/model's action network, which seeded
    // its layers 0, 1, 10 + l, 100 + l and 999; a network with either keeps that layout, so a model created from a
    // seed starts from the weights it always did. The plain network keeps its own (0, l + 1, L + 1).
    const extended = this.levelFeatures > 0 || this.vectorChannels > 0;
    const convSeed = (l: number) => sub(extended ? 10 + l : l + 1);
    const headSeed = sub(extended ? 999 : this.numLayers + 1);
    this.embedding = new SpeciesEmbedding({
      name: 'embedding',
      units: this.units,
      maxAtomicNumber: this.maxAtomicNumber,
      descriptors: args.speciesDescriptors,
      seed: sub(0),
    });
    this.levelEmbedding =
      this.levelFeatures > 0
        ? new LevelEmbedding({ name: 'level', features: this.levelFeatures, units: this.units, seed: sub(1) })
        : undefined;
    const radial = { size: this.basisSize, cutoff: this.cutoff };
    this.basis =
      this.basisKind === 'gaussian'
        ? new GaussianBasis({ name: 'basis', ...radial })
        : new BesselBasis({ name: 'basis', ...radial });
    this.envelope =
      this.envelopeKind === 'cosine'
        ? new CosineCutoff({ name: 'envelope', cutoff: this.cutoff })
        : new PolynomialCutoff({ name: 'envelope', cutoff: this.cutoff });
    this.convs = Array.from(
      { length: this.numLayers },
      (_, l) =>
        new EgnnConv({
          name: `conv${l}`,
          units: this.units,
          edgeFeatures: this.basisSize,
          hiddenUnits: this.hiddenUnits,
          aggregation: this.aggregation,
          gating: this.gating,
          layerNorm: this.layerNorm,
          edgeChunkSize: args.edgeChunkSize,
          seed: convSeed(l),
        }),
    );
    this.vectorLayers = Array.from({ length: this.vectorChannels > 0 ? this.numLayers : 0 }, (_, l) => {
      const channels = this.vectorChannels;
      return new VectorChannels({
        name: `vec${l}`,
        units: this.units,
        edgeFeatures: this.basisSize,
        channels,
        aggregation: this.aggregation === 'weighted-mean' ? 'weighted-mean' : 'mean',
        seed: sub(100 + l),
      });
    });
    this.head = new EdgeHead({
      name: 'head',
      units: this.units,
      edgeFeatures: this.basisSize,
      hiddenUnits: this.hiddenUnits,
      outputs: this.edgeOutputs,
      edgeChunkSize: args.edgeChunkSize,
      seed: headSeed,
    });
  }

  /**
   * Edges per chunk of every layer outside a gradient tape ({@link EgnnArgs.edgeChunkSize}); setting it sets it on
   * each conv layer and the head.
   */
  get edgeChunkSize(): number {
    return this.head.edgeChunkSize;
  }

  set edgeChunkSize(size: number) {
    assertEdgeChunkSize('Egnn', size);
    for (const c of this.convs) c.edgeChunkSize = size;
    this.head.edgeChunkSize = size;
  }

  override build(): void {
    if (this.built) return;
    this.embedding.build();
    this.levelEmbedding?.build();
    for (const c of this.convs) c.build();
    for (const v of this.vectorLayers) v.build();
    this.head.build();
    super.build();
  }

  /**
   * All weights: embedding, level embedding, then each conv layer and its vector channels, then the head (the order
   * of the saved binary).
   */
  override get weights(): readonly NamedWeight[] {
    if (!this.built) this.build();
    const out: NamedWeight[] = [...this.embedding.weights, ...(this.levelEmbedding?.weights ?? [])];
    for (let l = 0; l < this.convs.length; l++) {
      out.push(...this.convs[l].weights, ...(this.vectorLayers[l]?.weights ?? []));
    }
    out.push(...this.head.weights);
    return out;
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [inputShape[0], this.edgeOutputs];
  }

  call(inputs: EgnnInputs): EgnnOutputs {
    const { atomicNumbers, src, dst, vectors } = inputs;
    const distances = edgeLengths(vectors);
    const edgeFeatures = this.basis.apply(distances);
    const envelope = this.envelope.apply(distances);
    // Each sublayer runs in its own tidy scope, so inference frees a layer's [E, F] intermediates before the next
    // layer (under a gradient tape the tape keeps what the backward pass needs).
    let h = this.embedding.apply(atomicNumbers);
    if (this.levelEmbedding) {
      const { level, crystalIndex } = levelInputs(inputs, atomicNumbers.shape[0]);
      h = tf.add(h, gatherRows(this.levelEmbedding.apply(level), crystalIndex));
    }
    const unitVectors =
      this.vectorLayers.length > 0 ? (tf.div(vectors, tf.reshape(distances, [-1, 1])) as tf.Tensor2D) : undefined;
    for (let l = 0; l < this.convs.length; l++) {
      let next = this.convs[l].apply({ nodeFeatures: h, edgeFeatures, envelope, src, dst });
      if (unitVectors) {
        const vec = this.vectorLayers[l].apply({ nodeFeatures: next, edgeFeatures, envelope, unitVectors, src, dst });
        next.dispose();
        next = vec;
      }
      if (h !== next) h.dispose();
      h = next;
    }
    const edgeOutputs = this.head.apply({ nodeFeatures: h, edgeFeatures, envelope, src, dst });
    return { edgeOutputs, nodeFeatures: h, distances };
  }

  /**
   * A plain-TypeScript copy of this network for inference on typed arrays (no tfjs ops): several times faster than
   * {@link apply} on a single small crystal, where tfjs's per-op overhead dominates. It snapshots the weights now
   * and does not see later weight updates (training steps, {@link setWeights}): compile again after those.
   *
   * @param options - `simd` (default true; false forces the plain-loop kernels) and `edgeChunkSize`: each layer takes
   * its edges in chunks of at most this many, so the inference heap (4 GiB at most) is sized by the chunk, not by
   * the edge count; results do not depend on it. A positive integer or `Infinity`, default 131072; independent of
   * this network's own {@link edgeChunkSize}.
   * @throws {@link InvalidArgumentError} when `edgeChunkSize` is not a positive integer or `Infinity`.
   *
   * @example
   * ```ts
   * const infer = net.compileInference();
   * const { edgeOutputs, nodeFeatures, distances } = infer.apply({ atomicNumbers, src, dst, vectors });
   * const large = net.compileInference({ edgeChunkSize: 16384 }); // for graphs of millions of edges
   * ```
   */
  compileInference(options: EgnnInferenceOptions = {}): EgnnInference {
    assertEdgeChunkSize('Egnn.compileInference', options?.edgeChunkSize);
    return new EgnnInference(this, options);
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      units: this.units,
      basisSize: this.basisSize,
      layers: this.numLayers,
      cutoff: this.cutoff,
      maxAtomicNumber: this.maxAtomicNumber,
      hiddenUnits: this.hiddenUnits,
      basis: this.basisKind,
      envelope: this.envelopeKind,
      edgeOutputs: this.edgeOutputs,
      aggregation: this.aggregation,
      gating: this.gating,
      layerNorm: this.layerNorm,
      levelFeatures: this.levelFeatures,
      vectorChannels: this.vectorChannels,
      ...(this.embedding.descriptors ? { speciesDescriptors: this.embedding.descriptors.map((r) => [...r]) } : {}),
    };
  }

  /**
   * The configuration and all weights, deterministically: the same weights always give the same JSON text and
   * the same bytes.
   */
  save(): SavedEgnn {
    const ws = this.weights;
    const values = ws.map((w) => w.variable.dataSync() as Float32Array);
    const total = values.reduce((n, v) => n + v.length, 0);
    const weights = new Float32Array(total);
    let off = 0;
    for (const v of values) {
      weights.set(v, off);
      off += v.length;
    }
    const config = JSON.stringify({
      format: FORMAT,
      version: FORMAT_VERSION,
      className: Egnn.className,
      config: this.getConfig(),
      weights: ws.map((w) => ({ name: w.name, shape: w.variable.shape })),
    });
    return { config, weights };
  }

  /** Overwrites the weights with a flat Float32Array in {@link weights} order (as {@link save} writes it). */
  setWeights(weights: Float32Array): void {
    const ws = this.weights;
    const total = ws.reduce((n, w) => n + w.variable.size, 0);
    if (!(weights instanceof Float32Array) || weights.length !== total) {
      throw new WeightsFormatError(
        `Egnn.setWeights: weights must be a Float32Array of length ${total}, got ${weights?.length}`,
      );
    }
    let off = 0;
    for (const w of ws) {
      const n = w.variable.size;
      tf.tidy(() => w.variable.assign(tf.tensor(weights.subarray(off, off + n), w.variable.shape, 'float32')));
      off += n;
    }
  }

  /**
   * Rebuilds a network saved with {@link save}.
   *
   * @throws {@link WeightsFormatError} when the text is not a saved Egnn or the weights do not match it.
   */
  static load(config: string, weights: Float32Array): Egnn {
    let parsed: {
      format?: string;
      version?: number;
      className?: string;
      config?: EgnnArgs;
      weights?: { name: string; shape: number[] }[];
    };
    try {
      parsed = JSON.parse(config);
    } catch (e) {
      throw new WeightsFormatError(`Egnn.load: config is not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    if (parsed.format !== FORMAT || parsed.className !== Egnn.className || !parsed.config) {
      throw new WeightsFormatError(
        `Egnn.load: config must be a saved ${FORMAT} Egnn, got format ${String(parsed.format)}, class ${String(parsed.className)}`,
      );
    }
    if (parsed.version !== FORMAT_VERSION) {
      throw new WeightsFormatError(
        `Egnn.load: unsupported format version ${String(parsed.version)} (this build reads ${FORMAT_VERSION})`,
      );
    }
    const net = new Egnn(parsed.config);
    const ws = net.weights;
    const manifest = parsed.weights ?? [];
    if (
      manifest.length !== ws.length ||
      manifest.some((m, i) => m.name !== ws[i].name || m.shape.join() !== ws[i].variable.shape.join())
    ) {
      net.dispose();
      throw new WeightsFormatError('Egnn.load: the weight manifest does not match the configuration');
    }
    try {
      net.setWeights(weights);
    } catch (e) {
      net.dispose();
      throw e;
    }
    return net;
  }

  override dispose(): void {
    this.embedding.dispose();
    this.levelEmbedding?.dispose();
    for (const c of this.convs) c.dispose();
    for (const v of this.vectorLayers) v.dispose();
    this.head.dispose();
    super.dispose();
  }
}

/** The level inputs of a network with a level embedding: float32 `level` `[B]` and int32 `crystalIndex` `[N]`. */
function levelInputs(inputs: EgnnInputs, N: number): { level: tf.Tensor1D; crystalIndex: tf.Tensor1D } {
  const { level, crystalIndex } = inputs;
  const ok =
    level instanceof tf.Tensor &&
    level.rank === 1 &&
    level.dtype === 'float32' &&
    crystalIndex instanceof tf.Tensor &&
    crystalIndex.rank === 1 &&
    crystalIndex.dtype === 'int32' &&
    crystalIndex.shape[0] === N;
  if (!ok) {
    const s = (t: tf.Tensor | undefined) => (t instanceof tf.Tensor ? `${t.dtype} [${t.shape}]` : String(t));
    throw new InvalidArgumentError(
      'Egnn',
      'inputs',
      `must carry level float32 [B] and crystalIndex int32 [N = ${N}] (the network has levelFeatures), got level ${s(level)}, crystalIndex ${s(crystalIndex)}`,
    );
  }
  return { level, crystalIndex };
}
