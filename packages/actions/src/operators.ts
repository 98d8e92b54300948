/**
 * Per-edge 3×3 operators. For an edge vector r (a Cartesian row vector, Å) and a small symmetric strain ε
 * acting on rows (r ↦ r·(I + ε)), the edge length changes by
 *   δ|r| = r·ε·rᵀ / |r| = ε : (rᵀr / |r|),
 * so ∂|r|/∂ε = rᵀr/|r| = |r|·ûûᵀ (the 'length' operator) and ∂ln|r|/∂ε = ûûᵀ (the 'direction' operator). Both
 * are symmetric by construction and rotate as R·Op·Rᵀ when r rotates to r·Rᵀ.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@crys/lattice';
import { edgeOperatorsKernel, MIN_EDGE_LENGTH } from './kernels.js';

/** Which edge operator: `'direction'` is ûûᵀ (dimensionless), `'length'` is |r|·ûûᵀ (Å). */
export type EdgeOperator = 'direction' | 'length';

export { MIN_EDGE_LENGTH };
const MIN_SQ = MIN_EDGE_LENGTH * MIN_EDGE_LENGTH;

/** Throws unless `kind` is a known {@link EdgeOperator}. */
export function assertEdgeOperator(fn: string, kind: unknown): asserts kind is EdgeOperator {
  if (kind !== 'direction' && kind !== 'length') {
    throw new InvalidArgumentError(fn, 'operator', `must be 'direction' or 'length', got ${String(kind)}`, kind);
  }
}

/**
 * Writes the 3×3 operator of every edge into `out` (9·E, row-major per edge): ûûᵀ for `'direction'`,
 * |r|·ûûᵀ = rᵀr/|r| for `'length'`, and zeros for edges shorter than {@link MIN_EDGE_LENGTH}. Kernel: no
 * checks, no allocation.
 *
 * @example
 * const op = edgeOperatorsInto(new Float64Array(9), Float64Array.of(0, 0, 2), 'length');
 * // [0, 0, 0, 0, 0, 0, 0, 0, 2]: stretching z by ε lengthens the edge by 2ε Å
 */
export function edgeOperatorsInto(
  out: Float64Array,
  edgeVectors: ArrayLike<number>,
  kind: EdgeOperator = 'direction',
): Float64Array {
  const numEdges = Math.floor(edgeVectors.length / 3);
  const lengthKind = kind === 'length';
  for (let e = 0; e < numEdges; e++) {
    const x = edgeVectors[3 * e],
      y = edgeVectors[3 * e + 1],
      z = edgeVectors[3 * e + 2];
    const d2 = x * x + y * y + z * z;
    const o = 9 * e;
    if (!(d2 > MIN_SQ)) {
      out.fill(0, o, o + 9);
      continue;
    }
    const s = lengthKind ? 1 / Math.sqrt(d2) : 1 / d2;
    const xy = x * y * s,
      xz = x * z * s,
      yz = y * z * s;
    out[o] = x * x * s;
    out[o + 1] = xy;
    out[o + 2] = xz;
    out[o + 3] = xy;
    out[o + 4] = y * y * s;
    out[o + 5] = yz;
    out[o + 6] = xz;
    out[o + 7] = yz;
    out[o + 8] = z * z * s;
  }
  return out;
}

/** Throws unless `t` is a tensor of shape [E, 3]. */
export function assertEdgeVectors(fn: string, t: tf.Tensor, name = 'edgeVectors'): void {
  if (!(t instanceof tf.Tensor) || t.rank !== 2 || t.shape[1] !== 3) {
    const got = t instanceof tf.Tensor ? `[${t.shape.join(', ')}]` : String(t);
    throw new InvalidArgumentError(fn, name, `must be a tensor of shape [E, 3], got ${got}`, t);
  }
}

/**
 * The edge operators of a [E, 3] tensor of edge vectors as an [E, 3, 3] tensor (see
 * {@link edgeOperatorsInto}). Differentiable and exactly symmetric, and safe at r = 0: edges shorter than
 * {@link MIN_EDGE_LENGTH} get a zero operator AND a zero gradient (no NaN from 0/0).
 *
 * @example
 * const ops = edgeOperators(tf.tensor2d([[3, 0, 0], [0, 0, 0]]), 'direction');
 * // ops[0] = diag(1, 0, 0), ops[1] = 0 (a self-loop)
 */
export function edgeOperators(edgeVectors: tf.Tensor2D, kind: EdgeOperator = 'direction'): tf.Tensor3D {
  const fn = 'edgeOperators';
  assertEdgeOperator(fn, kind);
  assertEdgeVectors(fn, edgeVectors);
  return tf.tidy(() => tf.reshape(edgeOperatorsKernel(edgeVectors, kind), [edgeVectors.shape[0], 3, 3]));
}
