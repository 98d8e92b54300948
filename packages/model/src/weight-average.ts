import * as tf from '@tensorflow/tfjs';
import { deserializeValues, type SerializedWeight, serializeTensors } from './model.js';

/**
 * The decay of the moving average at update t: min(decay, (1 + t)/(10 + t)), so the first updates are averaged
 * over few steps and the average does not remember the random initial weights for long.
 *
 * @example
 * averageDecayAt(0.999, 1); // 2/11
 */
export function averageDecayAt(decay: number, t: number): number {
  return Math.min(decay, (1 + t) / (10 + t));
}

/**
 * The exponential moving average of a set of named weights (Polyak averaging): e ← d·e + (1 − d)·w after each
 * applied update, d = {@link averageDecayAt}. With `decay` 0 the average is kept but never updated, and
 * {@link WeightAverage.withAverage} runs on the raw weights.
 *
 * @example
 * const average = WeightAverage.create(model.weights, 0.999);
 * average.update(model.weights, adam.applied);
 * const loss = average.withAverage(model.weights, () => validationLoss(model, samples, 10));
 */
export class WeightAverage {
  /** The averaged values by weight name. */
  readonly values: ReadonlyMap<string, tf.Variable>;
  readonly decay: number;

  private constructor(values: Map<string, tf.Variable>, decay: number) {
    this.values = values;
    this.decay = decay;
  }

  /** An average starting at the current weights. */
  static create(weights: ReadonlyMap<string, tf.Variable>, decay: number): WeightAverage {
    return WeightAverage.restore(weights, decay, undefined);
  }

  /**
   * The average a checkpoint stores (`ema`), shaped like `weights`; a weight it lacks (or a checkpoint written
   * before averaging existed) starts at the current weight.
   */
  static restore(
    weights: ReadonlyMap<string, tf.Variable>,
    decay: number,
    saved: readonly SerializedWeight[] | undefined,
  ): WeightAverage {
    const es = new Map((saved ?? []).map((w) => [w.name, w]));
    const values = new Map<string, tf.Variable>();
    for (const [name, w] of weights) {
      const e = es.get(name);
      values.set(
        name,
        tf.tidy(() => tf.variable(e ? tf.tensor(deserializeValues(e, 'train'), w.shape) : tf.clone(w), false)),
      );
    }
    return new WeightAverage(values, decay);
  }

  /** Moves the average towards `weights` after update t (1-based); nothing when the decay is 0. */
  update(weights: ReadonlyMap<string, tf.Variable>, t: number): void {
    if (this.decay === 0) return;
    const d = averageDecayAt(this.decay, t);
    tf.tidy(() => {
      for (const [name, w] of weights) {
        const e = this.values.get(name) as tf.Variable;
        e.assign(tf.add(tf.mul(e, d), tf.mul(w, 1 - d)));
      }
    });
  }

  /** Runs `fn` with the averaged values in `weights`, then puts the raw weights back (also when `fn` throws). */
  withAverage<T>(weights: ReadonlyMap<string, tf.Variable>, fn: () => T): T {
    if (this.decay === 0) return fn();
    const raw = new Map([...weights].map(([n, w]) => [n, tf.clone(w)]));
    for (const [n, w] of weights) w.assign(this.values.get(n) as tf.Variable);
    try {
      return fn();
    } finally {
      for (const [n, w] of weights) w.assign(raw.get(n) as tf.Tensor);
      tf.dispose([...raw.values()]);
    }
  }

  /** The average as a checkpoint stores it. */
  serialize(): SerializedWeight[] {
    return serializeTensors(this.values);
  }

  dispose(): void {
    tf.dispose([...this.values.values()]);
  }
}
