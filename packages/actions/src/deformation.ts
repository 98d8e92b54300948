/**
 * From a symmetric lattice action A to a bounded symmetric deformation g, and from a general predicted 3×3 to
 * its deformation part. Frame: g is Cartesian and acts on row vectors, r' = r·g, so a lattice L (rows =
 * lattice vectors) becomes L' = L·g and every Cartesian edge vector r becomes r·g.
 */
import * as tf from '@tensorflow/tfjs';
import { assertFiniteArray, InvalidArgumentError, type Mat3, type Mat3Like } from '@crys/lattice';
import {
  expFunction,
  type SpectralFunction,
  spectralMapMat3,
  spectralMapTensor,
  sqrtFunction,
  tanhDeformationFunction,
} from './spectral.js';

/**
 * How a symmetric action A becomes a deformation g (both spectral, so g is symmetric and rotates as R·g·Rᵀ):
 * `'tanh'`: g = I + λ·tanh(A/λ), eigenvalues in (1 − λ, 1 + λ), a per-step strain bound;
 * `'exp'`: g = exp(A), eigenvalues e^{a_k} > 0 and det g = e^{tr A}.
 */
export type DeformationMap = 'tanh' | 'exp';

/** Options of the map from a lattice action to a deformation. */
export interface DeformationOptions {
  /** `'tanh'` (default) or `'exp'`; see {@link DeformationMap}. */
  readonly map?: DeformationMap;
  /** λ of the `'tanh'` map, 0 < λ < 1 so det g > (1 − λ)³ > 0. Default {@link DEFAULT_BOUND}. */
  readonly bound?: number;
}

/** Default λ of the `'tanh'` map: each principal stretch of one step lies in (0.8, 1.2). */
export const DEFAULT_BOUND = 0.2;

/** Validates options and returns the spectral function they select. */
export function deformationFunction(fn: string, options: DeformationOptions = {}): SpectralFunction {
  const map = options.map ?? 'tanh';
  if (map === 'exp') return expFunction;
  if (map !== 'tanh') {
    throw new InvalidArgumentError(fn, 'options.map', `must be 'tanh' or 'exp', got ${String(map)}`, map);
  }
  const bound = options.bound ?? DEFAULT_BOUND;
  if (typeof bound !== 'number' || !(bound > 0 && bound < 1)) {
    throw new InvalidArgumentError(fn, 'options.bound', `must be in (0, 1), got ${String(bound)}`, bound);
  }
  return tanhDeformationFunction(bound);
}

/**
 * out = the bounded deformation of the symmetric part of A: I + λ·tanh(A/λ) (default, λ = 0.2) or exp(A),
 * both defined through A's eigen-decomposition. The result is symmetric positive-definite, so a lattice
 * L·out never loses its volume. `out` may be `a`. Throws for non-finite input or bad options.
 *
 * @example
 * boundedDeformationMat3(new Float64Array(9), [0.05, 0, 0, 0, 0, 0, 0, 0, -10]);
 * // ≈ diag(1.0499, 1, 0.8): small actions pass almost unchanged, large ones saturate at 1 ± λ
 */
export function boundedDeformationMat3<T extends Mat3>(out: T, a: Mat3Like, options?: DeformationOptions): T {
  const fn = 'boundedDeformationMat3';
  assertFiniteArray(fn, 'a', a, 9);
  return spectralMapMat3(out, a, deformationFunction(fn, options));
}

/**
 * The bounded deformation of each symmetric action in a [B, 3, 3] tensor (see
 * {@link boundedDeformationMat3}), as a differentiable op. The eigen-decomposition runs in Float64 on the
 * CPU, so the op reads A synchronously (B is small: one matrix per crystal); the gradient stays finite when
 * eigenvalues repeat (cubic cells).
 *
 * @example
 * const g = boundedDeformation(tf.zeros([64, 3, 3])); // 64 identity matrices
 */
export function boundedDeformation(a: tf.Tensor3D, options?: DeformationOptions): tf.Tensor3D {
  const fn = 'boundedDeformation';
  assertBatchMat3(fn, 'a', a);
  return spectralMapTensor(a, deformationFunction(fn, options));
}

/** Throws unless `t` is a tensor of shape [B, 3, 3]. */
export function assertBatchMat3(fn: string, name: string, t: unknown): asserts t is tf.Tensor3D {
  if (!(t instanceof tf.Tensor) || t.rank !== 3 || t.shape[1] !== 3 || t.shape[2] !== 3) {
    const got = t instanceof tf.Tensor ? `[${t.shape.join(', ')}]` : String(t);
    throw new InvalidArgumentError(fn, name, `must be a tensor of shape [B, 3, 3], got ${got}`, t);
  }
}

const scratchMMt = new Float64Array(9);

/**
 * out = √(M·Mᵀ), the deformation part of a general 3×3 M acting on row vectors (r' = r·M). With the left
 * polar decomposition M = V·Q (V symmetric positive semi-definite, Q orthogonal), a lattice L·M = (L·V)·Q is
 * the lattice L·V rigidly rotated (or rotoreflected) by Q: same metric (L·V)(L·V)ᵀ = L·M·Mᵀ·Lᵀ, same lengths
 * and angles. So V is the part to keep and Q the part to discard. (The RIGHT stretch U of M = R·U, which
 * `polarDecomposition` in @crys/lattice returns, is the right one for column vectors; here V = R·U·Rᵀ.)
 * `out` may be `m`. Throws for non-finite input.
 *
 * @example
 * const rot = [0, 1, 0, -1, 0, 0, 0, 0, 1]; // 90° about z, acting on rows
 * deformationPartMat3(new Float64Array(9), multiply(create(), [2, 0, 0, 0, 1, 0, 0, 0, 1], rot));
 * // diag(2, 1, 1)
 */
export function deformationPartMat3<T extends Mat3>(out: T, m: Mat3Like): T {
  assertFiniteArray('deformationPartMat3', 'm', m, 9);
  const p = scratchMMt;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++)
      p[3 * i + j] = m[3 * i] * m[3 * j] + m[3 * i + 1] * m[3 * j + 1] + m[3 * i + 2] * m[3 * j + 2];
  }
  return spectralMapMat3(out, p, sqrtFunction);
}

/**
 * The symmetric and antisymmetric parts (M + Mᵀ)/2 and (M − Mᵀ)/2 of each matrix in a [B, 3, 3] tensor.
 * For a predicted velocity gradient, the symmetric part is the strain rate and the antisymmetric part the
 * (discarded) spin. The plain-array versions are `symmetricPart` / `antisymmetricPart` in @crys/lattice.
 *
 * @example
 * const { symmetric, antisymmetric } = symmetricSplit(tf.tensor3d([[[0, 1, 0], [0, 0, 0], [0, 0, 0]]]));
 */
export function symmetricSplit(m: tf.Tensor3D): { symmetric: tf.Tensor3D; antisymmetric: tf.Tensor3D } {
  assertBatchMat3('symmetricSplit', 'm', m);
  return tf.tidy(() => {
    const mt = tf.transpose(m, [0, 2, 1]);
    return {
      symmetric: tf.mul(tf.add(m, mt), 0.5) as tf.Tensor3D,
      antisymmetric: tf.mul(tf.sub(m, mt), 0.5) as tf.Tensor3D,
    };
  });
}

/**
 * √(M·Mᵀ) for each matrix of a [B, 3, 3] tensor: the deformation part of a general predicted M acting on row
 * vectors, with its rotation discarded (see {@link deformationPartMat3}). Differentiable; the gradient is
 * finite wherever M is non-singular.
 *
 * @example
 * const v = deformationPart(predicted); // [B, 3, 3] symmetric positive semi-definite
 */
export function deformationPart(m: tf.Tensor3D): tf.Tensor3D {
  assertBatchMat3('deformationPart', 'm', m);
  return tf.tidy(() => spectralMapTensor(tf.matMul(m, tf.transpose(m, [0, 2, 1])), sqrtFunction));
}
