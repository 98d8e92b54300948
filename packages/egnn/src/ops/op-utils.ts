// What every op shares: argument checks at the public boundary, a typed `tf.customGrad`, and whether a gradient tape
// is recording.
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';

export type GradResult = {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
};

/** `tf.customGrad` with positional tensor arguments typed (tfjs types them as a union with the save function). */
// biome-ignore lint/suspicious/noExplicitAny: the argument list is typed by each caller's function signature.
export function customGrad<F extends (...args: any[]) => GradResult>(
  f: F,
): (...inputs: F extends (...args: [...infer A, tf.GradSaveFunc]) => GradResult ? A : never) => tf.Tensor {
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as never;
}

export function describeTensor(t: tf.Tensor): string {
  return `${t.dtype} tensor of shape [${t.shape.join(', ')}]`;
}

export function assertIndexVector(fn: string, name: string, t: tf.Tensor, length?: number): void {
  if (
    !(t instanceof tf.Tensor) ||
    t.dtype !== 'int32' ||
    t.rank !== 1 ||
    (length !== undefined && t.shape[0] !== length)
  ) {
    const want = length === undefined ? 'an int32 tensor of rank 1' : `an int32 tensor of shape [${length}]`;
    throw new InvalidArgumentError(
      fn,
      name,
      `must be ${want}, got ${t instanceof tf.Tensor ? describeTensor(t) : String(t)}`,
      t,
    );
  }
}

export function assertRows(fn: string, name: string, t: tf.Tensor, dtypes: readonly tf.DataType[] = ['float32']): void {
  if (!(t instanceof tf.Tensor) || t.rank < 1 || !dtypes.includes(t.dtype)) {
    throw new InvalidArgumentError(
      fn,
      name,
      `must be a ${dtypes.join(' or ')} tensor of rank >= 1, got ${t instanceof tf.Tensor ? describeTensor(t) : String(t)}`,
      t,
    );
  }
}

export function assertMatrix(fn: string, x: tf.Tensor): void {
  if (!(x instanceof tf.Tensor) || x.rank !== 2 || (x.dtype !== 'float32' && x.dtype !== 'int32')) {
    throw new InvalidArgumentError(fn, 'x', `must be a float32 or int32 tensor of rank 2, got ${describeTensor(x)}`, x);
  }
}

/**
 * True while tfjs records operations for a backward pass here (inside `tf.grad`, `optimizer.minimize`, … and not
 * inside another kernel): tfjs's own `isTapeOn`, which has no public export; true if that ever moves. Under a tape
 * SiLU saves σ(x), and the layers take their edges in one piece (the tape keeps every intermediate anyway).
 */
export function tapeOn(): boolean {
  const engine = tf.engine() as unknown as { isTapeOn?: () => boolean };
  return typeof engine.isTapeOn === 'function' ? engine.isTapeOn() : true;
}
