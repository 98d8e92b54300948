import * as tf from '@tensorflow/tfjs';
import { assertAggregation, assertEdgeInputs, type EdgeInputs, inverseSoftDegree } from './egnn-conv.js';
import { InvalidArgumentError } from './errors.js';
import { gatherRowsAdd } from './ops/gather-rows-add.js';
import { linear } from './ops/linear.js';
import { segmentMean } from './ops/segment-mean.js';
import { segmentSum } from './ops/segment-sum.js';
import { outerRows } from './ops/outer-rows.js';
import { scaleRows } from './ops/scale-rows.js';
import { silu } from './ops/silu.js';
import { assertPositiveInt, GraphLayer, type GraphLayerArgs, type LayerConfig } from './layer.js';

/** Inputs of {@link VectorChannels}: {@link EdgeInputs} and the unit edge vectors. */
export interface VectorChannelsInputs extends EdgeInputs {
  /** Unit edge vectors û_e = r_e / |r_e| `[E, 3]`. */
  unitVectors: tf.Tensor2D;
}

/** Arguments of {@link VectorChannels}. */
export interface VectorChannelsArgs extends GraphLayerArgs {
  /** Node feature size F (input and output). */
  units: number;
  /** Edge feature size K. */
  edgeFeatures: number;
  /** Vector channels C. */
  channels: number;
  /**
   * How the per-atom vectors average over the centre's edges: `'mean'` (default) divides the sum by the edge count
   * deg(i), `'weighted-mean'` by the soft degree `Σ_{e: src = i} f(d_e) + ε` (ε = `WEIGHTED_MEAN_EPSILON`),
   * which keeps the vectors continuous as edges enter at the cutoff. `Egnn` passes `'weighted-mean'` when its
   * aggregation is `'weighted-mean'` and `'mean'` otherwise.
   */
  aggregation?: VectorAggregation;
}

/** How {@link VectorChannels} averages over a centre's edges: over the edge count, or over the soft degree. */
export type VectorAggregation = 'mean' | 'weighted-mean';

/**
 * Angular information for an invariant network: C equivariant vectors per atom, v_ic = mean_{e: src = i}
 * c_ec·f(d_e)·û_e (over the edge count deg(i), or over the soft degree Σ_e f(d_e) + ε with `aggregation:
 * 'weighted-mean'`) with invariant coefficients c_e = W₂·SiLU(W_a h_src + W_b h_dst + W_c e_e + b₁) + b₂, whose
 * squared norms |v_ic|² (invariant) update the node features, h ← h + W₃·|v|². Rotating the crystal rotates every
 * v_ic and leaves |v_ic|² unchanged, so the output is invariant by construction; it sees the angles between a
 * centre's bonds, which distances alone do not give in one layer.
 *
 * @example
 * ```ts
 * const layer = new VectorChannels({ units: 8, edgeFeatures: 4, channels: 2 });
 * layer.apply({ nodeFeatures: tf.ones([2, 8]), edgeFeatures: tf.ones([1, 4]), envelope: tf.ones([1]),
 *   unitVectors: tf.tensor2d([[1, 0, 0]]), src: tf.tensor1d([0], 'int32'), dst: tf.tensor1d([1], 'int32') }); // [2, 8]
 * ```
 */
export class VectorChannels extends GraphLayer<VectorChannelsArgs, VectorChannelsInputs, tf.Tensor2D> {
  static className = 'VectorChannels';
  readonly units: number;
  readonly edgeFeatures: number;
  readonly channels: number;
  /** Over what the per-atom vectors average ({@link VectorChannelsArgs.aggregation}). */
  readonly aggregation: VectorAggregation;
  /** Weights (kernels `[in, out]`), created by {@link build}. */
  wa!: tf.Variable;
  wb!: tf.Variable;
  wc!: tf.Variable;
  b1!: tf.Variable;
  w2!: tf.Variable;
  b2!: tf.Variable;
  w3!: tf.Variable;

  constructor(args: VectorChannelsArgs) {
    super(args);
    assertPositiveInt('VectorChannels', 'units', args.units);
    assertPositiveInt('VectorChannels', 'edgeFeatures', args.edgeFeatures);
    assertPositiveInt('VectorChannels', 'channels', args.channels);
    this.units = args.units;
    this.edgeFeatures = args.edgeFeatures;
    this.channels = args.channels;
    this.aggregation = args.aggregation ?? 'mean';
    assertAggregation('VectorChannels', this.aggregation, ['mean', 'weighted-mean']);
  }

  override build(): void {
    if (this.built) return;
    const F = this.units;
    const K = this.edgeFeatures;
    const C = this.channels;
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
    assertEdgeInputs('VectorChannels', inputs, this.units, this.edgeFeatures);
    const { nodeFeatures: h, edgeFeatures: e, envelope, unitVectors, src, dst } = inputs;
    const N = h.shape[0];
    const E = e.shape[0];
    const C = this.channels;
    if (!(unitVectors instanceof tf.Tensor) || unitVectors.rank !== 2 || unitVectors.shape.join() !== `${E},3`) {
      throw new InvalidArgumentError(
        'VectorChannels',
        'inputs.unitVectors',
        `must be a tensor of shape [E, 3] = [${E}, 3], got ${unitVectors instanceof tf.Tensor ? `[${unitVectors.shape}]` : String(unitVectors)}`,
      );
    }
    const z = gatherRowsAdd(
      linear(h, as2(this.wa)),
      src,
      linear(h, as2(this.wb)),
      dst,
      linear(e, as2(this.wc), as1(this.b1)),
    );
    const coef = scaleRows(linear(silu(z), as2(this.w2), as1(this.b2)), tf.reshape(envelope, [-1, 1])); // E × C
    const vec = outerRows(coef, unitVectors as tf.Tensor2D); // E × 3C: coef[e, c]·u_e
    const nodeVec =
      this.aggregation === 'mean'
        ? segmentMean(vec as tf.Tensor2D, src, N)
        : tf.mul(segmentSum(vec as tf.Tensor2D, src, N), inverseSoftDegree(envelope, src, N));
    const norms = tf.sum(tf.square(tf.reshape(nodeVec, [N, C, 3])), 2) as tf.Tensor2D;
    return tf.add(h, linear(norms, as2(this.w3))) as tf.Tensor2D;
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      units: this.units,
      edgeFeatures: this.edgeFeatures,
      channels: this.channels,
      aggregation: this.aggregation,
    };
  }
}

const as2 = (v: tf.Variable) => v as tf.Tensor as tf.Tensor2D;
const as1 = (v: tf.Variable) => v as tf.Tensor as tf.Tensor1D;
