import { adamUpdateAll } from '@crys/egnn';
import * as tf from '@tensorflow/tfjs';
import { ModelFormatError } from './errors.js';
import { deserializeValues, type SerializedWeight, serializeTensors } from './model.js';

/** Adam's decay rates of the first and second moments and the denominator's ε (Kingma & Ba's defaults). */
export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

/** Why a batch is not applied: a non-finite loss or gradient norm, or a norm above the skip threshold. */
export type SkipReason = 'non-finite' | 'exploding';

/**
 * The skip rule of a training step: `'non-finite'` when the loss or the gradient norm is NaN or infinite,
 * `'exploding'` when the norm exceeds `skipGradNorm`, undefined when the batch is applied.
 *
 * @example
 * skipReason(0.3, 2e4, 1e4); // 'exploding'
 */
export function skipReason(loss: number, gradNorm: number, skipGradNorm: number): SkipReason | undefined {
  if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) return 'non-finite';
  return gradNorm > skipGradNorm ? 'exploding' : undefined;
}

/**
 * The global L2 norm of a set of gradients, √(Σ‖g‖²) (summed in the order given).
 *
 * @example
 * globalNorm([tf.tensor1d([3]), tf.tensor1d([4])]); // 5
 */
export function globalNorm(grads: readonly tf.Tensor[]): number {
  return tf.tidy(() => Math.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))).dataSync()[0]));
}

/**
 * The factor that clips gradients of global norm `norm` to at most `maxNorm` (1 when already within).
 *
 * @example
 * clipFactor(10, 5); // 0.5
 */
export function clipFactor(norm: number, maxNorm: number): number {
  return norm > maxNorm ? maxNorm / norm : 1;
}

/**
 * Adam's step size at update t (1-based) with both bias corrections folded in: lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ).
 *
 * @example
 * adamStepSize(1e-3, 1); // 1e-3 · √0.001 / 0.1 ≈ 3.16e-4
 */
export function adamStepSize(lr: number, t: number): number {
  return (lr * Math.sqrt(1 - ADAM.beta2 ** t)) / (1 - ADAM.beta1 ** t);
}

/**
 * Adam (with bias correction) over a set of named weights: the first and second moments as tf variables and
 * the count of applied updates, which drives the bias correction (skipped batches do not count).
 *
 * @example
 * const adam = Adam.create(model.weights);
 * adam.apply(model.weights, grads, 1e-3, clipFactor(norm, 5));
 * adam.dispose();
 */
export class Adam {
  /** First moments by weight name. */
  readonly m: ReadonlyMap<string, tf.Variable>;
  /** Second moments by weight name. */
  readonly v: ReadonlyMap<string, tf.Variable>;
  /** Updates applied so far. */
  applied: number;

  private constructor(m: Map<string, tf.Variable>, v: Map<string, tf.Variable>, applied: number) {
    this.m = m;
    this.v = v;
    this.applied = applied;
  }

  /** Zero moments for `weights`, no update applied yet. */
  static create(weights: ReadonlyMap<string, tf.Variable>): Adam {
    const m = new Map<string, tf.Variable>();
    const v = new Map<string, tf.Variable>();
    for (const [name, w] of weights) {
      m.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(w), false)),
      );
      v.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(w), false)),
      );
    }
    return new Adam(m, v, 0);
  }

  /**
   * The moments of a checkpoint (`adamM`, `adamV`, `applied`) for `weights`, shaped like them; a weight without
   * moments is a ModelFormatError.
   */
  static restore(
    weights: ReadonlyMap<string, tf.Variable>,
    adamM: readonly SerializedWeight[],
    adamV: readonly SerializedWeight[],
    applied: number,
  ): Adam {
    const ms = new Map(adamM.map((w) => [w.name, w]));
    const vs = new Map(adamV.map((w) => [w.name, w]));
    const m = new Map<string, tf.Variable>();
    const v = new Map<string, tf.Variable>();
    try {
      for (const [name, w] of weights) {
        const sm = ms.get(name),
          sv = vs.get(name);
        if (!sm || !sv) throw new ModelFormatError('train', `resume has no Adam moments for '${name}'`);
        m.set(
          name,
          tf.tidy(() => tf.variable(tf.tensor(deserializeValues(sm, 'train'), w.shape), false)),
        );
        v.set(
          name,
          tf.tidy(() => tf.variable(tf.tensor(deserializeValues(sv, 'train'), w.shape), false)),
        );
      }
    } catch (e) {
      tf.dispose([...m.values(), ...v.values()]);
      throw e;
    }
    return new Adam(m, v, applied);
  }

  /**
   * One update of `weights` from their gradients (by weight name) scaled by `clip`, at learning rate `lr`:
   * m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², w ← w − {@link adamStepSize}(lr, t)·m/(√v + ε). Returns t, the
   * number of updates applied including this one.
   */
  apply(
    weights: ReadonlyMap<string, tf.Variable>,
    grads: ReadonlyMap<string, tf.Tensor>,
    lr: number,
    clip: number,
  ): number {
    const { beta1: b1, beta2: b2, epsilon: eps } = ADAM;
    this.applied++;
    const step = { stepSize: adamStepSize(lr, this.applied), beta1: b1, beta2: b2, epsilon: eps, gradScale: clip };
    // One kernel for all the weights, each bit-for-bit the op-by-op float32 update (g·clip, then the moments, then w).
    const slots = [...weights].map(([name, w]) => ({
      w,
      m: this.m.get(name) as tf.Variable,
      v: this.v.get(name) as tf.Variable,
      g: grads.get(name) as tf.Tensor,
    }));
    adamUpdateAll(slots, step);
    return this.applied;
  }

  /** The moments as a checkpoint stores them. */
  serialize(): { adamM: SerializedWeight[]; adamV: SerializedWeight[] } {
    return { adamM: serializeTensors(this.m), adamV: serializeTensors(this.v) };
  }

  dispose(): void {
    tf.dispose([...this.m.values(), ...this.v.values()]);
  }
}
