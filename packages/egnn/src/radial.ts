import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from './errors.js';
import { gaussianBasis } from './ops/exp.js';
import { assertPositive, assertPositiveInt, GraphLayer, type GraphLayerArgs, type LayerConfig } from './layer.js';

/** Squared lengths below this are clamped before the square root, so |v| and its gradient stay finite at v = 0. */
export const MIN_SQUARED_LENGTH = 1e-12;

/**
 * Edge lengths `|v_e|` of edge vectors `[E, 3]`, as `[E]`. Safe at zero length (image self-loops, coincident atoms):
 * the squared length is clamped to {@link MIN_SQUARED_LENGTH} first, so the value is 1e-6 Å and the gradient is 0
 * there instead of NaN.
 *
 * @example
 * ```ts
 * edgeLengths(tf.tensor2d([[3, 4, 0], [0, 0, 0]])).print(); // [5, 0.000001]
 * ```
 */
export function edgeLengths(vectors: tf.Tensor2D): tf.Tensor1D {
  if (!(vectors instanceof tf.Tensor) || vectors.rank !== 2 || vectors.shape[1] !== 3) {
    throw new InvalidArgumentError(
      'edgeLengths',
      'vectors',
      `must be a tensor of shape [E, 3], got shape [${vectors.shape}]`,
      vectors,
    );
  }
  return tf.tidy(() => tf.sqrt(tf.maximum(tf.sum(tf.square(vectors), 1), MIN_SQUARED_LENGTH)) as tf.Tensor1D);
}

function assertDistances(fn: string, d: tf.Tensor): void {
  if (!(d instanceof tf.Tensor) || d.rank !== 1 || d.dtype !== 'float32') {
    throw new InvalidArgumentError(
      fn,
      'distances',
      `must be a float32 tensor of shape [E], got ${d instanceof tf.Tensor ? `${d.dtype} [${d.shape}]` : String(d)}`,
      d,
    );
  }
}

/** Arguments of {@link GaussianBasis} and {@link BesselBasis}. */
export interface RadialBasisArgs extends GraphLayerArgs {
  /** Number of basis functions K. */
  size: number;
  /** Cutoff radius r_c (Å); the basis is meant for 0 ≤ d ≤ r_c. */
  cutoff: number;
}

/**
 * Gaussian radial basis `e_k(d) = exp(−γ (d − μ_k)²)` with `μ_k = k·r_c/(K − 1)`, `k = 0 … K − 1`, and
 * `γ = 0.5 / (r_c/(K − 1))²` (exactly the PyTorch peer's RBF). Maps distances `[E]` to `[E, K]`. No weights.
 *
 * @example
 * ```ts
 * new GaussianBasis({ size: 16, cutoff: 5 }).apply(tf.tensor1d([0, 2.5])).shape; // [2, 16]
 * ```
 */
export class GaussianBasis extends GraphLayer<RadialBasisArgs, tf.Tensor1D, tf.Tensor2D> {
  static className = 'GaussianBasis';
  readonly size: number;
  readonly cutoff: number;

  constructor(args: RadialBasisArgs) {
    super(args);
    assertPositiveInt('GaussianBasis', 'size', args.size);
    if (args.size < 2)
      throw new InvalidArgumentError('GaussianBasis', 'size', `must be at least 2, got ${args.size}`, args.size);
    assertPositive('GaussianBasis', 'cutoff', args.cutoff);
    this.size = args.size;
    this.cutoff = args.cutoff;
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [inputShape[0], this.size];
  }

  call(distances: tf.Tensor1D): tf.Tensor2D {
    assertDistances('GaussianBasis', distances);
    const K = this.size;
    const step = this.cutoff / (K - 1);
    const gamma = 0.5 / (step * step);
    return gaussianBasis(distances, K, step, gamma);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), size: this.size, cutoff: this.cutoff };
  }
}

/**
 * Bessel radial basis `e_n(d) = √(2/r_c) · sin(nπ d/r_c) / d`, `n = 1 … K` (DimeNet). Finite at d = 0 (its limit
 * `√(2/r_c)·nπ/r_c`, reached through a clamped d ≥ 1e-6 Å). Maps distances `[E]` to `[E, K]`. No weights.
 *
 * @example
 * ```ts
 * new BesselBasis({ size: 8, cutoff: 5 }).apply(tf.tensor1d([0, 2.5])).shape; // [2, 8]
 * ```
 */
export class BesselBasis extends GraphLayer<RadialBasisArgs, tf.Tensor1D, tf.Tensor2D> {
  static className = 'BesselBasis';
  readonly size: number;
  readonly cutoff: number;

  constructor(args: RadialBasisArgs) {
    super(args);
    assertPositiveInt('BesselBasis', 'size', args.size);
    assertPositive('BesselBasis', 'cutoff', args.cutoff);
    this.size = args.size;
    this.cutoff = args.cutoff;
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [inputShape[0], this.size];
  }

  call(distances: tf.Tensor1D): tf.Tensor2D {
    assertDistances('BesselBasis', distances);
    const K = this.size;
    const d = tf.reshape(tf.maximum(distances, 1e-6), [-1, 1]);
    const freq = tf.reshape(tf.mul(tf.range(1, K + 1, 1, 'float32'), Math.PI / this.cutoff), [1, K]);
    return tf.mul(tf.div(tf.sin(tf.mul(d, freq)), d), Math.sqrt(2 / this.cutoff));
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), size: this.size, cutoff: this.cutoff };
  }
}

/** Arguments of {@link CosineCutoff}. */
export interface CosineCutoffArgs extends GraphLayerArgs {
  /** Cutoff radius r_c (Å): the envelope is 0 from here on. */
  cutoff: number;
}

/**
 * Cosine envelope `f(d) = ½ (cos(π d/r_c) + 1)` for d < r_c, else 0 (the PyTorch peer's): 1 at d = 0, smooth, with
 * zero value and slope at the cutoff. Maps `[E]` to `[E]`. No weights.
 *
 * @example
 * ```ts
 * new CosineCutoff({ cutoff: 5 }).apply(tf.tensor1d([0, 2.5, 6])).print(); // [1, 0.5, 0]
 * ```
 */
export class CosineCutoff extends GraphLayer<CosineCutoffArgs, tf.Tensor1D, tf.Tensor1D> {
  static className = 'CosineCutoff';
  readonly cutoff: number;

  constructor(args: CosineCutoffArgs) {
    super(args);
    assertPositive('CosineCutoff', 'cutoff', args.cutoff);
    this.cutoff = args.cutoff;
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [inputShape[0]];
  }

  call(distances: tf.Tensor1D): tf.Tensor1D {
    assertDistances('CosineCutoff', distances);
    // min(d/r_c, 1) makes the value exactly 0 beyond the cutoff and its gradient 0 there, without a `where`.
    const u = tf.minimum(tf.div(distances, this.cutoff), 1);
    return tf.mul(tf.add(tf.cos(tf.mul(u, Math.PI)), 1), 0.5);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), cutoff: this.cutoff };
  }
}

/** Arguments of {@link PolynomialCutoff}. */
export interface PolynomialCutoffArgs extends GraphLayerArgs {
  /** Cutoff radius r_c (Å). */
  cutoff: number;
  /** Exponent p (default 6): the envelope and its first two derivatives vanish at r_c. */
  exponent?: number;
}

/**
 * Polynomial envelope (DimeNet) with u = d/r_c: `1 − (p+1)(p+2)/2·u^p + p(p+2)·u^(p+1) − p(p+1)/2·u^(p+2)` for
 * u < 1, else 0. Maps `[E]` to `[E]`. No weights.
 *
 * @example
 * ```ts
 * new PolynomialCutoff({ cutoff: 5 }).apply(tf.tensor1d([0, 5])).print(); // [1, 0]
 * ```
 */
export class PolynomialCutoff extends GraphLayer<PolynomialCutoffArgs, tf.Tensor1D, tf.Tensor1D> {
  static className = 'PolynomialCutoff';
  readonly cutoff: number;
  readonly exponent: number;

  constructor(args: PolynomialCutoffArgs) {
    super(args);
    assertPositive('PolynomialCutoff', 'cutoff', args.cutoff);
    this.cutoff = args.cutoff;
    this.exponent = args.exponent ?? 6;
    assertPositiveInt('PolynomialCutoff', 'exponent', this.exponent);
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [inputShape[0]];
  }

  call(distances: tf.Tensor1D): tf.Tensor1D {
    assertDistances('PolynomialCutoff', distances);
    const p = this.exponent;
    const u = tf.minimum(tf.div(distances, this.cutoff), 1);
    const up = tf.pow(u, p);
    const a = -((p + 1) * (p + 2)) / 2;
    const b = p * (p + 2);
    const c = -(p * (p + 1)) / 2;
    // 1 + u^p (a + u (b + c u)), Horner form.
    return tf.add(1, tf.mul(up, tf.add(a, tf.mul(u, tf.add(b, tf.mul(u, c))))));
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), cutoff: this.cutoff, exponent: this.exponent };
  }
}
