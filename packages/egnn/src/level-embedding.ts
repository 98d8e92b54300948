import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from './errors.js';
import { linear } from './ops/linear.js';
import { silu } from './ops/silu.js';
import { assertPositiveInt, GraphLayer, type GraphLayerArgs, type LayerConfig } from './layer.js';

/** Arguments of {@link LevelEmbedding}. */
export interface LevelEmbeddingArgs extends GraphLayerArgs {
  /** Sinusoidal features T (even). */
  features: number;
  /** Output width F. */
  units: number;
}

/** The frequencies π·2^k, k < T/2, of {@link LevelEmbedding}'s sinusoids, rounded to float32. */
export function levelFrequencies(features: number): Float32Array {
  const half = features / 2;
  const out = new Float32Array(half);
  for (let k = 0; k < half; k++) out[k] = Math.PI * 2 ** k;
  return out;
}

/**
 * Embedding of one scalar level t ∈ [0, 1] per graph (a diffusion noise level or time): the sinusoids
 * sin(π·2^k·t), k < T/2, then cos(π·2^k·t), into a two-layer SiLU MLP, `F = W₂·SiLU(W₁·feat + b₁) + b₂`.
 * Invariant (t is a scalar); {@link Egnn} adds row `crystalIndex[i]` of it to atom i's features.
 *
 * @example
 * ```ts
 * new LevelEmbedding({ features: 16, units: 64 }).apply(tf.tensor1d([0.5])).shape; // [1, 64]
 * ```
 */
export class LevelEmbedding extends GraphLayer<LevelEmbeddingArgs, tf.Tensor1D, tf.Tensor2D> {
  static className = 'LevelEmbedding';
  readonly features: number;
  readonly units: number;
  /** Weights (kernels `[in, out]`), created by {@link build}. */
  w1!: tf.Variable;
  b1!: tf.Variable;
  w2!: tf.Variable;
  b2!: tf.Variable;

  constructor(args: LevelEmbeddingArgs) {
    super(args);
    assertPositiveInt('LevelEmbedding', 'features', args.features);
    assertPositiveInt('LevelEmbedding', 'units', args.units);
    if (args.features % 2 !== 0) {
      throw new InvalidArgumentError(
        'LevelEmbedding',
        'features',
        `must be even (sine and cosine pairs), got ${args.features}`,
        args.features,
      );
    }
    this.features = args.features;
    this.units = args.units;
  }

  override build(): void {
    if (this.built) return;
    const T = this.features;
    const F = this.units;
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
    if (!(level instanceof tf.Tensor) || level.dtype !== 'float32' || level.rank !== 1) {
      throw new InvalidArgumentError(
        'LevelEmbedding',
        'level',
        `must be a float32 tensor of shape [B], got ${level instanceof tf.Tensor ? `${level.dtype} [${level.shape}]` : String(level)}`,
        level,
      );
    }
    const half = this.features / 2;
    const freqs = tf.tensor2d(levelFrequencies(this.features), [1, half]);
    const arg = tf.mul(tf.reshape(level, [-1, 1]), freqs);
    const feat = tf.concat([tf.sin(arg), tf.cos(arg)], 1) as tf.Tensor2D;
    const h = silu(linear(feat, this.w1 as tf.Tensor as tf.Tensor2D, this.b1 as tf.Tensor as tf.Tensor1D));
    return linear(h, this.w2 as tf.Tensor as tf.Tensor2D, this.b2 as tf.Tensor as tf.Tensor1D);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), features: this.features, units: this.units };
  }
}
